using Dapper;

namespace Mira.Storage.Cluster;

/// <summary>
/// Failed password sign-ins counted in the database (table <c>mira_signin_failures</c>, migration 16), per key (an
/// account name or a client address, as the server's throttle forms them), so that every node sees every node's
/// failures: a guesser spreading attempts over the nodes behind a load balancer meets the same back-off as against one
/// node. Holds counts and times only, never a password or a hash.
/// </summary>
public sealed class SignInFailureStore(StorageDatabase db)
{
    /// <summary>Migration 16.</summary>
    public static IReadOnlyList<string> TableDdl =>
    [
        """
        CREATE TABLE IF NOT EXISTS mira_signin_failures (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_us BIGINT NOT NULL,
            blocked_until_us BIGINT NOT NULL)
        """,
    ];

    /// <summary>The latest end of a back-off among <paramref name="keys"/> that is still running at <paramref name="now"/>, or null.</summary>
    public async Task<DateTimeOffset?> BlockedUntilAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var until = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT MAX(blocked_until_us) FROM mira_signin_failures WHERE {db.InList("key", "@keys")} AND blocked_until_us > @now",
            new { keys, now = Micros(now) }, cancellationToken: ct));
        return until is { } us ? DateTimeOffset.UnixEpoch.AddTicks(us * 10) : null;
    }

    /// <summary>Counts one failure for <paramref name="key"/> at <paramref name="now"/> (a count quiet for longer than
    /// <paramref name="forgetAfter"/> starts again at one), atomically across nodes; returns the count.</summary>
    public async Task<int> CountFailureAsync(string key, DateTimeOffset now, TimeSpan forgetAfter, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            INSERT INTO mira_signin_failures (key, failures, last_us, blocked_until_us) VALUES (@key, 1, @now, 0)
            ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN excluded.last_us - mira_signin_failures.last_us > @forget THEN 1 ELSE mira_signin_failures.failures + 1 END,
                last_us = excluded.last_us
            RETURNING failures
            """, new { key, now = Micros(now), forget = (long)(forgetAfter.Ticks / 10) }, cancellationToken: ct));
    }

    /// <summary>Holds <paramref name="key"/> back until <paramref name="until"/>, unless a longer back-off already runs.</summary>
    public async Task BlockAsync(string key, DateTimeOffset until, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE mira_signin_failures SET blocked_until_us = CASE WHEN blocked_until_us < @until THEN @until ELSE blocked_until_us END WHERE key = @key",
            new { key, until = Micros(until) }, cancellationToken: ct));
    }

    /// <summary>Forgets a key's count (a right password for that account).</summary>
    public async Task ForgetAsync(string key, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM mira_signin_failures WHERE key = @key", new { key }, cancellationToken: ct));
    }

    /// <summary>Removes counts quiet since before <paramref name="quietSince"/> whose back-off has ended; returns how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset quietSince, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM mira_signin_failures WHERE last_us < @quiet AND blocked_until_us <= @now",
            new { quiet = Micros(quietSince), now = Micros(now) }, cancellationToken: ct));
    }

    static long Micros(DateTimeOffset t) => (t - DateTimeOffset.UnixEpoch).Ticks / 10;
}
