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
    public async Task Rewriting_a_key_replaces_the_blob_atomically()
    {
        var store = new FileBlobStore(root);
        await store.WriteAsync("ab/cd/x.dcm", new byte[] { 1, 2, 3 });
        await store.WriteAsync("ab/cd/x.dcm", new byte[] { 4, 5 });
        Assert.Equal(2, store.GetLength("ab/cd/x.dcm"));
        Assert.Single(store.Enumerate());
    }
}
