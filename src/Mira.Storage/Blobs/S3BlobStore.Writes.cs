using System.Buffers;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace Mira.Storage.Blobs;

public sealed partial class S3BlobStore
{
    public async Task WriteAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        if ((await WriteManyAsync([new BlobWrite(key, data)], ct))[0] is { } error)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>
    /// One PUT per blob (a multipart upload above <see cref="S3BlobStoreOptions.PartSize"/>),
    /// <see cref="S3BlobStoreOptions.WriteParallelism"/> at once; a write is reported durable when the server has
    /// answered its PUT. A failed PUT leaves nothing: S3 stores an object whole or not at all.
    /// </summary>
    public async Task<Exception?[]> WriteManyAsync(IReadOnlyList<BlobWrite> writes, CancellationToken ct = default)
    {
        var errors = new Exception?[writes.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, writes.Count), new ParallelOptions { MaxDegreeOfParallelism = options.WriteParallelism, CancellationToken = ct },
            async (i, token) =>
            {
                try
                {
                    var data = writes[i].Data;
                    if (data.Length <= options.PartSize) await PutAsync(writes[i].Key, data, SHA256.HashData(data.Span), token);
                    else
                    {
                        await using var stream = AsStream(data);
                        await WriteAsync(writes[i].Key, stream, long.MaxValue, token);
                    }
                }
                catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException)
                {
                    errors[i] = e;
                }
                catch (OperationCanceledException e) when (!token.IsCancellationRequested)
                {
                    errors[i] = new IOException($"S3 PUT of {Describe(writes[i].Key)} timed out", e); // the SDK's own timeout
                }
            });
        return errors;
    }

    static MemoryStream AsStream(ReadOnlyMemory<byte> data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);

    /// <summary>
    /// Writes a stream as one object: what fits in one part is one PUT; more becomes a multipart upload, one part in
    /// memory at a time, completed only when every part is stored. The SHA-256 is known before the upload begins (S3
    /// takes metadata only then), so the object appears complete with its recorded hash or not at all: a seekable
    /// stream is hashed in a first pass and re-read (and re-hashed: it must not have changed), any other stream is
    /// first copied to a node-local staging file while it is hashed. Over <paramref name="maxBytes"/> nothing is sent,
    /// or the upload is aborted: nothing is left.
    /// </summary>
    public async Task<(long Length, string Sha256)> WriteAsync(string key, Stream data, long maxBytes, CancellationToken ct = default)
    {
        var objectKey = ObjectKey(key);
        if (!data.CanSeek)
        {
            var spool = NewStagingFile();
            try
            {
                await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    await CopyLimitedAsync(key, data, file, maxBytes, ct);
                await using var staged = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                return await WriteSeekableAsync(key, objectKey, staged, maxBytes, ct);
            }
            finally
            {
                File.Delete(spool);
            }
        }
        return await WriteSeekableAsync(key, objectKey, data, maxBytes, ct);
    }

    async Task<(long Length, string Sha256)> WriteSeekableAsync(string key, string objectKey, Stream data, long maxBytes, CancellationToken ct)
    {
        var start = data.Position;
        var (length, sha256) = await HashAsync(key, data, maxBytes, ct);
        data.Position = start;
        var partSize = (int)options.PartSize;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(partSize, Math.Max(1, length)));
        try
        {
            if (length <= partSize)
            {
                var n = await FillAsync(data, buffer, (int)length, ct);
                if (n != length || !SHA256.HashData(buffer.AsSpan(0, n)).AsSpan().SequenceEqual(sha256)) throw Changed(key);
                await PutAsync(key, buffer.AsMemory(0, n), sha256, ct);
            }
            else await MultipartAsync(key, objectKey, data, length, sha256, buffer, ct);
            return (length, Convert.ToHexStringLower(sha256));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    IOException Changed(string key) => new($"the source of blob {Describe(key)} changed while it was being uploaded; nothing was stored");

    async Task MultipartAsync(string key, string objectKey, Stream data, long length, byte[] sha256, byte[] buffer, CancellationToken ct)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = objectKey };
        initiate.Metadata.Add(Sha256Metadata, Convert.ToHexStringLower(sha256));
        var uploadId = (await SendAsync("multipart upload start", key, () => client.InitiateMultipartUploadAsync(initiate, ct))).UploadId;
        var completed = false;
        try
        {
            using var resent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var parts = new List<PartETag>();
            long sent = 0;
            while (sent < length)
            {
                var n = await FillAsync(data, buffer, (int)Math.Min(options.PartSize, length - sent), ct);
                if (n == 0) throw Changed(key);
                resent.AppendData(buffer, 0, n);
                var response = await SendAsync("part upload", key, () => client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket, Key = objectKey, UploadId = uploadId, PartNumber = parts.Count + 1,
                    InputStream = new MemoryStream(buffer, 0, n, writable: false), PartSize = n,
                    MD5Digest = Convert.ToBase64String(MD5.HashData(buffer.AsSpan(0, n))), UseChunkEncoding = false,
                }, ct));
                parts.Add(new PartETag(parts.Count + 1, response.ETag));
                sent += n;
            }
            if (!resent.GetHashAndReset().AsSpan().SequenceEqual(sha256)) throw Changed(key);
            await SendAsync("multipart upload completion", key, () => client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Bucket, Key = objectKey, UploadId = uploadId, PartETags = parts,
            }, ct));
            completed = true;
        }
        finally
        {
            if (!completed) await AbortAsync(objectKey, uploadId);
        }
    }

    /// <summary>Hashes a stream to its end; throws when it is longer than <paramref name="maxBytes"/>.</summary>
    async Task<(long Length, byte[] Sha256)> HashAsync(string key, Stream data, long maxBytes, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long length = 0;
            int n;
            while ((n = await data.ReadAsync(buffer, ct)) > 0)
            {
                length += n;
                if (length > maxBytes) throw TooLarge(key, maxBytes);
                sha.AppendData(buffer, 0, n);
            }
            return (length, sha.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    async Task CopyLimitedAsync(string key, Stream from, Stream to, long maxBytes, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long length = 0;
            int n;
            while ((n = await from.ReadAsync(buffer, ct)) > 0)
            {
                length += n;
                if (length > maxBytes) throw TooLarge(key, maxBytes);
                await to.WriteAsync(buffer.AsMemory(0, n), ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    async Task AbortAsync(string objectKey, string uploadId)
    {
        try
        {
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = objectKey, UploadId = uploadId }, CancellationToken.None);
        }
        catch (Exception e) when (IsTransportError(e))
        {
            // Left to RemoveIncompleteWrites (or the bucket's lifecycle rule): an unfinished upload is never a visible object.
        }
    }

    /// <summary>One PUT with its Content-MD5 (the server refuses bytes that differ) and its SHA-256 as metadata.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> data, byte[] sha256, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        var request = new PutObjectRequest
        {
            BucketName = Bucket, Key = objectKey, InputStream = AsStream(data), AutoCloseStream = true,
            MD5Digest = Convert.ToBase64String(MD5.HashData(data.Span)), UseChunkEncoding = false,
        };
        request.Metadata.Add(Sha256Metadata, Convert.ToHexStringLower(sha256));
        return SendAsync("PUT", key, () => client.PutObjectAsync(request, ct));
    }

    async Task<T> SendAsync<T>(string operation, string key, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (IsTransportError(e))
        {
            throw Failure(operation, key, e);
        }
    }

    InvalidDataException TooLarge(string key, long maxBytes) => new($"blob '{Describe(key)}' is larger than {maxBytes} bytes");

    /// <summary>Reads until <paramref name="count"/> bytes or the end of the stream; returns how many.</summary>
    static async Task<int> FillAsync(Stream data, byte[] buffer, int count, CancellationToken ct)
    {
        var total = 0;
        while (total < count)
        {
            var n = await data.ReadAsync(buffer.AsMemory(total, count - total), ct);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>A file in the node-local staging folder, uploaded by <see cref="AdoptAsync"/>.</summary>
    public string NewStagingFile()
    {
        Directory.CreateDirectory(stagingFolder);
        return Path.Combine(stagingFolder, FileBlobStore.TemporaryPrefix + Guid.NewGuid().ToString("N"));
    }

    public string NewStagingFolder() => Directory.CreateDirectory(NewStagingFile()).FullName;

    /// <summary>Uploads the staged file (multipart when large) and deletes it, whether the upload succeeds or not.</summary>
    public async Task AdoptAsync(string key, string stagedFile, CancellationToken ct = default)
    {
        try
        {
            await using var staged = new FileStream(stagedFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await WriteAsync(key, staged, long.MaxValue, ct);
        }
        finally
        {
            File.Delete(stagedFile);
        }
    }

    /// <summary>
    /// Aborts the multipart uploads under this scope (not its nested scopes) begun more than
    /// <see cref="S3BlobStoreOptions.IncompleteWriteAge"/> ago, and removes staging files as old. A server that cannot
    /// list uploads (NotImplemented) is left to its own expiry (a bucket lifecycle rule, see docs/object-storage.md).
    /// <paramref name="wholeTree"/> changes nothing: S3 has no temporary objects outside multipart uploads.
    /// </summary>
    public int RemoveIncompleteWrites(bool wholeTree = false)
    {
        var cutoff = DateTime.UtcNow - options.IncompleteWriteAge;
        return RemoveStagingFiles(cutoff) + Sync(() => AbortStaleUploadsAsync(cutoff));
    }

    async Task<int> AbortStaleUploadsAsync(DateTime cutoff)
    {
        var n = 0;
        var request = new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = Location.KeyPrefix };
        while (true)
        {
            ListMultipartUploadsResponse page;
            try
            {
                page = await client.ListMultipartUploadsAsync(request);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotImplemented || e.ErrorCode == "NotImplemented")
            {
                return n;
            }
            catch (Exception e) when (IsTransportError(e))
            {
                throw new IOException($"S3 listing of the multipart uploads of {Location} failed: {Reason(e)}", e);
            }
            foreach (var upload in page.MultipartUploads ?? [])
            {
                if (upload.Initiated is not { } initiated || initiated.ToUniversalTime() > cutoff) continue;
                if (InNestedScope(upload.Key[Location.KeyPrefix.Length..])) continue;
                await AbortAsync(upload.Key, upload.UploadId);
                n++;
            }
            if (page.IsTruncated != true) return n;
            request.KeyMarker = page.NextKeyMarker;
            request.UploadIdMarker = page.NextUploadIdMarker;
        }
    }

    int RemoveStagingFiles(DateTime cutoff)
    {
        if (!Directory.Exists(stagingFolder)) return 0;
        var n = 0;
        foreach (var entry in new DirectoryInfo(stagingFolder).EnumerateFileSystemInfos(FileBlobStore.TemporaryPrefix + "*"))
        {
            if (entry.LastWriteTimeUtc > cutoff) continue;
            try
            {
                if (entry is DirectoryInfo dir) dir.Delete(recursive: true);
                else entry.Delete();
                n++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return n;
    }
}
