using System.CommandLine;
using System.Diagnostics;
using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Dicom.Json;
using Mira.Dicom.Network;
using Mira.Dicom.Values;

namespace Mira.Cli.Commands;

/// <summary>
/// DIMSE service class user commands against any remote AE: <c>mira echo</c>, <c>mira send</c> (C-STORE over
/// parallel associations), <c>mira find</c>, <c>mira move</c>, <c>mira get</c>. Exit codes: 0 success, 1 the
/// peer refused or something failed (a line on stderr says what), 2 usage error.
/// </summary>
public static class DimseScuCommands
{
    sealed record PeerOptions(Argument<string> Host, Argument<int> Port, Option<string> Called, Option<string> Calling, Option<int> Timeout,
        Option<bool> Tls, Option<string?> TlsCa, Option<string?> TlsCert, Option<string?> TlsKey)
    {
        public static PeerOptions Create() => new(
            new Argument<string>("HOST") { Description = "the remote AE's host name or address" },
            new Argument<int>("PORT") { Description = "its DIMSE port" },
            new Option<string>("--call", "-aec") { Description = "the remote (called) AE title", DefaultValueFactory = _ => "MIRA" },
            new Option<string>("--aet", "-aet") { Description = "our (calling) AE title", DefaultValueFactory = _ => "MIRA-SCU" },
            new Option<int>("--timeout") { Description = "seconds to wait for association answers and responses", DefaultValueFactory = _ => 30 },
            new Option<bool>("--tls") { Description = "connect with DICOM TLS (PS3.15 Annex B), trusting the system's CAs unless --tls-ca" },
            new Option<string?>("--tls-ca") { Description = "trust the CA certificates in this PEM file for the server's certificate (implies --tls)" },
            new Option<string?>("--tls-cert") { Description = "client certificate to present: PEM (with --tls-key) or PKCS#12 (password in MIRA_DIMSE_TLS_PASSWORD); implies --tls" },
            new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert (default: the certificate file itself)" });

        public void AddTo(Command c)
        {
            c.Arguments.Add(Host);
            c.Arguments.Add(Port);
            foreach (var o in new Option[] { Called, Calling, Timeout, Tls, TlsCa, TlsCert, TlsKey }) c.Options.Add(o);
        }

        public DicomPeer Read(ParseResult r) => new(r.GetValue(Host)!, r.GetValue(Port), r.GetValue(Called)!, r.GetValue(Calling)!)
        {
            Association = new DicomAssociationOptions
            {
                ArtimTimeout = TimeSpan.FromSeconds(r.GetValue(Timeout)), IdleTimeout = TimeSpan.FromSeconds(Math.Max(r.GetValue(Timeout), 60)),
                Tls = ReadTls(r),
            },
        };

        DicomTlsOptions? ReadTls(ParseResult r)
        {
            var (ca, cert) = (r.GetValue(TlsCa), r.GetValue(TlsCert));
            if (!r.GetValue(Tls) && ca is null && cert is null) return null;
            return new DicomTlsOptions
            {
                TrustedCertificates = ca is null ? null : DicomTlsOptions.LoadTrusted(ca),
                Certificate = cert is null ? null : DicomTlsOptions.LoadCertificate(cert, r.GetValue(TlsKey), Environment.GetEnvironmentVariable("MIRA_DIMSE_TLS_PASSWORD")),
            };
        }
    }

    public static IEnumerable<Command> Create() => [Echo(), Send(), Find(), Move(), Get()];

    static Command Echo()
    {
        var peer = PeerOptions.Create();
        var c = new Command("echo", "C-ECHO: check that a remote AE answers (Verification)");
        peer.AddTo(c);
        c.SetAction((r, ct) => RunAsync("echo", async () =>
        {
            var p = peer.Read(r);
            var clock = Stopwatch.StartNew();
            var status = await DicomClient.EchoAsync(p.Host, p.Port, p.CallingAE, p.CalledAE, p.Association, ct);
            Console.WriteLine($"C-ECHO {p}: status 0x{status:X4} in {clock.Elapsed.TotalMilliseconds:0} ms");
            return status == DicomStatus.Success ? 0 : 1;
        }));
        return c;
    }

    static Command Send()
    {
        var peer = PeerOptions.Create();
        var paths = new Argument<string[]>("PATH") { Description = "DICOM files or folders (searched recursively)", Arity = ArgumentArity.OneOrMore };
        var associations = new Option<int>("--associations", "-j") { Description = "parallel associations", DefaultValueFactory = _ => 4 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "no progress line" };
        var c = new Command("send", """
            C-STORE SCU: send DICOM files to a remote AE over several associations. Each file goes in its own transfer
            syntax when accepted, else converted (decoded by Mira's codecs when needed). Prints a summary; lists failures.
            """);
        peer.AddTo(c);
        c.Arguments.Add(paths);
        c.Options.Add(associations);
        c.Options.Add(quiet);
        c.SetAction((r, ct) => RunAsync("send", async () =>
        {
            var p = peer.Read(r);
            var files = new List<string>();
            foreach (var input in r.GetValue(paths)!)
            {
                if (Directory.Exists(input)) files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
                else if (File.Exists(input)) files.Add(input);
                else
                {
                    Console.Error.WriteLine($"mira send: {input}: no such file or folder");
                    return 2;
                }
            }
            var scu = new StoreScu(new StoreScuOptions
            {
                Host = p.Host, Port = p.Port, CalledAE = p.CalledAE, CallingAE = p.CallingAE, Association = p.Association,
                Associations = Math.Max(1, r.GetValue(associations)), Converter = new CodecTransferSyntaxConverter(),
            });
            var done = 0;
            var progress = r.GetValue(quiet) ? null : new Progress<StoreScuResult>(_ =>
            {
                var n = Interlocked.Increment(ref done);
                if (n % 50 == 0 || n == files.Count) Console.Error.Write($"\rsent {n}/{files.Count}");
            });
            var summary = await scu.SendAsync(files, progress, ct);
            if (progress is not null) Console.Error.WriteLine();
            foreach (var f in summary.Failures) Console.Error.WriteLine($"{f.Path}: {f.Error}");
            var seconds = Math.Max(summary.Elapsed.TotalSeconds, 1e-9);
            Console.WriteLine($"{summary.Succeeded} sent ({summary.Warnings} with warnings), {summary.Failed} failed, " +
                              $"{summary.Bytes / 1e6:0.0} MB in {seconds:0.00} s: {summary.Succeeded / seconds:0.0} instances/s over {r.GetValue(associations)} association(s)");
            return summary.Failed == 0 ? 0 : 1;
        }));
        return c;
    }

    sealed record QueryOptions(Option<string> Root, Option<string> Level, Option<string[]> Keys)
    {
        public static QueryOptions Create(string defaultLevel) => new(
            new Option<string>("--root") { Description = "information model: study or patient", DefaultValueFactory = _ => "study" },
            new Option<string>("--level", "-L") { Description = "PATIENT, STUDY, SERIES or IMAGE", DefaultValueFactory = _ => defaultLevel },
            new Option<string[]>("--key", "-k") { Description = "KEY=VALUE matching key, or KEY alone for a return key (keyword or 8 hex digits)", AllowMultipleArgumentsPerToken = false });

        public void AddTo(Command c)
        {
            c.Options.Add(Root);
            c.Options.Add(Level);
            c.Options.Add(Keys);
        }

        public (QueryRoot Root, DicomDataset Identifier) Read(ParseResult r)
        {
            var root = r.GetValue(Root)!.ToLowerInvariant() switch
            {
                "study" => QueryRoot.Study,
                "patient" => QueryRoot.Patient,
                var x => throw new ArgumentException($"--root must be study or patient, not '{x}'"),
            };
            var level = r.GetValue(Level)!.ToUpperInvariant();
            if (level is not ("PATIENT" or "STUDY" or "SERIES" or "IMAGE")) throw new ArgumentException($"--level must be PATIENT, STUDY, SERIES or IMAGE, not '{level}'");
            var id = new DicomDataset().Set(DicomTags.QueryRetrieveLevel, level);
            foreach (var k in r.GetValue(Keys) ?? [])
            {
                var eq = k.IndexOf('=');
                var name = eq < 0 ? k : k[..eq];
                var value = eq < 0 ? "" : k[(eq + 1)..];
                var tag = ParseTag(name);
                var vr = DicomDictionary.VROf(tag);
                id.Set(vr == DicomVR.SQ ? new DicomSequence(tag) : value.Length == 0 ? new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty) : new DicomElement(tag, vr, value.Split('\\')));
            }
            if (id.GetStrings(DicomTags.PatientName).Any(s => s.Any(c => c > 0x7E))) id.Set(DicomTags.SpecificCharacterSet, "ISO_IR 192");
            return (root, id);
        }

        static DicomTag ParseTag(string name)
        {
            var hex = name.Trim('(', ')').Replace(",", "");
            if (hex.Length == 8 && uint.TryParse(hex, System.Globalization.NumberStyles.HexNumber, null, out var t)) return new DicomTag(t);
            return DicomDictionary.Lookup(name)?.Tag ?? throw new ArgumentException($"'{name}' is neither a DICOM keyword nor a tag");
        }
    }

    static Command Find()
    {
        var peer = PeerOptions.Create();
        var query = QueryOptions.Create("STUDY");
        var json = new Option<bool>("--json") { Description = "print the matches as a DICOM JSON array" };
        var c = new Command("find", "C-FIND SCU: query a remote AE (patient or study root, any level)") { json };
        peer.AddTo(c);
        query.AddTo(c);
        c.SetAction((r, ct) => RunAsync("find", async () =>
        {
            var p = peer.Read(r);
            var (root, id) = query.Read(r);
            var matches = new List<DicomDataset>();
            await foreach (var m in QueryRetrieveScu.FindAsync(p, root, id, ct)) matches.Add(m);
            if (r.GetValue(json))
            {
                Console.WriteLine("[" + string.Join(",", matches.Select(m => DicomJsonWriter.Serialize(m))) + "]");
            }
            else
            {
                foreach (var m in matches)
                    Console.WriteLine(string.Join("  ", m.Where(e => e.Tag != DicomTags.SpecificCharacterSet && e is not DicomSequence)
                        .Select(e => $"{DicomDictionary.Lookup(e.Tag)?.Keyword ?? e.Tag.ToString()}={string.Join('\\', m.GetStrings(e.Tag))}")));
                Console.Error.WriteLine($"{matches.Count} match(es)");
            }
            return 0;
        }));
        return c;
    }

    static Command Move()
    {
        var peer = PeerOptions.Create();
        var query = QueryOptions.Create("STUDY");
        var destination = new Option<string>("--dest") { Description = "the AE title the remote AE should send to (it must know it)", Required = true };
        var c = new Command("move", "C-MOVE SCU: ask a remote AE to send matching instances to a destination AE") { destination };
        peer.AddTo(c);
        query.AddTo(c);
        c.SetAction((r, ct) => RunAsync("move", async () =>
        {
            var p = peer.Read(r);
            var (root, id) = query.Read(r);
            var result = await QueryRetrieveScu.MoveAsync(p, root, r.GetValue(destination)!, id,
                new Progress<SubOperationCounts>(c => Console.Error.Write($"\r{c.Completed} done, {c.Failed} failed, {c.Remaining} remaining")), ct);
            Console.Error.WriteLine();
            return Report("C-MOVE", result);
        }));
        return c;
    }

    static Command Get()
    {
        var peer = PeerOptions.Create();
        var query = QueryOptions.Create("STUDY");
        var output = new Option<string>("--out", "-od") { Description = "folder for the received instances (SOPInstanceUID.dcm)", Required = true };
        var c = new Command("get", "C-GET SCU: retrieve matching instances from a remote AE over the same association") { output };
        peer.AddTo(c);
        query.AddTo(c);
        c.SetAction((r, ct) => RunAsync("get", async () =>
        {
            var p = peer.Read(r);
            var (root, id) = query.Read(r);
            var folder = Path.GetFullPath(r.GetValue(output)!);
            Directory.CreateDirectory(folder);
            var result = await QueryRetrieveScu.GetAsync(p, root, id, async message =>
            {
                var sop = message.AffectedSopInstanceUid!;
                if (!DicomUid.IsValid(sop)) return DicomStatus.UnableToProcess;
                var bytes = DicomFileWriter.Compose(message.AffectedSopClassUid!, sop, message.EncodedSyntax!, message.EncodedDataset!.Value.Span, p.CalledAE);
                var target = Path.Combine(folder, sop + ".dcm");
                var tmp = target + ".part";
                await File.WriteAllBytesAsync(tmp, bytes, ct);
                File.Move(tmp, target, overwrite: true);
                return DicomStatus.Success;
            }, null, new Progress<SubOperationCounts>(c => Console.Error.Write($"\r{c.Completed} received, {c.Failed} failed, {c.Remaining} remaining")), ct);
            Console.Error.WriteLine();
            return Report("C-GET", result);
        }));
        return c;
    }

    static int Report(string operation, RetrieveResult result)
    {
        var c = result.Counts;
        Console.WriteLine($"{operation}: status 0x{result.Status:X4}: {c.Completed} completed, {c.Failed} failed, {c.Warning} warnings" +
                          (string.IsNullOrEmpty(result.ErrorComment) ? "" : $" ({result.ErrorComment})"));
        foreach (var f in result.FailedInstances) Console.Error.WriteLine($"failed: {f}");
        return DicomStatus.IsFailure(result.Status) || c.Failed > 0 ? 1 : 0;
    }

    static async Task<int> RunAsync(string name, Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"mira {name}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is DicomNetworkException or DimseStatusException or IOException or MiraException)
        {
            Console.Error.WriteLine($"mira {name}: {e.Message}");
            return 1;
        }
    }
}
