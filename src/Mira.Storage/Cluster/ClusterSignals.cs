using System.Collections.Concurrent;
using Npgsql;

namespace Mira.Storage.Cluster;

/// <summary>
/// Short messages between the nodes of a deployment over PostgreSQL's <c>LISTEN</c>/<c>NOTIFY</c> (channel
/// <see cref="Channel"/>): "the AE table changed", "a UPS event report for these subscribers". A message is a topic
/// and a text body, delivered to every other node listening now (not to its sender, not to a node that is down:
/// signals invalidate caches and fan out events, they never carry state that is not also in the database). On SQLite
/// there is one node and nothing to send. A node listens on one dedicated connection (<see cref="StartAsync"/>) and
/// reconnects after a failure; messages sent while it was disconnected are lost, so every cache these signals
/// invalidate also expires on its own (the AE table every two seconds).
/// </summary>
public sealed class ClusterSignals(StorageDatabase db) : IAsyncDisposable
{
    public const string Channel = "mira_cluster";

    /// <summary>PostgreSQL refuses notification payloads of 8000 bytes or more.</summary>
    public const int MaxPayloadBytes = 7900;

    readonly ConcurrentDictionary<string, ConcurrentBag<Action<string>>> handlers = new(StringComparer.Ordinal);
    CancellationTokenSource? stop;
    Task? loop;

    /// <summary>This process's id in the messages it sends (its own messages come back to it and are dropped).</summary>
    public string Node { get; } = Guid.NewGuid().ToString("N")[..16];

    /// <summary>Whether there are other nodes to tell (PostgreSQL).</summary>
    public bool Enabled => db.Provider == StorageProvider.PostgreSql;

    /// <summary>True while the listening connection is open (for <c>/health</c> and the tests).</summary>
    public bool Listening { get; private set; }

    /// <summary>A handler for a topic's messages from other nodes; called on the listener's thread, so it must be quick.</summary>
    public void On(string topic, Action<string> handler) => handlers.GetOrAdd(topic, _ => []).Add(handler);

    /// <summary>Sends a message to the other nodes; false when there are none to tell (SQLite) or the body is too long
    /// for a notification (the caller then relies on the database alone).</summary>
    public async Task<bool> PublishAsync(string topic, string body, CancellationToken ct = default)
    {
        if (!Enabled) return false;
        var payload = $"{Node}|{topic}|{body}";
        if (System.Text.Encoding.UTF8.GetByteCount(payload) > MaxPayloadBytes) return false;
        await using var c = await db.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", (NpgsqlConnection)c);
        cmd.Parameters.AddWithValue("channel", Channel);
        cmd.Parameters.AddWithValue("payload", payload);
        await cmd.ExecuteNonQueryAsync(ct);
        return true;
    }

    /// <summary>Starts listening (PostgreSQL only); returns once the first <c>LISTEN</c> is in place.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (!Enabled || loop is not null) return;
        stop = new CancellationTokenSource();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop = Task.Run(() => ListenAsync(ready, stop.Token), CancellationToken.None);
        await ready.Task.WaitAsync(ct);
    }

    async Task ListenAsync(TaskCompletionSource ready, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // A connection of its own, outside the pool: it stays open and waiting.
                var cs = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false, KeepAlive = 30 }.ToString();
                await using var c = new NpgsqlConnection(cs);
                await c.OpenAsync(ct);
                c.Notification += (_, e) => Dispatch(e.Payload);
                await using (var cmd = new NpgsqlCommand($"LISTEN {Channel}", c)) await cmd.ExecuteNonQueryAsync(ct);
                Listening = true;
                ready.TrySetResult();
                while (!ct.IsCancellationRequested) await c.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
            {
                Listening = false;
                ready.TrySetResult(); // the node runs on; its caches expire by themselves until the listener is back
                try { await Task.Delay(TimeSpan.FromSeconds(1), ct); }
                catch (OperationCanceledException) { break; }
            }
        }
        Listening = false;
    }

    void Dispatch(string payload)
    {
        var parts = payload.Split('|', 3);
        if (parts.Length != 3 || parts[0] == Node || !handlers.TryGetValue(parts[1], out var list)) return;
        foreach (var handler in list)
        {
            try { handler(parts[2]); }
            catch (Exception e) when (e is InvalidOperationException or FormatException or System.Text.Json.JsonException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (stop is null) return;
        await stop.CancelAsync();
        if (loop is not null) await loop;
        stop.Dispose();
    }
}
