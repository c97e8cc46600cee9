using System.Data.Common;
using Dapper;

namespace Mira.Storage.Security;

/// <summary>A user account as stored (never with its password hash).</summary>
public sealed record UserAccount(string Name, IReadOnlyList<string> Roles, bool Disabled, DateTimeOffset CreatedUtc)
{
    /// <summary>The password was not chosen by its user (generated at first start, or reset by an administrator) and
    /// must be changed before the account may do anything else.</summary>
    public bool MustChangePassword { get; init; }
}

public enum AdminBootstrapOutcome
{
    /// <summary>The account table was not empty; nothing was created.</summary>
    AccountsExist,
    /// <summary><c>admin</c> was created with the password the caller supplied (e.g. <c>MIRA_ADMIN_PASSWORD</c>).</summary>
    CreatedWithGivenPassword,
    /// <summary><c>admin</c> was created with a generated password, in <see cref="AdminBootstrap.GeneratedPassword"/>.</summary>
    CreatedWithGeneratedPassword,
}

/// <summary>What <see cref="AccountStore.EnsureAdminAsync"/> did. <see cref="ToString"/> never shows the password.</summary>
public sealed class AdminBootstrap(AdminBootstrapOutcome outcome, string? generatedPassword)
{
    public AdminBootstrapOutcome Outcome { get; } = outcome;

    /// <summary>The generated password, to be shown to the operator once; it exists nowhere else in clear.</summary>
    public string? GeneratedPassword { get; } = generatedPassword;

    public override string ToString() => $"AdminBootstrap {{ Outcome = {Outcome} }}";
}

/// <summary>
/// User accounts: name, PBKDF2 password hash (<see cref="PasswordHasher"/>), roles (names; which exist and what they allow is the platform's policy, <c>Mira.Platform.Security.Roles</c>), a
/// disabled flag and the creation time. User names are case-insensitive (stored lowercase).
/// </summary>
public sealed class AccountStore
{
    public const string AdminUser = "admin";
    public const int MaxUserNameLength = 64;

    readonly StorageDatabase db;
    readonly SecurityOptions options;
    readonly PasswordHasher hasher;
    string? dummyHash;

    public AccountStore(StorageDatabase db, SecurityOptions options)
    {
        this.db = db;
        this.options = options;
        hasher = new PasswordHasher(options.Pbkdf2Iterations);
    }

    /// <summary>Opens the store, creating the security tables when missing.</summary>
    public static async Task<AccountStore> OpenAsync(StorageDatabase db, SecurityOptions? options = null, CancellationToken ct = default)
    {
        await Migrations.MigrationRunner.ApplyAsync(db, Migrations.MigrationCatalog.Intake, ct);
        return new AccountStore(db, options ?? SecurityOptions.Default);
    }

    /// <summary>Lowercases and checks a user name: 1–64 of <c>a-z 0-9 . _ @ -</c>, starting with a letter or digit.</summary>
    /// <exception cref="ArgumentException">An invalid name.</exception>
    public static string NormalizeUserName(string name) =>
        TryNormalizeUserName(name, out var n) ? n
            : throw new ArgumentException("A user name is 1-64 characters of a-z, 0-9, '.', '_', '@', '-', starting with a letter or digit.", nameof(name));

    public static bool TryNormalizeUserName(string? name, out string normalized)
    {
        normalized = (name ?? "").ToLowerInvariant();
        return normalized.Length is > 0 and <= MaxUserNameLength && char.IsAsciiLetterOrDigit(normalized[0])
            && normalized.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '@' or '-');
    }

    /// <exception cref="InvalidOperationException">The user exists.</exception>
    public Task<UserAccount> CreateUserAsync(string name, string password, IEnumerable<string> roles, CancellationToken ct = default) =>
        CreateUserAsync(name, password, roles, false, ct);

    /// <summary>Creates an account; with <paramref name="mustChangePassword"/> its user must choose a new password at the first sign-in.</summary>
    /// <exception cref="InvalidOperationException">The user exists.</exception>
    public async Task<UserAccount> CreateUserAsync(string name, string password, IEnumerable<string> roles, bool mustChangePassword, CancellationToken ct = default)
    {
        name = NormalizeUserName(name);
        var normalizedRoles = roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var hash = HashChecked(password);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await SecuritySchema.BeginSerializedAsync(c, SecuritySchema.AccountLock, ct);
        if (await ExistsAsync(c, tx, name, ct)) throw new InvalidOperationException($"User '{name}' exists.");
        var account = await InsertAsync(c, tx, name, hash, normalizedRoles, ct, mustChangePassword);
        await tx.CommitAsync(ct);
        return account;
    }

    /// <summary>
    /// First-start bootstrap: when the account table is empty, creates <c>admin</c> (with <paramref name="adminRoles"/>) with
    /// <paramref name="passwordFromEnvironment"/>, or, when that is null or empty, with a generated 144-bit password
    /// that is returned for the caller to hand to the operator once; a generated password must be changed at the first
    /// sign-in (<see cref="UserAccount.MustChangePassword"/>). Does nothing when any account exists.
    /// </summary>
    public async Task<AdminBootstrap> EnsureAdminAsync(string? passwordFromEnvironment, IReadOnlyList<string> adminRoles, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await SecuritySchema.BeginSerializedAsync(c, SecuritySchema.AccountLock, ct);
        var count = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM mira_users", transaction: tx, cancellationToken: ct));
        if (count > 0) return new AdminBootstrap(AdminBootstrapOutcome.AccountsExist, null);
        var generated = string.IsNullOrEmpty(passwordFromEnvironment) ? PasswordHasher.GeneratePassword() : null;
        await InsertAsync(c, tx, AdminUser, HashChecked(generated ?? passwordFromEnvironment!), [.. adminRoles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], ct,
            mustChangePassword: generated is not null);
        await tx.CommitAsync(ct);
        return generated is null
            ? new AdminBootstrap(AdminBootstrapOutcome.CreatedWithGivenPassword, null)
            : new AdminBootstrap(AdminBootstrapOutcome.CreatedWithGeneratedPassword, generated);
    }

    /// <summary>
    /// HTTP Basic check: the user and roles when the name exists, the account is enabled and the password matches;
    /// otherwise null. Unknown names cost a full hash too, so timing does not reveal which names exist. A hash
    /// weaker than the current settings is replaced on success.
    /// </summary>
    public async Task<AuthenticatedUser?> VerifyPasswordAsync(string name, string password, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        await using var c = await db.OpenAsync(ct);
        var row = TryNormalizeUserName(name, out var n)
            ? await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(SelectUser + " WHERE name = @n", new { n }, cancellationToken: ct))
            : null;
        if (row is null)
        {
            PasswordHasher.Verify(password, dummyHash ??= hasher.Hash(PasswordHasher.GeneratePassword()));
            return null;
        }
        if (!PasswordHasher.Verify(password, row.PasswordHash) || row.Disabled != 0) return null;
        if (hasher.NeedsRehash(row.PasswordHash))
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE mira_users SET password_hash = @h WHERE name = @n AND password_hash = @old",
                new { h = hasher.Hash(password), n, old = row.PasswordHash }, cancellationToken: ct));
        return new AuthenticatedUser(n, await LoadRolesAsync(c, null, n, ct)) { MustChangePassword = row.MustChangePassword != 0 };
    }

    /// <summary>
    /// The account and a stamp of its credentials (a SHA-256 of the stored password hash, which changes with every
    /// password change): a cache of successful password checks compares the stamp so that an old password stops
    /// working as soon as it is changed.
    /// </summary>
    public async Task<(UserAccount Account, string CredentialStamp)?> GetWithCredentialStampAsync(string name, CancellationToken ct = default)
    {
        if (!TryNormalizeUserName(name, out var n)) return null;
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(SelectUser + " WHERE name = @n", new { n }, cancellationToken: ct));
        return row is null ? null : (ToAccount(row, await LoadRolesAsync(c, null, n, ct)), StampOf(row.PasswordHash));
    }

    internal static string StampOf(string passwordHash) => SecuritySchema.Hex(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(passwordHash)));

    public async Task<UserAccount?> GetAsync(string name, CancellationToken ct = default)
    {
        if (!TryNormalizeUserName(name, out var n)) return null;
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(SelectUser + " WHERE name = @n", new { n }, cancellationToken: ct));
        return row is null ? null : ToAccount(row, await LoadRolesAsync(c, null, n, ct));
    }

    public async Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<UserRow>(new CommandDefinition(SelectUser + " ORDER BY name", cancellationToken: ct));
        var roles = (await c.QueryAsync<(string User, string Role)>(new CommandDefinition(
                "SELECT user_name, role FROM mira_user_roles", cancellationToken: ct)))
            .ToLookup(r => r.User, r => r.Role);
        return rows.Select(r => ToAccount(r, roles[r.Name].Order(StringComparer.Ordinal).ToArray())).ToArray();
    }

    /// <summary>Sets a password its user chose (or an operator chose for it): no change is required afterwards.</summary>
    /// <returns>False when the user does not exist.</returns>
    public Task<bool> SetPasswordAsync(string name, string password, CancellationToken ct = default) => SetPasswordAsync(name, password, false, ct);

    /// <summary>Sets a password; with <paramref name="mustChange"/> the user must change it at the next sign-in.</summary>
    /// <returns>False when the user does not exist.</returns>
    public async Task<bool> SetPasswordAsync(string name, string password, bool mustChange, CancellationToken ct = default)
    {
        var hash = HashChecked(password);
        if (!TryNormalizeUserName(name, out var n)) return false;
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE mira_users SET password_hash = @hash, must_change_password = @must WHERE name = @n",
            new { n, hash, must = mustChange ? 1 : 0 }, cancellationToken: ct)) == 1;
    }

    /// <returns>False when the user does not exist.</returns>
    public Task<bool> SetDisabledAsync(string name, bool disabled, CancellationToken ct = default) =>
        UpdateAsync("UPDATE mira_users SET disabled = @v WHERE name = @n", name, disabled ? 1 : 0, ct);

    /// <summary>Replaces the user's roles.</summary>
    /// <returns>False when the user does not exist.</returns>
    public async Task<bool> SetRolesAsync(string name, IEnumerable<string> roles, CancellationToken ct = default)
    {
        var normalizedRoles = roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (!TryNormalizeUserName(name, out var n)) return false;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await SecuritySchema.BeginSerializedAsync(c, SecuritySchema.AccountLock, ct);
        if (!await ExistsAsync(c, tx, n, ct)) return false;
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM mira_user_roles WHERE user_name = @n", new { n }, tx, cancellationToken: ct));
        await InsertRolesAsync(c, tx, n, normalizedRoles, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    async Task<bool> UpdateAsync(string sql, string name, object value, CancellationToken ct)
    {
        if (!TryNormalizeUserName(name, out var n)) return false;
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(sql, new { n, v = value }, cancellationToken: ct)) == 1;
    }

    string HashChecked(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length < options.MinimumPasswordLength)
            throw new ArgumentException($"A password needs at least {options.MinimumPasswordLength} characters.", nameof(password));
        return hasher.Hash(password);
    }

    async Task<UserAccount> InsertAsync(DbConnection c, DbTransaction tx, string name, string hash, IReadOnlyList<string> roles, CancellationToken ct,
        bool mustChangePassword = false)
    {
        var created = options.Time.GetUtcNow();
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO mira_users (name, password_hash, disabled, created_us, must_change_password) VALUES (@name, @hash, 0, @created, @must)",
            new { name, hash, created = SecuritySchema.ToMicros(created), must = mustChangePassword ? 1 : 0 }, tx, cancellationToken: ct));
        await InsertRolesAsync(c, tx, name, roles, ct);
        return new UserAccount(name, roles, false, SecuritySchema.FromMicros(SecuritySchema.ToMicros(created))) { MustChangePassword = mustChangePassword };
    }

    static Task InsertRolesAsync(DbConnection c, DbTransaction tx, string name, IReadOnlyList<string> roles, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition("INSERT INTO mira_user_roles (user_name, role) VALUES (@name, @role)",
            roles.Select(role => new { name, role }).ToArray(), tx, cancellationToken: ct));

    static async Task<bool> ExistsAsync(DbConnection c, DbTransaction tx, string name, CancellationToken ct) =>
        await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM mira_users WHERE name = @name", new { name }, tx, cancellationToken: ct)) > 0;

    internal static async Task<IReadOnlyList<string>> LoadRolesAsync(DbConnection c, DbTransaction? tx, string name, CancellationToken ct)
    {
        var held = (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT role FROM mira_user_roles WHERE user_name = @name", new { name }, tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        return held.Order(StringComparer.Ordinal).ToArray();
    }

    const string SelectUser = "SELECT name AS Name, password_hash AS PasswordHash, disabled AS Disabled, created_us AS CreatedUs, "
        + "must_change_password AS MustChangePassword FROM mira_users";

    static UserAccount ToAccount(UserRow r, IReadOnlyList<string> roles) =>
        new(r.Name, roles, r.Disabled != 0, SecuritySchema.FromMicros(r.CreatedUs)) { MustChangePassword = r.MustChangePassword != 0 };

    sealed class UserRow
    {
        public string Name { get; init; } = "";
        public string PasswordHash { get; init; } = "";
        public long Disabled { get; init; }
        public long CreatedUs { get; init; }
        public long MustChangePassword { get; init; }
    }
}
