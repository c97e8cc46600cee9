using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mira.Storage.Security;

/// <summary>The parts of an encoded password hash.</summary>
public sealed record PasswordHashParts(int Iterations, byte[] Salt, byte[] Hash);

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashing. A hash is stored as the self-describing string
/// <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (salt and hash in standard base64), so that the iteration count can be
/// raised later without invalidating existing passwords.
/// </summary>
public sealed class PasswordHasher
{
    public const string Scheme = "pbkdf2-sha256";
    public const int SaltBytes = 16;
    public const int HashBytes = 32;
    /// <summary>Upper bound accepted when parsing, so that a corrupted row cannot make a login take hours.</summary>
    public const int MaxIterations = 100_000_000;

    public PasswordHasher(int iterations = SecurityOptions.DefaultPbkdf2Iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        Iterations = iterations;
    }

    public int Iterations { get; }

    /// <summary>Hashes with a fresh random salt.</summary>
    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, Iterations, HashBytes);
        return Format(new PasswordHashParts(Iterations, salt, hash));
    }

    /// <summary>True when <paramref name="password"/> matches; false for a wrong password or a malformed hash.
    /// The comparison of the derived bytes takes constant time.</summary>
    public static bool Verify(string password, string encoded)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(encoded, out var parts)) return false;
        var actual = Derive(password, parts.Salt, parts.Iterations, parts.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, parts.Hash);
    }

    /// <summary>True when the stored hash is weaker than what this hasher would produce now.</summary>
    public bool NeedsRehash(string encoded) =>
        !TryParse(encoded, out var parts) || parts.Iterations < Iterations || parts.Salt.Length < SaltBytes || parts.Hash.Length < HashBytes;

    public static string Format(PasswordHashParts parts) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Scheme}${parts.Iterations}${Convert.ToBase64String(parts.Salt)}${Convert.ToBase64String(parts.Hash)}");

    /// <summary>Parses <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c>; strict (no extra fields, canonical decimal).</summary>
    public static bool TryParse(string? encoded, out PasswordHashParts parts)
    {
        parts = null!;
        if (string.IsNullOrEmpty(encoded)) return false;
        var fields = encoded.Split('$');
        if (fields.Length != 4 || fields[0] != Scheme) return false;
        if (!int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations < 1 || iterations > MaxIterations
            || fields[1] != iterations.ToString(CultureInfo.InvariantCulture)) return false;
        var salt = FromBase64(fields[2]);
        var hash = FromBase64(fields[3]);
        if (salt is null || hash is null || salt.Length == 0 || hash.Length < 16) return false;
        parts = new PasswordHashParts(iterations, salt, hash);
        return true;
    }

    static byte[]? FromBase64(string s)
    {
        var buffer = new byte[s.Length];
        return Convert.TryFromBase64String(s, buffer, out var n) ? buffer[..n] : null;
    }

    static byte[] Derive(string password, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, length);

    /// <summary>A random password of <paramref name="bytes"/> bytes of entropy, base64url (no padding).</summary>
    public static string GeneratePassword(int bytes = 18) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));
}
