using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Mira.Server;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira serve [--data DIR] [--urls URLS] [--db CONNECTION] [--blobs FOLDER|s3://BUCKET[/PREFIX]] [--s3-endpoint URL] [--demo] [--viewer-dir DIR] [--no-jobs] [--max-stow-parts N] [--max-frame-mib N]
/// [--max-decoded-mib N] [--max-inflated-mib N]</c>, the web security options (<see cref="WebSecurityOptions"/>: HTTPS,
/// proxies, origins, sign-in back-off) and the DIMSE options (<see cref="DimseServeOptions"/>: the listener's address,
/// limits and TLS), where model workers run (<see cref="ExecutorCommandOptions"/>: <c>--executor local|slurm</c>) and the
/// operators' options (<see cref="ObservabilityServeOptions"/>: <c>--node-name</c>, <c>--metrics-anonymous</c>, <c>--log-format</c>):
/// runs the archive (DICOMweb, status page, DIMSE).
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var urls = new Option<string>("--urls") { Description = "listening URLs, separated by ';'", DefaultValueFactory = _ => "http://127.0.0.1:8042" };
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
        var demo = new Option<bool>("--demo") { Description = "load demo studies (synthetic CT, MR, PET of fictitious patients) if absent" };
        var dimsePort = new Option<int>("--dimse-port") { Description = "DIMSE listener port (C-ECHO, C-STORE, C-FIND, C-MOVE, C-GET); 0 turns it off", DefaultValueFactory = _ => 11112 };
        var aeTitle = new Option<string>("--ae-title") { Description = "Mira's AE title on the DIMSE listener", DefaultValueFactory = _ => "MIRA" };
        var unknown = new Option<string>("--dimse-unknown-callers")
        {
            Description = "services callers not in the AE table ('mira ae add') may use: echo,store,find,move,get, all or none",
            DefaultValueFactory = _ => "echo",
        };
        var viewerDir = new Option<string?>("--viewer-dir")
        {
            Description = "the OHIF Viewer's files (dist folder of @ohif/app) served under /viewer/; default: MIRA_VIEWER, else what the build installed",
        };
        var dimse = DimseServeOptions.Create();
        var executor = ExecutorCommandOptions.Create();
        var sitePush = new Option<int>("--site-push-minutes")
        {
            Description = "on a site linked to a hub (mira site link): queue a push of de-identified copies every N minutes (0: never)",
            DefaultValueFactory = _ => 0,
        };
        var signingKey = new Option<string?>("--evaluation-signing-key")
        {
            Description = "the PEM key that signs evaluation reports (created there when missing); give every node of a deployment the same file. Default: DATA/keys/evaluation-signing.pem",
        };
        var noJobs = new Option<bool>("--no-jobs", "--no-rule-copies")
        {
            Description = "queue jobs (project rule copies…) but leave running them to another node, or to a later start without this option",
        };
        // What one request or object may cost (docs/security.md): STOW-RS parts per request, and an object's size once
        // decoded (per frame, in all) or inflated, checked from its header before anything is decoded or stored.
        var maxStowParts = new Option<int>("--max-stow-parts")
            { Description = "most parts one STOW-RS request may carry; more is answered 413", DefaultValueFactory = _ => 10_000 };
        var maxFrameMib = new Option<int>("--max-frame-mib")
            { Description = "largest decoded frame (MiB) an object may have; larger objects are refused (A700)", DefaultValueFactory = _ => 128 };
        var maxDecodedMib = new Option<int>("--max-decoded-mib")
            { Description = "largest decoded size (MiB) of all frames of an object together", DefaultValueFactory = _ => 16 * 1024 };
        var maxInflatedMib = new Option<int>("--max-inflated-mib")
            { Description = "largest size (MiB) a deflated data set may inflate to (also at most 100 × its compressed size, or 64 MiB)", DefaultValueFactory = _ => 1024 };
        var cmd = new Command("serve", "Run the archive: DICOMweb under /dicomweb, DIMSE on port 11112, a status page at /, /health")
            { data, urls, db, blobsOption, s3EndpointOption, demo, viewerDir, dimsePort, aeTitle, unknown, noJobs, sitePush, signingKey, maxStowParts, maxFrameMib, maxDecodedMib, maxInflatedMib };
        dimse.AddTo(cmd);
        executor.AddTo(cmd);
        var web = WebSecurityOptions.AddTo(cmd);
        var observability = ObservabilityServeOptions.AddTo(cmd);
        cmd.SetAction((r, ct) =>
        {
            Mira.Server.Dimse.DimseServiceOptions? dimseOptions = null;
            var port = r.GetValue(dimsePort);
            try
            {
                var listener = dimse.Read(r, port == 0 ? null : port);
                if (listener.Port is not null || listener.TlsPort is not null)
                    dimseOptions = listener with
                    {
                        AETitle = ApplicationEntity.NormalizeTitle(r.GetValue(aeTitle)!),
                        UnknownCallers = ApplicationEntity.ParsePermissions(r.GetValue(unknown)!),
                    };
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"mira serve: {e.Message}");
                return Task.FromResult(2);
            }
            Mira.Storage.Blobs.BlobStorageOptions blobs;
            try
            {
                blobs = Mira.Storage.Blobs.BlobStorageOptions.Parse(r.GetValue(blobsOption), r.GetValue(s3EndpointOption));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"mira serve: {e.Message}");
                return Task.FromResult(2);
            }
            if (r.GetValue(signingKey) is { Length: > 0 } keyFile && ReadableSigningKey(keyFile) is { } keyProblem)
            {
                Console.Error.WriteLine($"mira serve: --evaluation-signing-key {keyFile}: {keyProblem}");
                return Task.FromResult(2);
            }
            if (r.GetValue(sitePush) < 0)
            {
                Console.Error.WriteLine("mira serve: --site-push-minutes must be 0 (never) or more");
                return Task.FromResult(2);
            }
            var limits = new[] { maxStowParts, maxFrameMib, maxDecodedMib, maxInflatedMib }.FirstOrDefault(o => r.GetValue(o) < 1);
            if (limits is not null)
            {
                Console.Error.WriteLine($"mira serve: {limits.Name} must be a positive number, not {r.GetValue(limits)}");
                return Task.FromResult(2);
            }
            var options = new ServerOptions
            {
                MaxStowParts = r.GetValue(maxStowParts),
                IntakeLimits = new Mira.Platform.Intake.IntakeLimits
                {
                    MaxDecodedFrameBytes = (long)r.GetValue(maxFrameMib) << 20, MaxDecodedBytes = (long)r.GetValue(maxDecodedMib) << 20,
                    MaxInflatedBytes = (long)r.GetValue(maxInflatedMib) << 20,
                },
                DataFolder = r.GetValue(data)!, Urls = r.GetValue(urls)!, ConnectionString = PlatformOptions.ResolveConnectionString(r.GetValue(db)), Blobs = blobs, Demo = r.GetValue(demo), Dimse = dimseOptions,
                ViewerDirectory = r.GetValue(viewerDir) is { } v ? Path.GetFullPath(v) : null,
                Jobs = new Mira.Platform.Jobs.JobOptions { Worker = !r.GetValue(noJobs) },
                SitePushInterval = r.GetValue(sitePush) > 0 ? TimeSpan.FromMinutes(r.GetValue(sitePush)) : null,
            };
            try
            {
                options = web.Apply(r, options);
                options = observability.Apply(r, options);
                options = options with
                {
                    Evaluations = options.Evaluations with
                    {
                        Executor = executor.Read(r),
                        SigningKeyPath = r.GetValue(signingKey) is { Length: > 0 } key ? Path.GetFullPath(key) : null,
                    },
                };
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"mira serve: {e.Message}");
                return Task.FromResult(2);
            }
            return Run(options, ct);
        });
        return cmd;
    }

    static async Task<int> Run(ServerOptions options, CancellationToken ct)
    {
        var (data, dimse) = (options.DataFolder, options.Dimse);
        try
        {
            await using var app = await MiraServer.BuildAsync(options, ct);
            await app.StartAsync(ct);
            var listener = app.Services.GetService(typeof(Mira.Server.Dimse.DimseListener)) as Mira.Server.Dimse.DimseListener;
            var ports = new List<string>();
            if (dimse?.Port is not null) ports.Add($"port {listener?.Port ?? dimse.Port}");
            if (dimse?.TlsPort is not null) ports.Add($"TLS port {listener?.TlsPort ?? dimse.TlsPort}");
            var dicom = dimse is null ? "" : $" and DICOM {dimse.AETitle} on {string.Join(", ", ports)} (address {dimse.Address})";
            var blobs = options.Blobs.S3 is null ? "" : $" (blobs in {options.Blobs.Describe(data)})";
            Console.WriteLine($"Mira is serving {Path.GetFullPath(data)}{blobs} on {string.Join(", ", app.Urls)}{dicom}");
            Console.WriteLine($"Open {app.Urls.First()}/ in a browser and sign in.");
            await app.WaitForShutdownAsync(ct);
            return 0;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Data.Common.DbException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"mira serve: {e.Message}");
            return 1;
        }
    }

    /// <summary>Why a given signing key cannot serve (a node of a deployment must not find out at its first evaluation), or null:
    /// an existing file must hold an EC private key in PEM; a missing one is created at the first report, where its folder must exist.</summary>
    static string? ReadableSigningKey(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            return Directory.Exists(Path.GetDirectoryName(full)) ? null : "no such file, and its folder does not exist to create it in";
        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(full));
            return null;
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            return "not a readable EC private key in PEM (" + e.Message.TrimEnd('.') + ")";
        }
    }
}
