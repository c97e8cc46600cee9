using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Mira.Storage.Blobs;

/// <summary>
/// Blobs as objects in one S3 bucket under a key prefix (<see cref="S3BlobLocation"/>), through the AWS SDK: MinIO, Ceph RGW,
/// AWS S3 or any S3-compatible server. A write is acknowledged only once the server has the complete object (a PUT, or
/// a multipart upload completed), so readers see nothing or the whole blob; a multipart upload that fails or is cut
/// short is aborted, and one left by a crash is aborted by <see cref="RemoveIncompleteWrites"/> once it is older than
/// <see cref="S3BlobStoreOptions.IncompleteWriteAge"/>. Every object carries the SHA-256 of its bytes as metadata
/// (<c>x-amz-meta-sha256</c>), checked when a blob is read whole, and every PUT and part its Content-MD5, checked by the
/// server. Several nodes may share the bucket: nothing here assumes it is the only writer.
/// <para>
/// The SDK is asynchronous only; the synchronous members of <see cref="IBlobStore"/> wait on it on a thread-pool thread
/// (<see cref="Sync{T}"/>). ASP.NET Core has no synchronisation context, so such a wait cannot deadlock there, and the
/// hop to the pool keeps it from deadlocking under a context that has one.
/// </para>
/// </summary>
public sealed partial class S3BlobStore : IBlobStore
{
    /// <summary>The metadata name under which the SHA-256 (hex) of an object's bytes is kept (<c>x-amz-meta-sha256</c>).</summary>
    public const string Sha256Metadata = "x-amz-meta-sha256";

    readonly IAmazonS3 client;
    readonly S3BlobStoreOptions options;
    readonly string stagingFolder;

    /// <param name="client">shared by the stores of one process; the caller disposes it.</param>
    public S3BlobStore(IAmazonS3 client, S3BlobLocation location, S3BlobStoreOptions? options = null)
    {
        this.client = client;
        Location = location;
        this.options = options ?? new S3BlobStoreOptions();
        this.options.Validate();
        stagingFolder = Path.GetFullPath(this.options.StagingFolder ?? Path.Combine(Path.GetTempPath(), "mira-s3-staging"));
    }

    public S3BlobLocation Location { get; }

    public string Bucket => Location.Bucket;

    /// <summary>Where a blob is, for messages: <c>s3://BUCKET/PREFIX/KEY</c>.</summary>
    public string Describe(string key) => S3BlobLocation.Scheme + Bucket + "/" + Location.ObjectKey(key);

    /// <summary>The object key of a blob key; throws on a key that is not a relative path of this scope.</summary>
    string ObjectKey(string key)
    {
        if (key.Length == 0 || key.Length > 512 || key.Contains("..", StringComparison.Ordinal) || key.StartsWith('/') || key.Contains('\\')
            || key.Contains("//", StringComparison.Ordinal) || key.Any(char.IsControl))
            throw new ArgumentException($"invalid blob key '{key}'", nameof(key));
        if (InNestedScope(key))
            throw new ArgumentException($"blob key '{key}' lies in a nested scope of {Location} (another store's)", nameof(key));
        return Location.ObjectKey(key);
    }

    bool InNestedScope(string key)
    {
        foreach (var scope in options.NestedScopes)
            if (key.Length > scope.Length && key[scope.Length] == '/' && key.StartsWith(scope, StringComparison.Ordinal))
                return true;
        return false;
    }

    /// <summary>Runs an SDK call to completion from a synchronous member (see the class remarks).</summary>
    static T Sync<T>(Func<Task<T>> call) => Task.Run(call).GetAwaiter().GetResult();

    /// <summary>An SDK failure as an <see cref="IOException"/> naming the operation, bucket and key (the callers' storage-failure path).</summary>
    IOException Failure(string operation, string key, Exception e) =>
        new($"S3 {operation} of {Describe(key)} failed: {Reason(e)}", e);

    static string Reason(Exception e) => e switch
    {
        AmazonS3Exception s3 => $"{(int)s3.StatusCode} {s3.ErrorCode}: {s3.Message}",
        AmazonClientException c when c.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase) =>
            c.Message + " (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)",
        _ => e.Message,
    };

    static bool IsTransportError(Exception e) => e is AmazonServiceException or AmazonClientException or HttpRequestException;

    static bool IsNotFound(Exception e) => e is AmazonS3Exception { StatusCode: HttpStatusCode.NotFound };

    public Stream OpenRead(string key) => Sync(() => OpenAsync(key, 0, null, verify: true, CancellationToken.None));

    public Stream OpenRange(string key, long offset, long length)
    {
        if (offset < 0 || length < 0)
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes {offset}..{offset + length} are outside blob '{Describe(key)}'");
        return Sync(() => OpenAsync(key, offset, length, verify: false, CancellationToken.None));
    }

    /// <summary>
    /// Opens <paramref name="length"/> bytes (to the end when null) from <paramref name="offset"/>: one GET, ranged unless
    /// the whole object is asked for. Throws <see cref="FileNotFoundException"/> when absent and
    /// <see cref="ArgumentOutOfRangeException"/> when the range is outside the object.
    /// </summary>
    async Task<Stream> OpenAsync(string key, long offset, long? length, bool verify, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        if (length == 0)
        {
            // HTTP cannot ask for an empty range: check the bounds with a HEAD.
            var size = await LengthAsync(key, ct) ?? throw new FileNotFoundException($"no blob {Describe(key)}", Describe(key));
            if (offset > size) throw OutOfRange(key, offset, 0, size);
            return new MemoryStream([], writable: false);
        }
        GetObjectResponse response;
        try
        {
            response = await client.GetObjectAsync(GetRequest(objectKey, offset, length, null), ct);
        }
        catch (Exception e) when (IsNotFound(e))
        {
            throw new FileNotFoundException($"no blob {Describe(key)}", Describe(key), e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            throw OutOfRange(key, offset, length ?? 0, GetLength(key) ?? 0);
        }
        catch (Exception e) when (IsTransportError(e))
        {
            throw Failure("GET", key, e);
        }
        var (first, total) = RangeOf(response);
        var window = length ?? total - offset;
        // A server may send more than the range asked for (some answer bytes=0-0 with the rest of the object): the
        // stream stops at the window. It must start where asked, though.
        if (offset + window > total || first != offset || response.ContentLength < window)
        {
            response.Dispose();
            throw OutOfRange(key, offset, window, total);
        }
        var expected = verify && offset == 0 && length is null ? response.Metadata[Sha256Metadata] : null;
        return new S3ObjectStream(this, key, objectKey, response, offset, window, string.IsNullOrEmpty(expected) ? null : expected);
    }

    ArgumentOutOfRangeException OutOfRange(string key, long offset, long length, long size) =>
        new("offset", $"bytes {offset}..{offset + length} are outside blob '{Describe(key)}' ({size} bytes)");

    /// <summary>Where the body starts and the object's whole length: from Content-Range (<c>bytes a-b/total</c>) on a ranged answer, else 0 and Content-Length.</summary>
    internal static (long First, long Total) RangeOf(GetObjectResponse response)
    {
        var range = response.ContentRange;
        if (string.IsNullOrEmpty(range)) return (0, response.ContentLength);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var space = range.IndexOf(' ', StringComparison.Ordinal);
        var dash = range.IndexOf('-', StringComparison.Ordinal);
        var slash = range.LastIndexOf('/');
        if (space < 0 || dash < space || slash < dash
            || !long.TryParse(range.AsSpan(space + 1, dash - space - 1), System.Globalization.NumberStyles.None, inv, out var first)
            || !long.TryParse(range.AsSpan(slash + 1), System.Globalization.NumberStyles.None, inv, out var total))
            throw new IOException($"unreadable Content-Range '{range}' from the S3 server");
        return (first, total);
    }

    internal GetObjectRequest GetRequest(string objectKey, long offset, long? length, string? etag)
    {
        var request = new GetObjectRequest { BucketName = Bucket, Key = objectKey, EtagToMatch = etag };
        if (offset > 0 || length is not null) request.ByteRange = new ByteRange(offset, length is { } l ? offset + l - 1 : long.MaxValue);
        return request;
    }

    /// <summary>Re-opens an object from <paramref name="offset"/> for <see cref="S3ObjectStream"/> after a seek; the same version only (If-Match).</summary>
    internal async Task<GetObjectResponse> ReopenAsync(string key, string objectKey, long offset, long length, string? etag, CancellationToken ct)
    {
        GetObjectResponse response;
        try
        {
            response = await client.GetObjectAsync(GetRequest(objectKey, offset, length, etag), ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new IOException($"blob {Describe(key)} was replaced while it was being read", e);
        }
        catch (Exception e) when (IsTransportError(e))
        {
            throw Failure("GET", key, e);
        }
        if (RangeOf(response).First != offset || response.ContentLength < length)
        {
            response.Dispose();
            throw new IOException($"the S3 server answered a read of {Describe(key)} from byte {offset} with other bytes ({response.ContentRange})");
        }
        return response;
    }

    public bool Exists(string key) => GetLength(key) is not null;

    public long? GetLength(string key) => Sync(() => LengthAsync(key, CancellationToken.None));

    async Task<long?> LengthAsync(string key, CancellationToken ct) => (await HeadAsync(key, ct))?.ContentLength;

    /// <summary>The object's HEAD, or null when it is absent.</summary>
    async Task<GetObjectMetadataResponse?> HeadAsync(string key, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        try
        {
            return await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = objectKey }, ct);
        }
        catch (Exception e) when (IsNotFound(e))
        {
            return null;
        }
        catch (Exception e) when (IsTransportError(e))
        {
            throw Failure("HEAD", key, e);
        }
    }

    /// <summary>The SHA-256 recorded for a blob (its <c>x-amz-meta-sha256</c>), or null when absent or not recorded.</summary>
    public string? RecordedSha256(string key) =>
        Sync(() => HeadAsync(key, CancellationToken.None)) is { } head && head.Metadata[Sha256Metadata] is { Length: > 0 } sha ? sha : null;

    /// <summary>Only once the object is older than <see cref="S3BlobStoreOptions.IncompleteWriteAge"/>: other nodes share the bucket.</summary>
    public bool MayRecover(string key) =>
        Sync(() => HeadAsync(key, CancellationToken.None)) is not { } head
        || (head.LastModified is { } modified && modified.ToUniversalTime() <= DateTime.UtcNow - options.IncompleteWriteAge);

    public bool Delete(string key) => Sync(async () =>
    {
        if (await HeadAsync(key, CancellationToken.None) is null) return false;
        try
        {
            await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = ObjectKey(key) });
            return true;
        }
        catch (Exception e) when (IsTransportError(e))
        {
            throw Failure("DELETE", key, e);
        }
    });

    /// <summary>Every object under the prefix (ListObjectsV2, page by page), but those of nested scopes, in key order.</summary>
    public IEnumerable<BlobInfo> Enumerate()
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = Location.KeyPrefix };
        var keyPrefix = Location.KeyPrefix;
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = Sync(() => client.ListObjectsV2Async(request));
            }
            catch (Exception e) when (IsTransportError(e))
            {
                throw new IOException($"S3 LIST of {Location} failed: {Reason(e)}", e);
            }
            foreach (var o in page.S3Objects ?? [])
            {
                var key = o.Key[keyPrefix.Length..];
                if (key.Length == 0 || key.EndsWith('/') || InNestedScope(key)) continue;
                yield return new BlobInfo(key, o.Size ?? 0);
            }
            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken)) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }
}
