using System.Security.Cryptography;
using Amazon.S3.Model;

namespace Mira.Storage.Blobs;

/// <summary>
/// A window of an S3 object (the whole object, or a frame's or tile's range) read from a GET's response stream. It
/// seeks: a short skip forward is read and dropped, anything else re-opens the object from the new position with a
/// ranged GET, conditional on the same version (If-Match of the first ETag), so a reader never mixes two versions.
/// When the whole object is read front to back and the object recorded its SHA-256, the bytes are hashed on the way and
/// the end of the stream throws <see cref="InvalidDataException"/> naming the object when they differ: corruption
/// at rest or in transit is never handed on as data.
/// </summary>
sealed class S3ObjectStream : Stream
{
    /// <summary>Skips up to this far forward are read through rather than re-opened.</summary>
    const long SkipByReading = 256 * 1024;

    readonly S3BlobStore store;
    readonly string key;
    readonly string objectKey;
    readonly long start;
    readonly string? etag;
    readonly string? expectedSha256;
    IncrementalHash? sha;
    GetObjectResponse? response;
    Stream? body;
    long bodyPosition;
    long position;
    bool verified;

    public S3ObjectStream(S3BlobStore store, string key, string objectKey, GetObjectResponse response, long start, long length, string? expectedSha256)
    {
        this.store = store;
        this.key = key;
        this.objectKey = objectKey;
        this.response = response;
        this.start = start;
        Length = length;
        etag = response.ETag;
        body = response.ResponseStream;
        this.expectedSha256 = expectedSha256;
        if (expectedSha256 is not null) sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }

    public override long Length { get; }
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;

    public override long Position
    {
        get => position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => position + offset, _ => Length + offset };
        if (target < 0) throw new ArgumentOutOfRangeException(nameof(offset), $"position {target} is before the start of blob '{store.Describe(key)}'");
        if (target != position) StopVerifying(); // only a front-to-back read is hashed
        return position = target;
    }

    void StopVerifying()
    {
        sha?.Dispose();
        sha = null;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!Positioned()) Task.Run(() => RepositionAsync(CancellationToken.None)).GetAwaiter().GetResult(); // see S3BlobStore's remarks
        var wanted = (int)Math.Min(buffer.Length, Math.Max(0, Length - position));
        var n = wanted == 0 ? 0 : body!.Read(buffer[..wanted]);
        return Advanced(buffer[..n], wanted);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (!Positioned()) await RepositionAsync(ct);
        var wanted = (int)Math.Min(buffer.Length, Math.Max(0, Length - position));
        var n = wanted == 0 ? 0 : await body!.ReadAsync(buffer[..wanted], ct);
        return Advanced(buffer.Span[..n], wanted);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    bool Positioned() => position >= Length || (body is not null && bodyPosition == position);

    /// <summary>Brings the response stream to <see cref="position"/>: reads a short gap through, else a new ranged GET.</summary>
    async Task RepositionAsync(CancellationToken ct)
    {
        var gap = position - bodyPosition;
        if (body is not null && gap > 0 && gap <= SkipByReading)
        {
            var scratch = new byte[(int)gap];
            await body.ReadExactlyAsync(scratch, ct);
            bodyPosition = position;
            return;
        }
        CloseBody();
        response = await store.ReopenAsync(key, objectKey, start + position, Length - position, etag, ct);
        body = response.ResponseStream;
        bodyPosition = position;
    }

    int Advanced(ReadOnlySpan<byte> read, int wanted)
    {
        if (read.Length == 0 && wanted > 0)
            throw new IOException($"blob {store.Describe(key)} ended after {position} of {Length} bytes");
        position += read.Length;
        bodyPosition = position;
        if (sha is not null)
        {
            sha.AppendData(read);
            if (position == Length && !verified)
            {
                verified = true;
                var actual = Convert.ToHexStringLower(sha.GetHashAndReset());
                if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException($"blob {store.Describe(key)} is corrupt: its bytes hash to SHA-256 {actual}, recorded {expectedSha256}");
            }
        }
        return read.Length;
    }

    void CloseBody()
    {
        try
        {
            body?.Dispose();
            response?.Dispose();
        }
        catch (Amazon.Runtime.AmazonClientException)
        {
            // The SDK compares a whole object's MD5 with its ETag when its stream closes; a mismatch was already thrown
            // by the SHA-256 check at the end of the read, and a dispose must not throw.
        }
        body = null;
        response = null;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseBody();
            StopVerifying();
        }
        base.Dispose(disposing);
    }
}
