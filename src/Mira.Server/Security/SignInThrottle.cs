using System.Net;
using System.Net.Sockets;
using Mira.Storage.Cluster;

namespace Mira.Server.Security;

/// <summary>
/// Counts failed password sign-ins per account name and per client address and answers how long a new attempt must
/// wait (<see cref="SignInOptions"/>). The synchronous members count in memory, for this process alone; the server uses
/// the asynchronous ones, which count in the database when a <see cref="SignInFailureStore"/> is given, so that every
/// node of a deployment sees every node's failures and a guesser gains nothing by spreading attempts over the nodes
/// behind a load balancer. Thread-safe.
/// </summary>
public sealed class SignInThrottle(SignInOptions options, TimeProvider time, SignInFailureStore? shared = null)
{
    sealed class Entry
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset BlockedUntil;
    }

    /// <summary>What a recorded failure did: whether it started (or lengthened) a back-off, for which key, and how long.</summary>
    public readonly record struct Failure(bool BackOffStarted, string? Scope, TimeSpan Delay, int Failures);

    readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public SignInOptions Options => options;

    /// <summary>How many account names and addresses are remembered now (bounded by <see cref="SignInOptions.MaxTrackedKeys"/>).</summary>
    public int TrackedKeys
    {
        get
        {
            lock (entries) return entries.Count;
        }
    }

    /// <summary>How long an attempt for <paramref name="account"/> from <paramref name="address"/> must still wait; null when it may go ahead.</summary>
    public TimeSpan? RetryAfter(string account, IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (entries)
        {
            var wait = TimeSpan.Zero;
            foreach (var key in Keys(account, address))
                if (entries.TryGetValue(key, out var e) && e.BlockedUntil > now && e.BlockedUntil - now > wait) wait = e.BlockedUntil - now;
            return wait > TimeSpan.Zero ? wait : null;
        }
    }

    /// <summary>Counts a wrong name or password; past the free failures, starts a back-off that doubles with each one.</summary>
    public Failure RecordFailure(string account, IPAddress? address)
    {
        var now = time.GetUtcNow();
        var result = default(Failure);
        lock (entries)
        {
            if (entries.Count >= options.MaxTrackedKeys) Prune(now);
            var keys = Keys(account, address);
            for (var i = 0; i < keys.Length; i++)
            {
                if (!entries.TryGetValue(keys[i], out var e)) entries[keys[i]] = e = new Entry();
                if (now - e.LastFailure > options.ForgetAfter) e.Failures = 0;
                e.Failures++;
                e.LastFailure = now;
                var free = i == 0 ? options.FreeFailuresPerAccount : options.FreeFailuresPerAddress;
                if (e.Failures <= free) continue;
                var delay = DelayAfter(e.Failures - free);
                e.BlockedUntil = now + delay;
                if (!result.BackOffStarted || delay > result.Delay)
                    result = new Failure(true, i == 0 ? "account" : "address", delay, e.Failures);
            }
        }
        return result;
    }

    /// <summary>A right password: the account's count starts again (the address's stays, so one known password does not
    /// reset the guessing budget for other accounts).</summary>
    public void RecordSuccess(string account)
    {
        lock (entries) entries.Remove(AccountKey(account));
    }

    /// <summary>As <see cref="RetryAfter"/>, over every node's failures when the counts are shared.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string account, IPAddress? address, CancellationToken ct = default)
    {
        if (shared is null) return RetryAfter(account, address);
        var now = time.GetUtcNow();
        return await shared.BlockedUntilAsync(Keys(account, address), now, ct) is { } until && until > now ? until - now : null;
    }

    /// <summary>As <see cref="RecordFailure"/>, counted in the shared table when there is one (atomically per key, across nodes).</summary>
    public async Task<Failure> RecordFailureAsync(string account, IPAddress? address, CancellationToken ct = default)
    {
        if (shared is null) return RecordFailure(account, address);
        var now = time.GetUtcNow();
        var result = default(Failure);
        var keys = Keys(account, address);
        for (var i = 0; i < keys.Length; i++)
        {
            var failures = await shared.CountFailureAsync(keys[i], now, options.ForgetAfter, ct);
            var free = i == 0 ? options.FreeFailuresPerAccount : options.FreeFailuresPerAddress;
            if (failures <= free) continue;
            var delay = DelayAfter(failures - free);
            await shared.BlockAsync(keys[i], now + delay, ct);
            if (!result.BackOffStarted || delay > result.Delay)
                result = new Failure(true, i == 0 ? "account" : "address", delay, failures);
        }
        // Now and then, counts long quiet go (the table stays the size of recent guessing, not of all history).
        if (Random.Shared.Next(100) == 0) await shared.PruneAsync(now - options.ForgetAfter, now, ct);
        return result;
    }

    /// <summary>As <see cref="RecordSuccess"/>, in the shared table too.</summary>
    public async Task RecordSuccessAsync(string account, CancellationToken ct = default)
    {
        RecordSuccess(account);
        if (shared is not null) await shared.ForgetAsync(AccountKey(account), ct);
    }

    /// <summary>Base × 2^(n−1), at most <see cref="SignInOptions.MaxDelay"/>.</summary>
    TimeSpan DelayAfter(int failuresOverFree)
    {
        var doublings = Math.Min(failuresOverFree - 1, 30);
        var ticks = options.BaseDelay.Ticks * (double)(1L << doublings);
        return ticks >= options.MaxDelay.Ticks ? options.MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    void Prune(DateTimeOffset now)
    {
        foreach (var (key, e) in entries.Where(p => p.Value.BlockedUntil <= now && now - p.Value.LastFailure > options.ForgetAfter).ToList())
            entries.Remove(key);
        if (entries.Count < options.MaxTrackedKeys) return;
        // Still full of recent entries: drop the quietest half (those not in a back-off first).
        foreach (var key in entries.OrderBy(p => p.Value.BlockedUntil > now).ThenBy(p => p.Value.LastFailure).Take(entries.Count / 2).Select(p => p.Key).ToList())
            entries.Remove(key);
    }

    static string[] Keys(string account, IPAddress? address) => address is null ? [AccountKey(account)] : [AccountKey(account), AddressKey(address)];

    /// <summary>Account names compare as the store compares them (lowercase); unknown names are counted too, so probing
    /// which names exist costs the same.</summary>
    static string AccountKey(string account)
    {
        var name = account.Trim().ToLowerInvariant();
        return "u:" + (name.Length > 64 ? name[..64] : name);
    }

    /// <summary>An IPv4 address, or the /64 network of an IPv6 one (a single host commonly holds a whole /64).</summary>
    public static string AddressKey(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return "a:" + address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return "a:" + new IPAddress(bytes) + "/64";
    }
}
