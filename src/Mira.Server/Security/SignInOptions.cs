namespace Mira.Server.Security;

/// <summary>
/// How password sign-ins (HTTP Basic) are throttled. Failures are counted per account name and per client address;
/// past the free failures each further one doubles a back-off (from <see cref="BaseDelay"/> up to
/// <see cref="MaxDelay"/>) during which attempts are answered 429 with <c>Retry-After</c> and never reach the
/// password hash. A count is forgotten after <see cref="ForgetAfter"/> without failures, and a right password
/// after the back-off clears the account's count, so an attacker can slow a user's sign-in but never lock it for good.
/// </summary>
public sealed record SignInOptions
{
    /// <summary>Failures for one account name before its back-off starts (default 5).</summary>
    public int FreeFailuresPerAccount { get; init; } = 5;

    /// <summary>Failures from one client address (IPv6: its /64) before its back-off starts (default 20; several
    /// people may share an address behind NAT).</summary>
    public int FreeFailuresPerAddress { get; init; } = 20;

    /// <summary>The first back-off; each further failure doubles it (default 1 s).</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest back-off (default 5 minutes).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A count with no failure for this long starts again from zero (default 15 minutes).</summary>
    public TimeSpan ForgetAfter { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Password hashes (PBKDF2) computed at once; more wait (default: half the processors, at least 1).</summary>
    public int MaxConcurrentChecks { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Password checks that may wait for a slot; beyond that a request is answered 503 at once (default 64).</summary>
    public int MaxQueuedChecks { get; init; } = 64;

    /// <summary>Account names and addresses remembered at most; the oldest quiet entries go first (default 100 000).</summary>
    public int MaxTrackedKeys { get; init; } = 100_000;
}
