using Mira.Storage.Blobs;

namespace Mira.Platform.Tests.Intake;

/// <summary>
/// Crash recovery at open removes the blobs of ingest batches in flight, so only the process that owns the data folder's
/// ingest (the server, at start) may run it: a command opened beside a live server must leave the server's batches alone.
/// </summary>
public sealed class RecoveryTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-recovery-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    async Task<string> InFlightBatchAsync()
    {
        await (await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = folder, Console = TextWriter.Null })).DisposeAsync();
        var key = FileBlobStore.KeyFor("1.2.3.4", new string('b', 64));
        new IngestJournal(DataFolder.JournalRoot(folder)).Begin([key]);
        await new FileBlobStore(DataFolder.BlobRoot(folder)).WriteAsync(key, new byte[] { 1, 2, 3 });
        return key;
    }

    [Fact]
    public async Task A_command_opening_the_platform_leaves_a_live_servers_batch_in_flight_alone()
    {
        var key = await InFlightBatchAsync();
        await using var command = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = folder, Console = TextWriter.Null });
        Assert.True(command.Blobs.Exists(key));
        Assert.Single(new IngestJournal(DataFolder.JournalRoot(folder)).Pending());
    }

    [Fact]
    public async Task The_server_at_start_removes_the_unacknowledged_blobs_of_an_interrupted_batch()
    {
        var key = await InFlightBatchAsync();
        var console = new StringWriter();
        await using var server = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = folder, Console = console, RecoverInterruptedIngest = true });
        Assert.False(server.Blobs.Exists(key));
        Assert.Empty(new IngestJournal(DataFolder.JournalRoot(folder)).Pending());
        Assert.Contains("removed 1 unacknowledged blob", console.ToString());
    }
}
