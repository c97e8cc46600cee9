namespace Mira.Storage.Security;

/// <summary>Tunables of the account, token and audit stores.</summary>
public sealed record SecurityOptions
{
    /// <summary>OWASP Password Storage Cheat Sheet (2023) figure for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultPbkdf2Iterations = 600_000;

    /// <summary>PBKDF2 iterations for new hashes. Stored hashes carry their own count; a lower stored count is
    /// upgraded at the next successful login. Lower it only in tests.</summary>
    public int Pbkdf2Iterations { get; init; } = DefaultPbkdf2Iterations;

    /// <summary>Shortest password accepted when setting one (NIST SP 800-63B asks for at least 8).</summary>
    public int MinimumPasswordLength { get; init; } = 8;

    /// <summary>Clock for creation times, token expiry and audit timestamps.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public static SecurityOptions Default { get; } = new();
}

/// <summary>An authenticated principal: the user name and the roles held at the time of the check.</summary>
public sealed record AuthenticatedUser(string Name, IReadOnlyList<string> Roles)
{
    /// <summary>The account must change its password before it may do anything else (<see cref="UserAccount.MustChangePassword"/>).</summary>
    public bool MustChangePassword { get; init; }

    public bool IsInRole(string role) => Roles.Contains(role, StringComparer.Ordinal);
}
