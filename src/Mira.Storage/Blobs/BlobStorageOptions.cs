namespace Mira.Storage.Blobs;

/// <summary>
/// Where blobs are kept, as <c>mira serve</c> and every archive command are told with <c>--blobs</c> (else
/// <c>MIRA_BLOBS</c>): a folder (the default: <c>&lt;data&gt;/blobs</c>), or a bucket <c>s3://BUCKET[/PREFIX]</c> with
/// <c>--s3-endpoint URL</c> (else <c>MIRA_S3_ENDPOINT</c>) for a server other than AWS's (MinIO, Ceph RGW). See
/// docs/object-storage.md.
/// </summary>
public sealed record BlobStorageOptions
{
    public const string BlobsVariable = "MIRA_BLOBS";
    public const string EndpointVariable = "MIRA_S3_ENDPOINT";

    /// <summary>Seconds after which an unindexed object or an unfinished multipart upload counts as abandoned (default
    /// 3600): longer than any upload a node may still be finishing, shorter than the time a crashed node's leftovers may stay.</summary>
    public const string IncompleteWriteAgeVariable = "MIRA_S3_INCOMPLETE_WRITE_AGE";

    /// <summary>The intake's blob folder; null for <c>&lt;data&gt;/blobs</c>. Unused with <see cref="S3"/>.</summary>
    public string? Folder { get; init; }

    /// <summary>The bucket and prefix, or null for blobs on disk.</summary>
    public S3BlobLocation? S3 { get; init; }

    /// <summary>The S3 server; null for AWS (region from <c>AWS_REGION</c> or the profile).</summary>
    public Uri? S3Endpoint { get; init; }

    /// <summary>How the S3 store sizes parts and ages incomplete uploads.</summary>
    public S3BlobStoreOptions S3Store { get; init; } = new();

    /// <summary>Blobs on disk in the data folder (the default).</summary>
    public static BlobStorageOptions Disk { get; } = new();

    /// <summary>
    /// Parses <c>--blobs</c> and <c>--s3-endpoint</c>, each falling back to its environment variable; throws
    /// <see cref="ArgumentException"/> naming the option and what is wrong.
    /// </summary>
    public static BlobStorageOptions Parse(string? blobs, string? s3Endpoint)
    {
        blobs = Resolve(blobs, BlobsVariable);
        s3Endpoint = Resolve(s3Endpoint, EndpointVariable);
        if (blobs is null)
        {
            if (s3Endpoint is not null) throw new ArgumentException($"--s3-endpoint ('{s3Endpoint}') needs --blobs s3://BUCKET[/PREFIX]");
            return Disk;
        }
        if (!S3BlobLocation.IsS3(blobs))
        {
            if (s3Endpoint is not null) throw new ArgumentException($"--s3-endpoint ('{s3Endpoint}') applies to --blobs s3://BUCKET[/PREFIX], not to the folder '{blobs}'");
            if (blobs.Contains("://", StringComparison.Ordinal))
                throw new ArgumentException($"--blobs '{blobs}': only folders and s3://BUCKET[/PREFIX] are supported");
            return new BlobStorageOptions { Folder = blobs };
        }
        S3BlobLocation location;
        try
        {
            location = S3BlobLocation.Parse(blobs);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--blobs: {e.Message}", e);
        }
        Uri? endpoint = null;
        if (s3Endpoint is not null
            && (!Uri.TryCreate(s3Endpoint, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(endpoint.Query)))
            throw new ArgumentException($"--s3-endpoint '{s3Endpoint}' is not an http:// or https:// URL (e.g. http://minio.local:9000)");
        return new BlobStorageOptions { S3 = location, S3Endpoint = endpoint, S3Store = new S3BlobStoreOptions { IncompleteWriteAge = IncompleteWriteAge() } };
    }

    static TimeSpan IncompleteWriteAge()
    {
        if (Resolve(null, IncompleteWriteAgeVariable) is not { } text) return new S3BlobStoreOptions().IncompleteWriteAge;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{IncompleteWriteAgeVariable} '{text}' is not a positive number of seconds");
    }

    static string? Resolve(string? value, string variable) =>
        !string.IsNullOrWhiteSpace(value) ? value.Trim()
        : Environment.GetEnvironmentVariable(variable) is { } env && !string.IsNullOrWhiteSpace(env) ? env.Trim() : null;

    /// <summary>For messages: the folder or the bucket (never credentials, which are not here).</summary>
    public string Describe(string dataFolder) =>
        S3 is { } s3 ? s3 + (S3Endpoint is null ? "" : $" at {S3Endpoint}") : Path.GetFullPath(Folder ?? DataFolder.BlobRoot(dataFolder));
}

/// <summary>
/// Opens the blob stores of one archive: the intake's and each research project's, on disk or in one bucket (one S3
/// client shared by all). On disk the intake's blobs are under <see cref="BlobStorageOptions.Folder"/> (default
/// <c>&lt;data&gt;/blobs</c>) and a project's under <c>&lt;data&gt;/projects/&lt;id&gt;/blobs</c>; in S3 the intake's are
/// at <c>PREFIX/</c> and a project's at <c>PREFIX/projects/&lt;id&gt;/</c>, a scope the intake's store neither lists nor writes.
/// </summary>
public sealed class BlobStoreFactory : IDisposable
{
    /// <summary>The nested scope of project blobs in the intake's prefix.</summary>
    public const string ProjectsScope = "projects";

    readonly Amazon.S3.IAmazonS3? client;

    public BlobStoreFactory(BlobStorageOptions options, string dataFolder)
    {
        Options = options;
        DataFolder = Path.GetFullPath(dataFolder);
        if (options.S3 is not null) client = S3Clients.Create(options.S3Endpoint);
    }

    public BlobStorageOptions Options { get; }
    public string DataFolder { get; }

    /// <summary>Staged files of an S3 store stay on this node, in the data folder.</summary>
    string StagingFolder => Path.Combine(DataFolder, "staging");

    public IBlobStore OpenIntake() => Options.S3 is { } s3
        ? new S3BlobStore(client!, s3, Options.S3Store with { StagingFolder = StagingFolder, NestedScopes = [ProjectsScope] })
        : new FileBlobStore(Options.Folder ?? Storage.DataFolder.BlobRoot(DataFolder));

    /// <param name="projectFolder">the project's folder in the data folder (<c>&lt;data&gt;/projects/&lt;id&gt;</c>).</param>
    public IBlobStore OpenProject(string projectId, string projectFolder) => Options.S3 is { } s3
        ? new S3BlobStore(client!, s3.Scope(ProjectsScope, projectId), Options.S3Store with { StagingFolder = StagingFolder })
        : new FileBlobStore(Storage.DataFolder.BlobRoot(projectFolder));

    public void Dispose() => client?.Dispose();
}
