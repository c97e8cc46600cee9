using System.Collections.Concurrent;
using Mira.Storage.Cluster;

namespace Mira.Storage.Tests.Cluster;

/// <summary>Messages between nodes over PostgreSQL's LISTEN/NOTIFY; nothing to send on SQLite.</summary>
[Collection(PostgresServer.CollectionName)]
public sealed class ClusterSignalsTests(PostgresServer server)
{
    [Fact]
    public async Task A_message_reaches_the_other_nodes_listening_and_not_its_sender()
    {
        var db = await server.CreateDatabaseAsync();
        await using var a = new ClusterSignals(db);
        await using var b = new ClusterSignals(db);
        await using var c = new ClusterSignals(db);
        var (atA, atB, atC) = (new ConcurrentQueue<string>(), new ConcurrentQueue<string>(), new ConcurrentQueue<string>());
        a.On("ae", atA.Enqueue);
        b.On("ae", atB.Enqueue);
        c.On("other-topic", atC.Enqueue);
        await Task.WhenAll(a.StartAsync(), b.StartAsync(), c.StartAsync());
        Assert.True(a.Listening && b.Listening && c.Listening);

        Assert.True(await a.PublishAsync("ae", "changed|with a bar"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (atB.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(["changed|with a bar"], atB);
        await Task.Delay(200);
        Assert.Empty(atA);
        Assert.Empty(atC);
    }

    [Fact]
    public async Task A_body_too_long_for_a_notification_is_not_sent_and_SQLite_has_nobody_to_tell()
    {
        await using var pg = new ClusterSignals(await server.CreateDatabaseAsync());
        Assert.False(await pg.PublishAsync("ups", new string('x', ClusterSignals.MaxPayloadBytes)));
        var folder = Directory.CreateTempSubdirectory("mira-signals-").FullName;
        await using var sqlite = new ClusterSignals(StorageDatabase.Sqlite(Path.Combine(folder, "index.db")));
        Assert.False(sqlite.Enabled);
        Assert.False(await sqlite.PublishAsync("ae", ""));
        await sqlite.StartAsync();
        Assert.False(sqlite.Listening);
        Directory.Delete(folder, recursive: true);
    }
}
