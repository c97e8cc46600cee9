using System.Security.Cryptography;
using Amazon.S3.Model;
using Mira.Storage.Blobs;

namespace Mira.Storage.Tests.Blobs;

/// <summary>The S3 blob store against a real S3 protocol server (s3rver): the behaviours of <see cref="FileBlobStore"/> where they apply.</summary>
public sealed class S3BlobStoreTests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>
{
    static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    static byte[] ReadAll(Stream s)
    {
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    [Fact]
    public async Task Group_write_stores_every_good_blob_and_reports_each_failure()
    {
        var store = s3.NewStore(new S3BlobStoreOptions { WriteParallelism = 4 });
        var writes = Enumerable.Range(0, 40)
            .Select(i => new BlobWrite(FileBlobStore.KeyFor($"1.2.3.{i}", new string('a', 64)), Bytes(1000 + i, i)))
            .Append(new BlobWrite("../escape.dcm", new byte[] { 1 }))
            .ToList();
        var errors = await store.WriteManyAsync(writes);

        Assert.Equal(writes.Count, errors.Length);
        Assert.All(errors.Take(40), e => Assert.Null(e));
        Assert.IsType<ArgumentException>(errors[40]);
        for (var i = 0; i < 40; i++)
        {
            await using var s = store.OpenRead(writes[i].Key);
            Assert.Equal(writes[i].Data.ToArray(), ReadAll(s));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(writes[i].Data.Span)), store.RecordedSha256(writes[i].Key));
        }
        Assert.Equal(writes.Take(40).Select(w => w.Key).Order(StringComparer.Ordinal), store.Enumerate().Select(b => b.Key));
        Assert.Equal(writes.Take(40).Sum(w => (long)w.Data.Length), store.Enumerate().Sum(b => b.Length));
    }

    [Fact]
    public async Task Rewriting_a_key_replaces_the_blob_and_delete_reports_absence()
    {
        var store = s3.NewStore();
        await store.WriteAsync("ab/cd/x.dcm", new byte[] { 1, 2, 3 });
        await store.WriteAsync("ab/cd/x.dcm", new byte[] { 4, 5 });
        Assert.Equal([4, 5], ReadAll(store.OpenRead("ab/cd/x.dcm")));
        Assert.Equal(2, store.GetLength("ab/cd/x.dcm"));
        Assert.True(store.Exists("ab/cd/x.dcm"));
        Assert.True(store.Delete("ab/cd/x.dcm"));
        Assert.False(store.Delete("ab/cd/x.dcm"));
        Assert.False(store.Exists("ab/cd/x.dcm"));
        Assert.Null(store.GetLength("ab/cd/x.dcm"));
        var missing = Assert.Throws<FileNotFoundException>(() => store.OpenRead("ab/cd/x.dcm"));
        Assert.Contains($"s3://{s3.Server.Bucket}/", missing.Message);
    }

    [Fact]
    public async Task A_40_MB_stream_goes_up_in_parts_and_reads_back_whole_and_by_ranges_byte_identical()
    {
        var store = s3.NewStore();
        var data = Bytes(40_000_000, 7);
        // A non-seekable source: the store cannot know the length in advance.
        await using var source = new NonSeekable(new MemoryStream(data));
        var (length, sha) = await store.WriteAsync("slides/s1/level0.dcm", source, maxBytes: 50_000_000);

        Assert.Equal(data.Length, length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), sha);
        Assert.Equal(sha, store.RecordedSha256("slides/s1/level0.dcm")); // recorded when the multipart upload began
        Assert.Equal(data.Length, store.GetLength("slides/s1/level0.dcm"));
        await using (var whole = store.OpenRead("slides/s1/level0.dcm"))
        {
            Assert.Equal(data.Length, whole.Length);
            Assert.True(data.AsSpan().SequenceEqual(ReadAll(whole)));
        }
        foreach (var (offset, count) in new[] { (0L, 1), (8L << 20, 4096), ((8L << 20) - 10, 20), (data.Length - 100L, 100), (123_456L, 3_000_000) })
        {
            await using var range = store.OpenRange("slides/s1/level0.dcm", offset, count);
            Assert.Equal(count, range.Length);
            Assert.True(data.AsSpan((int)offset, count).SequenceEqual(ReadAll(range)), $"range {offset}+{count}");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => store.OpenRange("slides/s1/level0.dcm", data.Length - 10, 11));
    }

    [Fact]
    public async Task A_read_stream_seeks_by_ranged_reads_like_a_file()
    {
        var store = s3.NewStore();
        var data = Bytes(3_000_000, 11);
        await store.WriteAsync("k/seek.bin", data);
        await using var s = store.OpenRead("k/seek.bin");
        var buffer = new byte[1000];
        s.Seek(2_000_000, SeekOrigin.Begin);
        s.ReadExactly(buffer);
        Assert.True(data.AsSpan(2_000_000, 1000).SequenceEqual(buffer));
        s.Seek(10, SeekOrigin.Begin); // backwards: a new ranged GET
        s.ReadExactly(buffer);
        Assert.True(data.AsSpan(10, 1000).SequenceEqual(buffer));
        s.Seek(5000, SeekOrigin.Current); // a short skip forward: read through
        s.ReadExactly(buffer);
        Assert.True(data.AsSpan(6010, 1000).SequenceEqual(buffer));
    }

    [Fact]
    public async Task A_stream_over_the_limit_is_refused_and_leaves_no_object_and_no_upload()
    {
        var store = s3.NewStore();
        // Over the limit within the first part, and in the third part of a multipart upload.
        await Assert.ThrowsAsync<InvalidDataException>(() => store.WriteAsync("a/small.bin", new MemoryStream(Bytes(2000, 1)), maxBytes: 1999));
        var big = await Assert.ThrowsAsync<InvalidDataException>(() => store.WriteAsync("a/big.bin", new NonSeekable(new MemoryStream(Bytes(20_000_000, 2))), maxBytes: 18_000_000));
        Assert.Contains("a/big.bin", big.Message);
        Assert.Empty(store.Enumerate());
        Assert.False(store.Exists("a/big.bin"));
        // The aborted upload is gone too: its parts cannot be completed into an object.
        Assert.DoesNotContain(Directory.EnumerateFiles(s3.Server.Folder, "*", SearchOption.AllDirectories),
            f => f.Contains(store.Location.Prefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_object_corrupted_at_rest_is_detected_when_read_whole()
    {
        var store = s3.NewStore();
        var data = Bytes(100_000, 3);
        await store.WriteAsync("ab/cd/corrupt.dcm", data);
        var file = s3.Server.ObjectFile(s3.Server.Bucket, store.Location.ObjectKey("ab/cd/corrupt.dcm"));
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[50_000] ^= 0xFF; // one flipped byte, same length: a size check passes
        await File.WriteAllBytesAsync(file, bytes);

        await using var s = store.OpenRead("ab/cd/corrupt.dcm");
        var e = Assert.Throws<InvalidDataException>(() => ReadAll(s));
        Assert.Contains($"s3://{s3.Server.Bucket}/{store.Location.Prefix}/ab/cd/corrupt.dcm", e.Message);
        // A range is not hashed (it is not the whole object), and reads the stored bytes.
        await using var range = store.OpenRange("ab/cd/corrupt.dcm", 49_990, 20);
        Assert.Equal(bytes.AsSpan(49_990, 20).ToArray(), ReadAll(range));
    }

    [Fact]
    public async Task Two_prefixes_do_not_see_each_others_keys_and_the_intake_leaves_project_scopes_alone()
    {
        var prefix = "iso-" + Guid.NewGuid().ToString("N");
        var intake = s3.NewStore(new S3BlobStoreOptions { NestedScopes = ["projects"] }, prefix);
        var project = new S3BlobStore(s3.Client, intake.Location.Scope("projects", "p1"));
        var other = s3.NewStore(prefix: prefix + "-other");
        await intake.WriteAsync("ab/cd/i.dcm", new byte[] { 1 });
        await project.WriteAsync("ab/cd/p.dcm", new byte[] { 2, 2 });
        await other.WriteAsync("ab/cd/o.dcm", new byte[] { 3, 3, 3 });

        Assert.Equal(["ab/cd/i.dcm"], intake.Enumerate().Select(b => b.Key));
        Assert.Equal(["ab/cd/p.dcm"], project.Enumerate().Select(b => b.Key));
        Assert.Equal(["ab/cd/o.dcm"], other.Enumerate().Select(b => b.Key));
        Assert.False(intake.Exists("ab/cd/p.dcm"));
        Assert.Throws<ArgumentException>(() => intake.Exists("projects/p1/ab/cd/p.dcm"));
        Assert.Equal($"s3://{s3.Server.Bucket}/{prefix}/projects/p1", project.Location.ToString());
    }

    [Fact]
    public async Task Removing_incomplete_writes_leaves_a_fresh_upload_alone_and_old_staging_files_go()
    {
        var staging = Directory.CreateTempSubdirectory("mira-s3-staging-test-").FullName;
        try
        {
            var store = s3.NewStore(new S3BlobStoreOptions { StagingFolder = staging });
            var objectKey = store.Location.ObjectKey("up/fresh.bin");
            // Another node's upload in progress.
            var upload = await s3.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = store.Bucket, Key = objectKey });
            var part = await s3.Client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = store.Bucket, Key = objectKey, UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(Bytes(1000, 5)), UseChunkEncoding = false,
            });
            var old = store.NewStagingFile();
            await File.WriteAllBytesAsync(old, [1]);
            File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-2));
            var fresh = store.NewStagingFile();
            await File.WriteAllBytesAsync(fresh, [2]);

            Assert.Equal(1, store.RemoveIncompleteWrites());
            Assert.False(File.Exists(old));
            Assert.True(File.Exists(fresh));
            await s3.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = store.Bucket, Key = objectKey, UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)],
            });
            Assert.Equal(1000, store.GetLength("up/fresh.bin"));

            await store.AdoptAsync("up/adopted.bin", fresh);
            Assert.False(File.Exists(fresh));
            Assert.Equal([2], ReadAll(store.OpenRead("up/adopted.bin")));
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    [Fact]
    public async Task A_server_that_refuses_is_reported_with_bucket_and_key()
    {
        var store = new S3BlobStore(s3.Client, S3BlobLocation.Parse("s3://no-such-bucket-here/x"));
        var e = await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("ab/k.bin", new byte[] { 1 }));
        Assert.Contains("s3://no-such-bucket-here/x/ab/k.bin", e.Message);
        Assert.Contains("NoSuchBucket", e.Message);
    }

    [Theory]
    [InlineData("s3://Upper/x", "bucket name")]
    [InlineData("s3://ab", "bucket name")]
    [InlineData("s3://bucket/a/../b", "prefix segment")]
    [InlineData("s3://bucket//b", "prefix segment")]
    [InlineData("/data/blobs", "not an S3 location")]
    public void Bad_locations_are_refused_naming_what_is_wrong(string value, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => S3BlobLocation.Parse(value)).Message);

    [Fact]
    public void Locations_parse_into_bucket_and_prefix_and_scope_further()
    {
        var l = S3BlobLocation.Parse("s3://mira-archive/site-a/");
        Assert.Equal(("mira-archive", "site-a"), (l.Bucket, l.Prefix));
        Assert.Equal("site-a/projects/p7/ab/k.dcm", l.Scope("projects", "p7").ObjectKey("ab/k.dcm"));
        Assert.Equal("ab/k.dcm", S3BlobLocation.Parse("s3://mira-archive").ObjectKey("ab/k.dcm"));
    }

    /// <summary>A stream that cannot seek (a request body).</summary>
    sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
