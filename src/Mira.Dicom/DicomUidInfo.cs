using System.Collections.Frozen;

namespace Mira.Dicom;

/// <summary>The kinds of UID in the PS3.6 Annex A registry (Table A-1, "UID Type" column).</summary>
public enum DicomUidType
{
    TransferSyntax,
    SopClass,
    MetaSopClass,
    WellKnownSopInstance,
    ServiceClass,
    ApplicationContextName,
    CodingScheme,
    WellKnownFrameOfReference,
}

/// <summary>One registered UID (PS3.6 Annex A).</summary>
/// <param name="Uid">The UID value, e.g. 1.2.840.10008.1.2.1.</param>
/// <param name="Name">The name as in PS3.6, without the "(Retired)" suffix.</param>
/// <param name="Keyword">The keyword, also the name of the constant in <see cref="DicomUids"/>.</param>
/// <param name="Retired">True when PS3.6 marks the UID retired.</param>
public sealed record DicomUidInfo(string Uid, string Name, string Keyword, DicomUidType Type, bool Retired);

/// <summary>The generated UID registry (PS3.6 Annex A): constants per UID, <see cref="All"/> and <see cref="Find"/>.</summary>
public static partial class DicomUids
{
    static readonly DicomUidInfo[] all = CreateAll();
    static readonly FrozenDictionary<string, DicomUidInfo> byUid = all.ToFrozenDictionary(u => u.Uid, StringComparer.Ordinal);

    /// <summary>Every registered UID known to Mira, in UID order.</summary>
    public static IReadOnlyList<DicomUidInfo> All => all;

    /// <summary>
    /// The registry entry for <paramref name="uid"/>, or null when it is not a known standard UID.
    /// Trailing NUL or space padding (PS3.5 §6.2, UI values are padded to even length with NUL) is ignored.
    /// </summary>
    public static DicomUidInfo? Find(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        if (byUid.TryGetValue(uid, out var info)) return info;
        var trimmed = uid.AsSpan().TrimEnd("\0 ");
        return trimmed.Length != uid.Length && byUid.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(trimmed, out info) ? info : null;
    }

    private static partial DicomUidInfo[] CreateAll();
}
