using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mira.Storage.Security;

namespace Mira.Server.Security;

/// <summary>What a password check answered.</summary>
public enum PasswordCheckOutcome
{
    Accepted,
    /// <summary>Wrong name or password (or a disabled account).</summary>
    Rejected,
    /// <summary>Refused without checking: the account or the address is in a back-off (answer 429 with Retry-After).</summary>
    Throttled,
    /// <summary>Refused without checking: too many checks already wait for the hash (answer 503 with Retry-After).</summary>
    Busy,
}

/// <summary>A password check's answer: the user when accepted, how long to wait when throttled or busy.</summary>
public readonly record struct PasswordCheck(PasswordCheckOutcome Outcome, AuthenticatedUser? User = null, TimeSpan RetryAfter = default)
{
    /// <summary><see cref="RetryAfter"/> as the whole seconds of a <c>Retry-After</c> header (RFC 9110 §10.2.3): rounded up, at least 1.</summary>
    public int RetryAfterSeconds => WholeSeconds(RetryAfter);

    public static int WholeSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}

/// <summary>
/// Every password check the server makes (HTTP Basic, a password change): consults <see cref="SignInThrottle"/>
/// before the hash, so attempts in a back-off never reach PBKDF2; runs at most
/// <see cref="SignInOptions.MaxConcurrentChecks"/> hashes at once (a semaphore), so parallel guesses cannot take every
/// core; and records each failure in the audit log (<c>signin.failure</c>, with the client address) and the server
/// log, each back-off once when it starts (<c>signin.throttled</c>), and each attempt refused during a back-off
/// (<c>signin.refused</c>).
/// </summary>
public sealed class PasswordSignIn
{
    /// <summary>The actor of audit records about sign-ins that did not succeed (nobody is signed in).</summary>
    public const string AnonymousActor = "anonymous";

    readonly MiraPlatform archive;
    readonly SignInThrottle throttle;
    readonly ILogger log;
    readonly SemaphoreSlim slots;
    int waiting;

    public PasswordSignIn(MiraPlatform archive, SignInThrottle throttle, ILoggerFactory logs)
    {
        this.archive = archive;
        this.throttle = throttle;
        log = logs.CreateLogger("Mira.SignIn");
        slots = new SemaphoreSlim(Math.Max(1, throttle.Options.MaxConcurrentChecks));
    }

    public async Task<PasswordCheck> CheckAsync(string name, string password, IPAddress? client, CancellationToken ct)
    {
        if (await throttle.RetryAfterAsync(name, client, ct) is { } wait) return await RefusedAsync(name, client, wait);
        var options = throttle.Options;
        if (Interlocked.Increment(ref waiting) > options.MaxConcurrentChecks + options.MaxQueuedChecks)
        {
            Interlocked.Decrement(ref waiting);
            log.LogWarning("Password check for {User} from {Client} refused: {Waiting} checks already waiting", Shorten(name), client, options.MaxQueuedChecks);
            return new PasswordCheck(PasswordCheckOutcome.Busy, RetryAfter: TimeSpan.FromSeconds(1));
        }
        AuthenticatedUser? user;
        SignInThrottle.Failure failure;
        try
        {
            await slots.WaitAsync(ct);
            try
            {
                // Failures recorded while this request waited for a slot count too: parallel guesses stop here.
                if (await throttle.RetryAfterAsync(name, client, ct) is { } late) return await RefusedAsync(name, client, late);
                user = await archive.Accounts.VerifyPasswordAsync(name, password, ct);
                if (user is not null)
                {
                    await throttle.RecordSuccessAsync(name, CancellationToken.None);
                    return new PasswordCheck(PasswordCheckOutcome.Accepted, user);
                }
                failure = await throttle.RecordFailureAsync(name, client, CancellationToken.None);
            }
            finally
            {
                slots.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
        await RecordFailureAsync(Shorten(name), client, failure);
        return new PasswordCheck(PasswordCheckOutcome.Rejected);
    }

    /// <summary>An attempt refused by a back-off, without a hash: one record each (<c>signin.refused</c>), so the log
    /// shows every attempt, not only those that reached the password check.</summary>
    async Task<PasswordCheck> RefusedAsync(string name, IPAddress? client, TimeSpan wait)
    {
        await archive.Audit.AppendAsync(new AuditEntry(AnonymousActor, AuditActions.SignInRefused, Shorten(name), client?.ToString(), AuditOutcome.Denied,
            JsonSerializer.Serialize(new { retryAfterSeconds = Math.Ceiling(wait.TotalSeconds) })), CancellationToken.None);
        return new PasswordCheck(PasswordCheckOutcome.Throttled, RetryAfter: wait);
    }

    async Task RecordFailureAsync(string name, IPAddress? client, SignInThrottle.Failure failure)
    {
        var address = client?.ToString();
        log.LogWarning("Failed sign-in for {User} from {Client}", name, address ?? "an unknown address");
        await archive.Audit.AppendAsync(new AuditEntry(AnonymousActor, AuditActions.SignInFailure, name, address, AuditOutcome.Failure), CancellationToken.None);
        if (!failure.BackOffStarted) return;
        log.LogWarning("Sign-in back-off of {Seconds:F0} s for the {Scope} after {Failures} failures ({User} from {Client})",
            failure.Delay.TotalSeconds, failure.Scope, failure.Failures, name, address ?? "an unknown address");
        await archive.Audit.AppendAsync(new AuditEntry(AnonymousActor, AuditActions.SignInThrottled, name, address, AuditOutcome.Denied,
            JsonSerializer.Serialize(new { scope = failure.Scope, failures = failure.Failures, retryAfterSeconds = Math.Ceiling(failure.Delay.TotalSeconds) })),
            CancellationToken.None);
    }

    /// <summary>A name as tried, cut to the longest valid user name (the audit log is not a place for megabyte inputs).</summary>
    static string Shorten(string name) => name.Length > AccountStore.MaxUserNameLength ? name[..AccountStore.MaxUserNameLength] + "…" : name;
}
