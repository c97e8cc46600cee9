using System.Net;
using Mira.Server.Security;

namespace Mira.Server.Tests;

/// <summary>The back-off arithmetic of <see cref="SignInThrottle"/>: doubling, cap, decay, per-account and per-address keys.</summary>
public sealed class SignInThrottleTests
{
    sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");

    readonly Clock clock = new();

    SignInThrottle Throttle(int free = 3) => new(new SignInOptions
    {
        FreeFailuresPerAccount = free, FreeFailuresPerAddress = 100, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8),
        ForgetAfter = TimeSpan.FromMinutes(15),
    }, clock);

    [Fact]
    public void The_back_off_doubles_per_failure_up_to_the_cap_and_the_right_password_after_it_clears_the_count()
    {
        var t = Throttle();
        for (var i = 0; i < 3; i++) Assert.False(t.RecordFailure("alice", Client).BackOffStarted);
        Assert.Null(t.RetryAfter("alice", Client));
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            var f = t.RecordFailure("Alice", Client);
            Assert.Equal("account", f.Scope);
            delays.Add(f.Delay);
            Assert.Equal(f.Delay, t.RetryAfter("ALICE", Client));
            clock.Now += f.Delay;
            Assert.Null(t.RetryAfter("alice", Client));
        }
        Assert.Equal(new[] { 1, 2, 4, 8, 8, 8 }.Select(s => TimeSpan.FromSeconds(s)), delays);
        t.RecordSuccess("alice");
        Assert.False(t.RecordFailure("alice", Client).BackOffStarted);
    }

    [Fact]
    public void Failures_are_forgotten_after_a_quiet_period_so_nobody_is_locked_out_for_good()
    {
        var t = Throttle(free: 1);
        t.RecordFailure("bob", Client);
        Assert.True(t.RecordFailure("bob", Client).BackOffStarted);
        clock.Now += TimeSpan.FromMinutes(16);
        Assert.Null(t.RetryAfter("bob", Client));
        Assert.False(t.RecordFailure("bob", Client).BackOffStarted);
    }

    [Fact]
    public void An_address_guessing_many_accounts_is_held_back_and_IPv6_counts_per_64()
    {
        var t = new SignInThrottle(new SignInOptions { FreeFailuresPerAccount = 100, FreeFailuresPerAddress = 3, BaseDelay = TimeSpan.FromSeconds(5) }, clock);
        var a = IPAddress.Parse("2001:db8:1:2::1");
        var sameNetwork = IPAddress.Parse("2001:db8:1:2:ffff::9");
        for (var i = 0; i < 3; i++) t.RecordFailure($"user{i}", a);
        var f = t.RecordFailure("user3", sameNetwork);
        Assert.Equal(("address", TimeSpan.FromSeconds(5)), (f.Scope, f.Delay));
        Assert.NotNull(t.RetryAfter("someone-else", a));
        Assert.Null(t.RetryAfter("someone-else", IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal(SignInThrottle.AddressKey(IPAddress.Parse("192.0.2.1")), SignInThrottle.AddressKey(IPAddress.Parse("::ffff:192.0.2.1")));
    }

    [Fact]
    public void The_table_stays_bounded_under_a_flood_of_names()
    {
        var t = new SignInThrottle(new SignInOptions { MaxTrackedKeys = 1000, FreeFailuresPerAddress = int.MaxValue }, clock);
        for (var i = 0; i < 20_000; i++) t.RecordFailure($"name{i}", null);
        Assert.True(t.TrackedKeys <= 1000, $"{t.TrackedKeys} keys");
    }

    [Fact]
    public async Task Failures_counted_by_one_node_hold_back_the_same_guesser_on_another()
    {
        var folder = Directory.CreateTempSubdirectory("mira-throttle-").FullName;
        try
        {
            var db = Mira.Storage.StorageDatabase.Sqlite(Path.Combine(folder, "index.db"));
            await Mira.Storage.Migrations.MigrationRunner.ApplyAsync(db, Mira.Storage.Migrations.MigrationCatalog.Intake);
            var options = new SignInOptions { FreeFailuresPerAccount = 3, FreeFailuresPerAddress = 100, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8) };
            var (a, b) = (new SignInThrottle(options, clock, new Mira.Storage.Cluster.SignInFailureStore(db)),
                new SignInThrottle(options, clock, new Mira.Storage.Cluster.SignInFailureStore(db)));
            // Alternating nodes: three free failures in all, not three per node.
            Assert.False((await a.RecordFailureAsync("carol", Client)).BackOffStarted);
            Assert.False((await b.RecordFailureAsync("carol", Client)).BackOffStarted);
            Assert.False((await a.RecordFailureAsync("carol", Client)).BackOffStarted);
            var started = await b.RecordFailureAsync("Carol", Client);
            Assert.Equal((true, "account", TimeSpan.FromSeconds(1), 4), (started.BackOffStarted, started.Scope, started.Delay, started.Failures));
            Assert.Equal(TimeSpan.FromSeconds(1), await a.RetryAfterAsync("carol", Client));
            Assert.Equal(TimeSpan.FromSeconds(2), (await a.RecordFailureAsync("carol", Client)).Delay);
            Assert.Equal(TimeSpan.FromSeconds(2), await b.RetryAfterAsync("CAROL", Client));
            Assert.Null(await b.RetryAfterAsync("dave", Client));
            clock.Now += TimeSpan.FromSeconds(2);
            Assert.Null(await b.RetryAfterAsync("carol", Client));
            // A right password on one node clears the account's count on all of them.
            await a.RecordSuccessAsync("carol");
            Assert.False((await b.RecordFailureAsync("carol", Client)).BackOffStarted);
            // Quiet for longer than ForgetAfter: the count starts again.
            clock.Now += TimeSpan.FromMinutes(20);
            for (var i = 0; i < 2; i++) Assert.False((await a.RecordFailureAsync("carol", Client)).BackOffStarted);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
