using System.Net;
using Mira.Storage.Security;

namespace Mira.Server.Security;

public enum PasswordChangeOutcome
{
    Changed,
    /// <summary>The new password is not acceptable (empty, same as the current one, too short…): see the message.</summary>
    Invalid,
    WrongCurrentPassword,
    /// <summary>The current-password check is in a back-off (or too many checks wait): see <see cref="PasswordChangeResult.RetryAfter"/>.</summary>
    Throttled,
    Busy,
    NoSuchUser,
}

public readonly record struct PasswordChangeResult(PasswordChangeOutcome Outcome, string? Message = null, TimeSpan RetryAfter = default)
{
    public int RetryAfterSeconds => PasswordCheck.WholeSeconds(RetryAfter);
}

/// <summary>
/// A user changing their own password, from the API (<c>POST /api/account/password</c>) or the account page alike: the
/// current password is checked like a sign-in (throttled, failures audited), the change is audited
/// (<c>account.password</c>), and every web session opened with the old password ends (its credential stamp no longer
/// matches). The generated first admin password file is deleted once that password is gone.
/// </summary>
public static class OwnPasswordChange
{
    public static async Task<PasswordChangeResult> ChangeAsync(MiraPlatform archive, PasswordSignIn signIn, string userName, string current, string next,
        IPAddress? client, CancellationToken ct)
    {
        if (current.Length == 0) return new(PasswordChangeOutcome.Invalid, "the current password is required");
        if (next == current) return new(PasswordChangeOutcome.Invalid, "the new password must differ from the current password");
        var check = await signIn.CheckAsync(userName, current, client, ct);
        if (check.Outcome is PasswordCheckOutcome.Throttled) return new(PasswordChangeOutcome.Throttled, null, check.RetryAfter);
        if (check.Outcome is PasswordCheckOutcome.Busy) return new(PasswordChangeOutcome.Busy, null, check.RetryAfter);
        if (check.Outcome != PasswordCheckOutcome.Accepted) return new(PasswordChangeOutcome.WrongCurrentPassword, "wrong current password");
        try
        {
            if (!await archive.Accounts.SetPasswordAsync(userName, next, mustChange: false, ct)) return new(PasswordChangeOutcome.NoSuchUser, $"no user '{userName}'");
        }
        catch (ArgumentException e)
        {
            return new(PasswordChangeOutcome.Invalid, e.Message);
        }
        await archive.Audit.AppendAsync(new AuditEntry(userName, AuditActions.AccountPassword, userName, client?.ToString()), CancellationToken.None);
        // The generated first password is no longer a secret worth keeping on disk.
        if (userName == AccountStore.AdminUser) File.Delete(archive.GeneratedAdminPasswordFile);
        return new(PasswordChangeOutcome.Changed);
    }
}
