using Mira.Deid;
using Mira.Platform.Demo;
using Mira.Platform.Intake;
using Mira.Storage.Blobs;
using Mira.Storage.Verify;
using Mira.Testing;

namespace Mira.Platform.Tests.Storage;

/// <summary>
/// The platform on SQLite with its blobs in S3 (a real S3 protocol server, s3rver): ingest, read back, verification,
/// crash recovery and a project's copy, each in its own scope of the bucket.
/// </summary>
public sealed class S3PlatformTests : IAsyncLifetime
{
    readonly string folder = Directory.CreateTempSubdirectory("mira-s3-platform-").FullName;
    S3Server server = null!;
    readonly Dictionary<string, string?> saved = [];

    public async Task InitializeAsync()
    {
        server = await S3Server.StartAsync();
        // The SDK's default credential chain reads these, as a deployment's would.
        foreach (var (name, value) in server.Environment)
        {
            saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        await server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    PlatformOptions Options(bool recover = false, TimeSpan? incompleteWriteAge = null)
    {
        var blobs = BlobStorageOptions.Parse($"s3://{server.Bucket}/site-a", server.Endpoint.ToString());
        if (incompleteWriteAge is { } age) blobs = blobs with { S3Store = blobs.S3Store with { IncompleteWriteAge = age } };
        return new PlatformOptions { DataFolder = folder, Console = TextWriter.Null, RecoverInterruptedIngest = recover, Blobs = blobs };
    }

    static byte[] Read(IBlobStore blobs, string key)
    {
        using var s = blobs.OpenRead(key);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    [Fact]
    public async Task Instances_ingested_into_a_bucket_read_back_byte_identical_and_verify_consistent()
    {
        await using var platform = await MiraPlatform.OpenAsync(Options());
        var blobs = Assert.IsType<S3BlobStore>(platform.Blobs);
        Assert.Equal($"s3://{server.Bucket}/site-a", blobs.Location.ToString());
        var files = Corpus.DicomFiles.Take(12).ToList();
        var stored = 0;
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file.FullPath);
            var result = await platform.Ingest.StoreAsync(bytes, new IngestSource("test"));
            if (result.Outcome != StoreOutcome.Stored) continue; // refused by the intake's rules: not the store's concern
            stored++;
            Assert.Equal(bytes, Read(platform.Blobs, result.Instance!.BlobKey));
            Assert.True(server.ObjectFile(server.Bucket, "site-a/" + result.Instance.BlobKey) is var objectFile && File.Exists(objectFile));
        }
        Assert.True(stored >= 5, $"only {stored} of {files.Count} corpus files were stored");
        await platform.LoadDemoAsync();

        var report = await new ArchiveVerifier(platform.Index, platform.Blobs).VerifyAsync();
        Assert.True(report.IsConsistent, string.Join("; ", report.Problems.Select(p => p.Detail)));
        Assert.Equal(stored + DemoStudies.InstanceCount, report.Instances);
        Assert.Equal(report.Instances, report.Blobs);
    }

    [Fact]
    public async Task A_corrupted_object_is_reported_by_verification_as_a_hash_mismatch()
    {
        await using var platform = await MiraPlatform.OpenAsync(Options());
        var file = Corpus.DicomFiles.First();
        var result = await platform.Ingest.StoreAsync(await File.ReadAllBytesAsync(file.FullPath), new IngestSource("test"));
        Assert.Equal(StoreOutcome.Stored, result.Outcome);
        var objectFile = server.ObjectFile(server.Bucket, "site-a/" + result.Instance!.BlobKey);
        var bytes = await File.ReadAllBytesAsync(objectFile);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(objectFile, bytes);

        var report = await new ArchiveVerifier(platform.Index, platform.Blobs).VerifyAsync();
        var problem = Assert.Single(report.Problems);
        Assert.Equal(ArchiveProblemKind.HashMismatch, problem.Kind);
        Assert.Contains($"s3://{server.Bucket}/site-a/{result.Instance.BlobKey}", problem.Detail);
    }

    [Fact]
    public async Task The_server_at_start_removes_the_object_of_an_interrupted_batch_from_the_bucket_once_no_other_node_can_be_writing_it()
    {
        var key = FileBlobStore.KeyFor("1.2.3.4", new string('b', 64));
        await using (var first = await MiraPlatform.OpenAsync(Options()))
        {
            new IngestJournal(Mira.Storage.DataFolder.JournalRoot(folder)).Begin([key]);
            await first.Blobs.WriteAsync(key, new byte[] { 1, 2, 3 }); // then the crash: no index row
        }
        var journal = new IngestJournal(Mira.Storage.DataFolder.JournalRoot(folder));
        await using (var command = await MiraPlatform.OpenAsync(Options()))
            Assert.True(command.Blobs.Exists(key)); // a command beside a live server leaves it alone
        // A recent object may be another node's write of the same key, about to be indexed: kept, and so is the record.
        await using (var soon = await MiraPlatform.OpenAsync(Options(recover: true)))
            Assert.True(soon.Blobs.Exists(key));
        Assert.Single(journal.Pending());
        // Once older than the incomplete-write age it is an orphan for sure: removed, and the record with it.
        await using var later = await MiraPlatform.OpenAsync(Options(recover: true, incompleteWriteAge: TimeSpan.Zero));
        Assert.False(later.Blobs.Exists(key));
        Assert.Empty(journal.Pending());
    }

    [Fact]
    public async Task A_projects_copy_lands_in_the_projects_scope_of_the_bucket_apart_from_the_intake()
    {
        await using var platform = await MiraPlatform.OpenAsync(Options());
        await platform.LoadDemoAsync();
        var recipe = DeidRecipe.Research;
        Assert.True(await platform.Projects.Store.CreateAsync("glioma", "Glioma", recipe.Name, recipe.ToJson(), recipe.Hash, new byte[32], null));
        var project = (await platform.Projects.Store.GetAsync("glioma"))!;
        var copy = await platform.Projects.CopyStudiesAsync(project, [DemoStudies.StudyUid("mr")], "steward");
        Assert.Equal(DemoStudies.MrSlices, copy.Copied);

        var archive = await platform.Projects.Archives.GetAsync("glioma");
        var projectBlobs = Assert.IsType<S3BlobStore>(archive.Blobs);
        Assert.Equal($"s3://{server.Bucket}/site-a/projects/glioma", projectBlobs.Location.ToString());
        var keys = projectBlobs.Enumerate().Select(b => b.Key).ToList();
        Assert.Equal(DemoStudies.MrSlices, keys.Count);
        Assert.All(keys, k => Assert.True(File.Exists(server.ObjectFile(server.Bucket, "site-a/projects/glioma/" + k))));
        // The intake's listing holds its own blobs only, and each scope verifies against its own index.
        Assert.Equal(DemoStudies.InstanceCount, platform.Blobs.Enumerate().Count());
        Assert.True((await new ArchiveVerifier(platform.Index, platform.Blobs).VerifyAsync()).IsConsistent);
        var projectReport = await new ArchiveVerifier(archive.Index, archive.Blobs).VerifyAsync();
        Assert.True(projectReport.IsConsistent, string.Join("; ", projectReport.Problems.Select(p => p.Detail)));
        Assert.Equal(DemoStudies.MrSlices, projectReport.Instances);
    }

    [Theory]
    [InlineData("s3://Bad_Bucket", null, "bucket name")]
    [InlineData("/some/folder", "http://127.0.0.1:9000", "applies to --blobs s3://")]
    [InlineData("s3://mira", "ftp://host", "not an http:// or https:// URL")]
    [InlineData(null, "http://127.0.0.1:9000", "needs --blobs s3://")]
    [InlineData("gs://bucket", null, "only folders and s3://")]
    public void Bad_blob_options_are_refused_naming_the_option(string? blobs, string? endpoint, string expected)
    {
        var saved = (Environment.GetEnvironmentVariable(BlobStorageOptions.BlobsVariable), Environment.GetEnvironmentVariable(BlobStorageOptions.EndpointVariable));
        Assert.Null(saved.Item1);
        Assert.Null(saved.Item2);
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => BlobStorageOptions.Parse(blobs, endpoint)).Message);
    }
}
