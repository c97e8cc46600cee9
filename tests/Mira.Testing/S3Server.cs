using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Mira.Testing;

/// <summary>
/// A real S3 protocol server for tests: the npm package <c>s3rver</c> (pinned in tests/Mira.Testing/s3rver/, installed
/// there with <c>npm ci</c> when missing), on a free loopback port, keeping its objects in a temporary folder. Tests only:
/// production uses MinIO, Ceph RGW or a cloud service (docs/object-storage.md). s3rver accepts the credentials
/// <see cref="AccessKey"/>/<see cref="SecretKey"/>. Stopped and deleted when disposed.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    readonly Process process;
    readonly StringBuilder log;

    S3Server(Process process, StringBuilder log, string folder, int port, string bucket)
    {
        this.process = process;
        this.log = log;
        Folder = folder;
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        Bucket = bucket;
    }

    /// <summary>The Node project holding the pinned s3rver.</summary>
    public static string PackageFolder => Path.Combine(Corpus.RepositoryRoot, "tests", "Mira.Testing", "s3rver");

    public Uri Endpoint { get; }

    /// <summary>The bucket created at start.</summary>
    public string Bucket { get; }

    /// <summary>Where s3rver keeps its objects (one folder per bucket; an object's bytes in <c>KEY._S3rver_object</c>).</summary>
    public string Folder { get; }

    /// <summary>The environment a process needs to reach this server through the SDK's default credential chain.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKey, ["AWS_SECRET_ACCESS_KEY"] = SecretKey, ["AWS_REGION"] = "us-east-1",
    };

    /// <summary>Starts s3rver with one bucket, <paramref name="bucket"/>.</summary>
    public static async Task<S3Server> StartAsync(string bucket = "mira-test")
    {
        await EnsurePackagesAsync();
        var folder = Directory.CreateTempSubdirectory("mira-s3rver-").FullName;
        var port = LoopbackPorts.Free();
        var psi = new ProcessStartInfo("node") { WorkingDirectory = PackageFolder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "node_modules/s3rver/bin/s3rver.js", "--silent", "--address", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--directory", folder, "--configure-bucket", bucket })
            psi.ArgumentList.Add(a);
        var log = new StringBuilder();
        var process = Start(psi);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new S3Server(process, log, folder, port, bucket);
        using var client = server.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"s3rver exited with code {process.ExitCode} at start:\n{server.Log}");
            }
            try
            {
                await client.GetBucketLocationAsync(bucket);
                return server;
            }
            catch (Exception e) when (e is HttpRequestException or AmazonServiceException or AmazonClientException) { }
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        throw new InvalidOperationException($"s3rver did not answer within 30 s:\n{server.Log}");
    }

    /// <summary>What s3rver printed (for failure messages).</summary>
    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    /// <summary>A client of this server (path-style, its credentials); the caller disposes it.</summary>
    public AmazonS3Client CreateClient() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED, ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Creates another bucket.</summary>
    public async Task CreateBucketAsync(string name)
    {
        using var client = CreateClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = name });
    }

    /// <summary>The file holding an object's bytes in s3rver's folder (to corrupt it behind the server's back).</summary>
    public string ObjectFile(string bucket, string objectKey) => Path.Combine(Folder, bucket, objectKey.Replace('/', Path.DirectorySeparatorChar) + "._S3rver_object");

    /// <summary>Installs the pinned s3rver with <c>npm ci</c> unless it is there.</summary>
    static async Task EnsurePackagesAsync()
    {
        if (File.Exists(Path.Combine(PackageFolder, "node_modules", "s3rver", "bin", "s3rver.js"))) return;
        var psi = new ProcessStartInfo("npm") { WorkingDirectory = PackageFolder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "ci", "--no-audit", "--no-fund" }) psi.ArgumentList.Add(a);
        using var npm = Start(psi);
        var stdout = npm.StandardOutput.ReadToEndAsync();
        var stderr = npm.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await npm.WaitForExitAsync(cts.Token);
        if (npm.ExitCode != 0) throw new InvalidOperationException($"`npm ci` in {PackageFolder} failed ({npm.ExitCode}):\n{await stdout}\n{await stderr}");
    }

    static Process Start(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi) ?? throw new InvalidOperationException($"{psi.FileName} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"`{psi.FileName}` is not available ({e.Message}). The S3 tests need Node.js 20+ and npm "
                + "(e.g. `apt-get install nodejs npm`), then `npm ci` in tests/Mira.Testing/s3rver.", e);
        }
    }


    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException) { }
        process.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
