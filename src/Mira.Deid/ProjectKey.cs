using System.Security.Cryptography;
using System.Text;

namespace Mira.Deid;

/// <summary>
/// A research project's secret: the HMAC-SHA256 key from which every pseudonym, replacement UID and date shift of
/// that project is derived. The same key gives the same pseudonyms for the same patient in every study, at every
/// site; a different project's key gives unlinkable ones. Keep it in the intake zone (the vault), never with the data.
/// </summary>
public sealed class ProjectKey
{
    readonly byte[] key;

    public ProjectKey(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < 16) throw new ArgumentException($"a project key needs at least 16 bytes of secret, got {secret.Length}", nameof(secret));
        key = secret.ToArray();
    }

    /// <summary>A fresh random 32-byte key.</summary>
    public static ProjectKey Generate() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Reads a key file: a text file holding 64 hex digits or base64 of at least 16 bytes (surrounding whitespace
    /// ignored), or else its raw bytes (at least 16).
    /// </summary>
    public static ProjectKey FromFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.ASCII.GetString(bytes).Trim();
        if (text.Length >= 32 && text.Length % 2 == 0 && text.All(Uri.IsHexDigit)) return new ProjectKey(Convert.FromHexString(text));
        var buffer = new byte[text.Length];
        if (text.Length > 0 && Convert.TryFromBase64String(text, buffer, out var n) && n >= 16) return new ProjectKey(buffer.AsSpan(0, n));
        return new ProjectKey(bytes);
    }

    /// <summary>HMAC-SHA256 over a domain label and a value, so that pseudonyms of different kinds never collide.</summary>
    public void Mac(string domain, string value, Span<byte> destination)
    {
        var byteCount = Encoding.UTF8.GetByteCount(domain) + 1 + Encoding.UTF8.GetByteCount(value);
        var buffer = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        var n = Encoding.UTF8.GetBytes(domain, buffer);
        buffer[n++] = 0;
        Encoding.UTF8.GetBytes(value, buffer[n..]);
        HMACSHA256.HashData(key, buffer, destination);
    }

    /// <summary>A short, non-reversible fingerprint of the key (for run records; not the key).</summary>
    public string Fingerprint()
    {
        Span<byte> h = stackalloc byte[32];
        Mac("key-fingerprint", "", h);
        return Convert.ToHexStringLower(h[..8]);
    }
}
