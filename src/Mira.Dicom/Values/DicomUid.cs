using System.Buffers.Binary;
using System.Globalization;

namespace Mira.Dicom.Values;

/// <summary>Unique identifiers (PS3.5 §9): validation and generation in the <c>2.25</c> UUID-derived form (PS3.5 §B.2).</summary>
public static class DicomUid
{
    /// <summary>Maximum UID length (PS3.5 §9.1).</summary>
    public const int MaxLength = 64;

    /// <summary>The root for UIDs derived from UUIDs (PS3.5 §B.2, ITU-T X.667).</summary>
    public const string UuidRoot = "2.25";

    /// <summary>A new UID <c>2.25.&lt;decimal of a random UUID&gt;</c> (PS3.5 §B.2).</summary>
    public static string Generate() => FromGuid(Guid.NewGuid());

    /// <summary>
    /// The UID <c>2.25.n</c> where n is the UUID's 128 bits, read in the UUID's standard (big-endian) byte order
    /// as an unsigned integer and written in decimal without leading zeros (PS3.5 §B.2).
    /// </summary>
    public static string FromGuid(Guid uuid)
    {
        Span<byte> bytes = stackalloc byte[16];
        uuid.TryWriteBytes(bytes, bigEndian: true, out _);
        return FromUuidBytes(bytes);
    }

    /// <summary>
    /// A deterministic UID from a hash (e.g. SHA-256 of a source UID and a secret, for pseudonymisation): the first
    /// 16 bytes become a UUID with its version set to 8 and the RFC 9562 variant bits, then <see cref="FromGuid"/>'s form.
    /// </summary>
    public static string FromHash(ReadOnlySpan<byte> hash)
    {
        if (hash.Length < 16) throw new ArgumentException($"need at least 16 hash bytes, got {hash.Length}", nameof(hash));
        Span<byte> bytes = stackalloc byte[16];
        hash[..16].CopyTo(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (custom)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // variant 10xx
        return FromUuidBytes(bytes);
    }

    static string FromUuidBytes(ReadOnlySpan<byte> bigEndian) =>
        UuidRoot + "." + BinaryPrimitives.ReadUInt128BigEndian(bigEndian).ToString(CultureInfo.InvariantCulture);

    /// <summary>Removes trailing NUL padding (PS3.5 §9.1) and, tolerantly, surrounding spaces.</summary>
    public static string TrimPadding(string uid) => uid.Trim(' ', '\0');

    /// <summary>True when the text is a valid UID; see <see cref="Validate"/>.</summary>
    public static bool IsValid(string? uid) => uid is not null && Validate(uid) is null;

    /// <summary>
    /// Null when <paramref name="uid"/> is a valid UID (PS3.5 §9.1), else the reason: at most 64 characters of digit
    /// components separated by '.', no empty component, no leading zero in a multi-digit component. Trailing NUL
    /// padding is not part of the value and is ignored.
    /// </summary>
    public static string? Validate(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        var s = uid.AsSpan().TrimEnd('\0');
        if (s.IsEmpty) return "UID is empty";
        if (s.Length > MaxLength) return $"UID is {s.Length} characters, more than {MaxLength}";
        if (s[0] == '.') return "UID must not start with '.'";
        if (s[^1] == '.') return "UID must not end with '.'";
        int componentStart = 0;
        for (int i = 0; i <= s.Length; i++)
        {
            if (i == s.Length || s[i] == '.')
            {
                int len = i - componentStart;
                if (len == 0) return $"UID has an empty component at position {i}";
                if (len > 1 && s[componentStart] == '0') return $"UID component '{s[componentStart..i]}' has a leading zero";
                componentStart = i + 1;
            }
            else if (!ValueText.IsDigit(s[i]))
                return $"UID contains '{s[i]}'; only digits and '.' are allowed";
        }
        return null;
    }
}
