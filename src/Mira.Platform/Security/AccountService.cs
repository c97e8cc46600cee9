using Mira.Storage.Security;

namespace Mira.Platform.Security;

/// <summary>
/// Accounts with the platform's policy on top of <see cref="AccountStore"/>: roles are checked against
/// <see cref="Roles"/> and returned in its canonical order; the first start creates <c>admin</c> with the admin role;
/// disabling an account revokes its bearer tokens (with <paramref name="tokens"/>), so enabling it again does not bring
/// back a token a thief may hold.
/// </summary>
public sealed class AccountService(AccountStore store, TokenStore? tokens = null)
{
    public AccountStore Store { get; } = store;

    /// <exception cref="ArgumentException">An invalid name, a short password or a role outside <see cref="Roles.All"/>.</exception>
    /// <exception cref="InvalidOperationException">The user exists.</exception>
    public async Task<UserAccount> CreateUserAsync(string name, string password, IEnumerable<string> roles, CancellationToken ct = default) =>
        Canonical(await Store.CreateUserAsync(name, password, Roles.Normalize(roles), ct));

    /// <summary>As <see cref="CreateUserAsync(string, string, IEnumerable{string}, CancellationToken)"/>; with
    /// <paramref name="mustChangePassword"/> (an administrator chose the password) the user must choose a new one at the first sign-in.</summary>
    public async Task<UserAccount> CreateUserAsync(string name, string password, IEnumerable<string> roles, bool mustChangePassword, CancellationToken ct = default) =>
        Canonical(await Store.CreateUserAsync(name, password, Roles.Normalize(roles), mustChangePassword, ct));

    public Task<AdminBootstrap> EnsureAdminAsync(string? passwordFromEnvironment, CancellationToken ct = default) =>
        Store.EnsureAdminAsync(passwordFromEnvironment, [Roles.Admin], ct);

    public async Task<AuthenticatedUser?> VerifyPasswordAsync(string name, string password, CancellationToken ct = default) =>
        await Store.VerifyPasswordAsync(name, password, ct) is { } u ? u with { Roles = Roles.Order(u.Roles) } : null;

    public async Task<UserAccount?> GetAsync(string name, CancellationToken ct = default) =>
        await Store.GetAsync(name, ct) is { } a ? Canonical(a) : null;

    /// <summary>The account (roles in canonical order) and its credential stamp (<see cref="AccountStore.GetWithCredentialStampAsync"/>).</summary>
    public async Task<(UserAccount Account, string CredentialStamp)?> GetWithCredentialStampAsync(string name, CancellationToken ct = default) =>
        await Store.GetWithCredentialStampAsync(name, ct) is { } r ? (Canonical(r.Account), r.CredentialStamp) : null;

    public async Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken ct = default) => [.. (await Store.ListAsync(ct)).Select(Canonical)];

    /// <summary>Sets a password chosen by the user or an operator (no change required afterwards).</summary>
    public Task<bool> SetPasswordAsync(string name, string password, CancellationToken ct = default) => Store.SetPasswordAsync(name, password, ct);

    /// <summary>Sets a password; with <paramref name="mustChange"/> (an administrator's reset) the user must choose a new one at the next sign-in.</summary>
    public Task<bool> SetPasswordAsync(string name, string password, bool mustChange, CancellationToken ct = default) =>
        Store.SetPasswordAsync(name, password, mustChange, ct);

    /// <summary>Disables or enables an account; disabling also revokes all its tokens.</summary>
    /// <returns>False when the user does not exist.</returns>
    public async Task<bool> SetDisabledAsync(string name, bool disabled, CancellationToken ct = default) =>
        await SetDisabledCountingAsync(name, disabled, ct) is not null;

    /// <summary>As <see cref="SetDisabledAsync"/>; returns how many active tokens disabling revoked (0 when enabling), or null when the user does not exist.</summary>
    public async Task<int?> SetDisabledCountingAsync(string name, bool disabled, CancellationToken ct = default)
    {
        if (!await Store.SetDisabledAsync(name, disabled, ct)) return null;
        return disabled && tokens is not null ? await tokens.RevokeAllAsync(name, ct) : 0;
    }

    /// <summary>How many enabled accounts hold the admin role (an administrator may not disable or demote the last one).</summary>
    public async Task<int> CountEnabledAdminsAsync(CancellationToken ct = default) =>
        (await Store.ListAsync(ct)).Count(a => !a.Disabled && a.Roles.Contains(Roles.Admin, StringComparer.Ordinal));

    /// <exception cref="ArgumentException">A role outside <see cref="Roles.All"/>.</exception>
    public Task<bool> SetRolesAsync(string name, IEnumerable<string> roles, CancellationToken ct = default) =>
        Store.SetRolesAsync(name, Roles.Normalize(roles), ct);

    static UserAccount Canonical(UserAccount a) => a with { Roles = Roles.Order(a.Roles) };
}
