using System.CommandLine;
using System.Diagnostics;
using Mira.Storage.Security;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira import PATH... [--data DIR] [--db CONNECTION] [--uploader NAME] [--calling-ae TITLE] [--strict]</c>: loads files and
/// folders into the archive through the same intake as STOW-RS and C-STORE (one parse, ingest, then the project rules).
/// </summary>
public static class ImportCommand
{
    const int ShownPerReason = 5;

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "DICOM, NIfTI, photograph (JPEG, PNG) or whole-slide (SVS, TIFF) files, or folders of them (searched recursively)" };
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
        var strict = new Option<bool>("--strict") { Description = "also exit 1 when a file is not DICOM at all" };
        var uploader = new Option<string?>("--uploader") { Description = "store as this account's upload: its project uploader rules copy the instances" };
        var callingAe = new Option<string?>("--calling-ae") { Description = "store as if sent by this AE title (e.g. a PACS export): its project AE rules copy the instances" };
        var meta = new Option<string?>("--meta") { Description = "patient and study attributes for non-DICOM files: a JSON object of DICOM keywords, or a CSV (file,PatientID,...) for a folder; without it, marked placeholders are generated" };
        var modality = new Option<string?>("--modality") { Description = "NIfTI volumes become this modality's series: MR (default) or CT" };
        var labelsFor = new Option<string?>("--labels-for") { Description = "the NIfTI files are label volumes: store each as a DICOM Segmentation of this stored series (its Series Instance UID)" };
        var cmd = new Command("import", """
            Store files in the archive (offline; the server need not run). NIfTI volumes, photographs and whole-slide
            images are converted to DICOM first (chosen by content, not by name; see docs/intake-formats.md), with the
            attributes of --meta or placeholder identifiers that say so. Every object goes through the same
            intake as STOW-RS and C-STORE: an identical instance already stored counts as already present; a different
            object under a stored SOP Instance UID is refused as a conflict (0x0111); with --uploader or --calling-ae the
            project rules for that account or AE title queue their copies, as they do for the server's uploads.
            Progress goes to stderr, the summary (stored, already present, refused with reasons) to stdout.
            Exit codes: 0 when every DICOM file was stored or already present (files that are not DICOM at all are
            listed as refused "not DICOM" but do not fail the import unless --strict); 1 when a DICOM file was
            refused (conflict, missing UID, truncated, unreadable...) or a path does not exist, or with --strict any
            refusal; 2 on a usage error.
            """) { paths, data, db, blobsOption, s3EndpointOption, strict, uploader, callingAe, meta, modality, labelsFor };
        cmd.SetAction((r, ct) => RunAsync(r.GetValue(paths)!, new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(strict),
            r.GetValue(uploader), r.GetValue(callingAe), new ConversionOptions(r.GetValue(meta), r.GetValue(modality), r.GetValue(labelsFor)), ct));
        return cmd;
    }

    sealed record Refusal(string Path, string Detail);

    static async Task<int> RunAsync(string[] inputs, ArchiveLocation location, bool strict, string? uploader, string? callingAe,
        ConversionOptions conversion, CancellationToken ct)
    {
        var missing = false;
        var all = new List<(string Path, string Relative)>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                all.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => (f, Path.GetRelativePath(input, f))));
            else if (File.Exists(input)) all.Add((input, Path.GetFileName(input)));
            else
            {
                Console.Error.WriteLine($"{input}: no such file or folder");
                missing = true;
            }
        }

        if (conversion.Problem() is { } usage)
        {
            Console.Error.WriteLine("mira import: " + usage);
            return 2;
        }
        SidecarFile? sidecar;
        try
        {
            sidecar = conversion.Meta is null ? null : SidecarFile.Read(conversion.Meta);
        }
        catch (ConversionException e)
        {
            Console.Error.WriteLine("mira import: --meta: " + e.Message);
            return 2;
        }

        if (location.RequireValidBlobs() is { } invalid) return invalid;
        await using var platform = await location.OpenAsync(ct);
        if (uploader is not null)
        {
            if (await platform.Accounts.GetAsync(uploader, ct) is not { } account)
            {
                Console.Error.WriteLine($"mira import: --uploader: no account '{uploader}'");
                return 2;
            }
            uploader = account.Name;
        }
        if (callingAe is not null)
        {
            try
            {
                callingAe = ApplicationEntity.NormalizeTitle(callingAe);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"mira import: --calling-ae: {e.Message}");
                return 2;
            }
        }
        var ingest = platform.Ingest;
        var source = new IngestSource("import", callingAe, uploader ?? Environment.UserName);
        var session = platform.Intake.Begin(new IntakeContext(source, TokenCommand.Actor, callingAe, uploader, AuditActions.ImportStore, "local"));
        long stored = 0, present = 0;
        var refused = new SortedDictionary<string, List<Refusal>>(StringComparer.Ordinal);
        void Refuse(string reason, string path, string detail)
        {
            if (!refused.TryGetValue(reason, out var list)) refused[reason] = list = [];
            list.Add(new Refusal(path, detail));
        }

        // Non-DICOM sources (told by content) are converted one by one; DICOM files go on in batches below.
        var files = new List<string>();
        var converted = new List<ConvertedSource>();
        foreach (var (path, relative) in all)
        {
            IImageConverter? converter;
            try
            {
                converter = platform.Conversion.Detect(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Refuse("cannot read the file", path, e.Message);
                continue;
            }
            if (converter is null)
            {
                files.Add(path);
                continue;
            }
            try
            {
                var request = ConversionRequests.For(path, relative, sidecar, conversion);
                var result = conversion.LabelsFor is { } series
                    ? await platform.Conversion.ImportLabelsAsync(session, path, series, request, ct)
                    : await platform.Conversion.ImportAsync(session, path, converter, request, ct);
                converted.Add(result);
                stored += result.Stored;
                present += result.AlreadyStored;
                foreach (var o in result.Objects.Where(o => !o.Result.IsSuccess))
                    Refuse("converted object refused", path, $"{o.Description}: {o.Result.Reason}");
            }
            catch (ConversionException e)
            {
                Refuse($"cannot convert ({converter.Name})", path, e.Message);
            }
        }
        var progress = new Progress(files.Count);

        for (var start = 0; start < files.Count; start += ingest.BatchSize)
        {
            var chunk = files.Skip(start).Take(ingest.BatchSize).ToList();
            var parts = new List<(string Path, byte[] Bytes)>(chunk.Count);
            foreach (var f in chunk)
            {
                try
                {
                    parts.Add((f, await File.ReadAllBytesAsync(f, ct)));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Refuse("cannot read the file", f, e.Message);
                }
            }
            var parsed = ingest.Parse([.. parts.Select(p => (ReadOnlyMemory<byte>)p.Bytes)], _ => source, ct);
            var results = await session.StoreAsync(parsed, ct);
            for (var k = 0; k < results.Count; k++)
            {
                var (result, (path, bytes)) = (results[k], parts[k]);
                switch (result.Outcome)
                {
                    case StoreOutcome.Stored: stored++; break;
                    case StoreOutcome.AlreadyStored: present++; break;
                    default: Refuse(ReasonGroup(result, bytes), path, result.Reason ?? ""); break;
                }
            }
            progress.Report(start + chunk.Count);
        }
        progress.Done();

        var refusedCount = refused.Values.Sum(l => l.Count);
        Console.WriteLine($"imported {all.Count} file(s) into {location.Describe()}");
        if (converted.Count > 0 || refused.Keys.Any(k => k.StartsWith("cannot convert", StringComparison.Ordinal)))
        {
            Console.WriteLine($"converted to DICOM: {converted.Count} file(s) into {converted.Sum(c => c.Objects.Count)} object(s)");
            foreach (var c in converted.Take(ShownPerReason * 4))
                Console.WriteLine($"  {c.Path}: {c.Converter}, {c.Objects.Count} object(s) in series {string.Join(", ", c.Objects.Select(o => o.SeriesInstanceUid).Distinct())}, {c.Subject}");
            if (converted.Count > ShownPerReason * 4) Console.WriteLine($"  ... and {converted.Count - ShownPerReason * 4} more");
            if (converted.Any(c => c.Subject.IsPlaceholder && c.Converter != ConversionIntake.LabelsConverterName))
                Console.WriteLine("  warning: placeholder patient identifiers were generated (no --meta); replace them before clinical use");
        }
        Console.WriteLine($"stored: {stored}");
        Console.WriteLine($"already present (identical): {present}");
        Console.WriteLine($"refused: {refusedCount}");
        foreach (var (reason, list) in refused)
        {
            Console.WriteLine($"  {reason}: {list.Count}");
            foreach (var r in list.Take(ShownPerReason)) Console.WriteLine($"    {r.Path}: {r.Detail}");
            if (list.Count > ShownPerReason) Console.WriteLine($"    ... and {list.Count - ShownPerReason} more");
        }

        await session.CompleteAsync("completed", new Dictionary<string, object?> { ["files"] = all.Count, ["converted"] = converted.Count, ["folder"] = location.Folder });

        var dicomRefused = refused.Where(kv => kv.Key != NotDicom).Sum(kv => kv.Value.Count);
        return missing || dicomRefused > 0 || (strict && refusedCount > 0) ? 1 : 0;
    }

    internal const string NotDicom = "not DICOM";

    /// <summary>A short, stable reason to group refusals by.</summary>
    static string ReasonGroup(StoreResult r, byte[] bytes)
    {
        var reason = r.Reason ?? "";
        switch (r.Refusal)
        {
            case StoreRefusal.Conflict: return "conflict 0x0111 (another object under a stored SOP Instance UID)";
            case StoreRefusal.MissingAttributes: return "missing " + string.Join(", ", r.Missing.Select(s => s.Split(" (")[0]));
            case StoreRefusal.Truncated: return "truncated";
            case StoreRefusal.Unreadable: return HasPart10Preamble(bytes) ? "unreadable DICOM" : NotDicom;
        }
        var colon = reason.IndexOf(':');
        return $"0x{r.Status:X4} {(colon > 0 ? reason[..colon] : reason)}";
    }

    static bool HasPart10Preamble(byte[] b) => b.Length >= 132 && b.AsSpan(128, 4).SequenceEqual("DICM"u8);

    /// <summary>Count / total on stderr: redrawn in place on a terminal, otherwise a plain line every few seconds.</summary>
    sealed class Progress(int total)
    {
        readonly bool terminal = !Console.IsErrorRedirected;
        readonly Stopwatch clock = Stopwatch.StartNew();
        TimeSpan last = TimeSpan.Zero;
        int done;

        public void Report(int count)
        {
            done = count;
            var interval = terminal ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(5);
            if (clock.Elapsed - last < interval) return;
            last = clock.Elapsed;
            Write();
        }

        void Write()
        {
            var rate = done / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            var line = $"importing {done}/{total} ({rate:F0} files/s)";
            if (terminal) Console.Error.Write("\r" + line + "\u001b[K");
            else Console.Error.WriteLine(line);
        }

        public void Done()
        {
            if (total == 0) return;
            Write();
            if (terminal) Console.Error.WriteLine();
        }
    }
}
