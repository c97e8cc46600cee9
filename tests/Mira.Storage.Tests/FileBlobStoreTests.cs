using Mira.Storage.Blobs;

namespace Mira.Storage.Tests;

public sealed class FileBlobStoreTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "mira-blobs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Group_write_stores_every_good_blob_and_reports_each_failure_leaving_no_temporary_file(bool syncFs)
    {
        var store = new FileBlobStore(root) { WriteParallelism = 4, UseSyncFs = syncFs && OperatingSystem.IsLinux() };
        var writes = Enumerable.Range(0, 40)
            .Select(i => new BlobWrite(FileBlobStore.KeyFor($"1.2.3.{i}", new string('a', 64)), Enumerable.Repeat((byte)i, 1000 + i).ToArray()))
            .Append(new BlobWrite("../escape.dcm", new byte[] { 1 }))
            .ToList();
        var errors = await store.WriteManyAsync(writes);

        Assert.Equal(writes.Count, errors.Length);
        Assert.All(errors.Take(40), e => Assert.Null(e));
        Assert.IsType<ArgumentException>(errors[40]);
        for (var i = 0; i < 40; i++)
        {
            using var s = store.OpenRead(writes[i].Key);
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            Assert.Equal(writes[i].Data.ToArray(), ms.ToArray());
        }
        Assert.Equal(40, store.Enumerate().Count());
        Assert.Equal(0, store.RemoveIncompleteWrites());
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(root)!, "escape.dcm")));
    }

    [Fact]
    public async Task A_staged_file_is_adopted_by_rename_and_staging_left_by_a_crash_is_removed_at_start()
    {
        var store = new FileBlobStore(root);
        var staged = store.NewStagingFile();
        await File.WriteAllBytesAsync(staged, [9, 8, 7]);
        Assert.Empty(store.Enumerate()); // a staged file is not a blob
        await store.AdoptAsync("ab/cd/slide.dcm", staged);
        Assert.False(File.Exists(staged));
        Assert.Equal(3, store.GetLength("ab/cd/slide.dcm"));

        // What a crash leaves: a staged file and an upload's staging folder.
        await File.WriteAllBytesAsync(store.NewStagingFile(), [1]);
        var folder = store.NewStagingFolder();
        await File.WriteAllBytesAsync(Path.Combine(folder, "fundus.jpg"), [2]);
        Assert.Equal(2, store.RemoveIncompleteWrites());
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.TemporaryFolder));
        Assert.Single(store.Enumerate());
    }

    [Fact]
    public async Task Rewriting_a_key_replaces_the_blob_atomically()
    {
        var store = new FileBlobStore(root);
        await store.WriteAsync("ab/cd/x.dcm", new byte[] { 1, 2, 3 });
        await store.WriteAsync("ab/cd/x.dcm", new byte[] { 4, 5 });
        Assert.Equal(2, store.GetLength("ab/cd/x.dcm"));
        Assert.Single(store.Enumerate());
    }

    [Fact]
    public async Task A_stream_is_written_in_constant_memory_with_its_length_and_hash_and_read_back_by_range()
    {
        var store = new FileBlobStore(root);
        var bytes = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        var key = BlobKeys.For("models", "lung-seg", "1.2.0", "model.onnx");
        var (length, sha) = await store.WriteAsync(key, new MemoryStream(bytes), maxBytes: 1 << 20);
        Assert.Equal((300_000L, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))), (length, sha));
        Assert.Equal("models/lung-seg/1.2.0/model.onnx", key);

        await using var range = store.OpenRange(key, 100_000, 5000);
        var read = new byte[6000];
        var n = await range.ReadAtLeastAsync(read, 6000, throwOnEndOfStream: false);
        Assert.Equal(5000, n);
        Assert.Equal(bytes.AsSpan(100_000, 5000).ToArray(), read[..5000]);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.OpenRange(key, 299_000, 2000));
        Assert.Equal(0, store.RemoveIncompleteWrites());
    }

    [Fact]
    public async Task A_stream_over_the_limit_is_refused_and_leaves_nothing()
    {
        var store = new FileBlobStore(root);
        var key = BlobKeys.For("reports", "eval-1", "report.pdf");
        await Assert.ThrowsAsync<InvalidDataException>(() => store.WriteAsync(key, new MemoryStream(new byte[5000]), maxBytes: 4096));
        Assert.False(store.Exists(key));
        Assert.Empty(Directory.EnumerateFiles(store.TemporaryFolder));
    }

    [Theory]
    [InlineData("Models", "x")]
    [InlineData("models", "..")]
    [InlineData("models", "a/b")]
    [InlineData("m", "x")]
    public void Keys_outside_the_instance_layout_are_plain_names(string area, string segment) =>
        Assert.Throws<ArgumentException>(() => BlobKeys.For(area, segment));

    [Fact]
    public async Task Archive_verification_judges_only_instance_blobs()
    {
        var store = new FileBlobStore(root);
        await store.WriteAsync(BlobKeys.For("models", "m", "model.onnx"), new MemoryStream([1, 2, 3]), 100);
        Assert.True(FileBlobStore.IsInstanceKey(FileBlobStore.KeyFor("1.2.3", new string('a', 64))));
        Assert.False(FileBlobStore.IsInstanceKey("models/m/model.onnx"));
        var index = await Mira.Storage.Index.SqlIndexStore.OpenAsync(StorageDatabase.Sqlite(Path.Combine(root, "index.db")));
        var report = await new Mira.Storage.Verify.ArchiveVerifier(index, store).VerifyAsync(repair: true);
        Assert.True(report.IsConsistent);
        Assert.True(store.Exists("models/m/model.onnx"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void A_group_commit_covers_a_folder_on_the_same_file_system_only_when_it_syncs_the_whole_file_system()
    {
        var beside = Path.Combine(root, "..", Path.GetFileName(root) + "-journal");
        Directory.CreateDirectory(beside);
        try
        {
            Assert.Equal(OperatingSystem.IsLinux(), new FileBlobStore(root).GroupCommitCovers(beside));
            Assert.False(new FileBlobStore(root) { UseSyncFs = false }.GroupCommitCovers(beside));
            if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self"))
                Assert.False(new FileBlobStore(root).GroupCommitCovers("/proc/self")); // another file system (procfs)
        }
        finally
        {
            Directory.Delete(beside);
        }
    }
}
