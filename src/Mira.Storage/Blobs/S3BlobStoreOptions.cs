using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Mira.Storage.Blobs;

/// <summary>How an <see cref="S3BlobStore"/> talks to its server and sizes its writes.</summary>
public sealed record S3BlobStoreOptions
{
    /// <summary>S3 refuses multipart parts below 5 MiB (except the last).</summary>
    public const long MinimumPartSize = 5L << 20;

    /// <summary>
    /// Objects up to this size are one PUT; larger ones a multipart upload of parts this size, read and sent one at a
    /// time (the memory a streaming write holds).
    /// </summary>
    public long PartSize { get; init; } = 8L << 20;

    /// <summary>How many PUTs <see cref="S3BlobStore.WriteManyAsync"/> runs at once.</summary>
    public int WriteParallelism { get; init; } = 16;

    /// <summary>
    /// How old an unfinished multipart upload (or a staging file) must be before <see cref="S3BlobStore.RemoveIncompleteWrites"/>
    /// aborts it: other nodes sharing the bucket may be uploading right now.
    /// </summary>
    public TimeSpan IncompleteWriteAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>A node-local folder for staged files (<see cref="IBlobStore.NewStagingFile"/>); the system's temporary folder when null.</summary>
    public string? StagingFolder { get; init; }

    /// <summary>
    /// Blob keys under these first segments belong to nested scopes (the intake's <c>projects/</c>): this store neither
    /// lists nor writes them.
    /// </summary>
    public IReadOnlyList<string> NestedScopes { get; init; } = [];

    internal void Validate()
    {
        if (PartSize < MinimumPartSize || PartSize > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(PartSize), $"S3 part size {PartSize} must be between {MinimumPartSize} bytes and 2 GiB");
        if (WriteParallelism < 1) throw new ArgumentOutOfRangeException(nameof(WriteParallelism), "write parallelism must be at least 1");
        if (IncompleteWriteAge < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(IncompleteWriteAge), "age must not be negative");
    }
}

/// <summary>
/// Builds the S3 client: credentials from the SDK's default chain (<c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>,
/// <c>AWS_PROFILE</c> and the shared credentials file, instance roles), region from <c>AWS_REGION</c> or the profile, else
/// us-east-1. With an endpoint (MinIO, Ceph RGW, a test server) requests go there, path-style (<c>/BUCKET/KEY</c>).
/// </summary>
public static class S3Clients
{
    public const string DefaultRegion = "us-east-1";

    public static AmazonS3Client Create(Uri? endpoint, string? region = null)
    {
        region ??= Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } r ? r
            : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") is { Length: > 0 } d ? d : null;
        var config = new AmazonS3Config
        {
            // Content-MD5 is sent with every PUT and part (the server checks it), and the SHA-256 kept as metadata is
            // checked on reads; the SDK's own trailing CRC checksums (aws-chunked with trailers) are not understood by
            // every S3-compatible server, so they are only sent where an operation requires them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (endpoint is not null)
        {
            if (endpoint.Scheme is not ("http" or "https"))
                throw new ArgumentException($"S3 endpoint '{endpoint}' must be an http:// or https:// URL", nameof(endpoint));
            config.ServiceURL = endpoint.ToString();
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region ?? DefaultRegion;
        }
        else
        {
            config.RegionEndpoint = region is not null ? RegionEndpoint.GetBySystemName(region)
                : FallbackRegionOrNull() ?? RegionEndpoint.GetBySystemName(DefaultRegion);
        }
        return new AmazonS3Client(config);
    }

    /// <summary>The region of the SDK's chain (the profile, instance metadata), or null when it has none.</summary>
    static RegionEndpoint? FallbackRegionOrNull()
    {
        try
        {
            return FallbackRegionFactory.GetRegionEndpoint();
        }
        catch (AmazonClientException)
        {
            return null;
        }
    }
}
