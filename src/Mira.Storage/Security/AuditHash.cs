using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mira.Storage.Security;

/// <summary>
/// The canonical encoding hashed for each audit record (version 1). Fields are written in a fixed order with no
/// separators that could be forged by field contents:
/// <code>
///   "mira-audit/1"                         ASCII domain tag
///   sequence                               int64 big-endian
///   time                                   int64 big-endian, microseconds since 1970-01-01T00:00:00Z
///   actor, action, resource, client,
///   outcome, details                       each: 0x00 for null, or 0x01 + uint32 big-endian byte length + UTF-8
///   previous hash                          32 raw bytes (genesis: 32 zero bytes)
/// </code>
/// Hash = SHA-256 of that byte string.
/// </summary>
static class AuditHash
{
    public const int Size = 32;
    public static readonly string Genesis = new('0', Size * 2);
    static readonly byte[] Tag = "mira-audit/1"u8.ToArray();

    public static string Compute(long sequence, long timeUs, string actor, string action, string? resource, string? client,
        string outcome, string? details, ReadOnlySpan<byte> previousHash)
    {
        if (previousHash.Length != Size) throw new ArgumentException("A previous hash is 32 bytes.", nameof(previousHash));
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        h.AppendData(Tag);
        BinaryPrimitives.WriteInt64BigEndian(number, sequence);
        h.AppendData(number);
        BinaryPrimitives.WriteInt64BigEndian(number, timeUs);
        h.AppendData(number);
        foreach (var field in (ReadOnlySpan<string?>)[actor, action, resource, client, outcome, details])
            AppendString(h, field);
        h.AppendData(previousHash);
        return SecuritySchema.Hex(h.GetHashAndReset());
    }

    static void AppendString(IncrementalHash h, string? s)
    {
        Span<byte> head = stackalloc byte[5];
        if (s is null)
        {
            head[0] = 0;
            h.AppendData(head[..1]);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(s);
        head[0] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(head[1..], (uint)bytes.Length);
        h.AppendData(head);
        h.AppendData(bytes);
    }

    /// <summary>Decodes a stored 64-character lowercase hex hash; null when malformed.</summary>
    public static byte[]? TryDecode(string? hex)
    {
        if (hex is null || hex.Length != Size * 2) return null;
        var bytes = new byte[Size];
        return Convert.FromHexString(hex, bytes, out _, out var written) == System.Buffers.OperationStatus.Done && written == Size
            && SecuritySchema.Hex(bytes) == hex ? bytes : null;
    }
}
