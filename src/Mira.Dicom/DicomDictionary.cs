using System.Collections.Frozen;

namespace Mira.Dicom;

/// <summary>One entry of the PS3.6 data dictionary (or PS3.7 command dictionary).</summary>
/// <param name="Tag">The tag; for repeating groups the tag with the x digits set to 0.</param>
/// <param name="Mask">Bits of the tag that identify the entry: 0xFFFFFFFF for ordinary entries, e.g. 0xFF00FFFF for (60xx,3000).</param>
/// <param name="VRs">Allowed VRs, first is the default (e.g. US or SS); empty when the standard gives none.</param>
public sealed record DicomDictionaryEntry(DicomTag Tag, uint Mask, string Keyword, string Name, DicomVR[] VRs, string VM, bool Retired)
{
    /// <summary>The default VR, UN when the standard gives none.</summary>
    public DicomVR VR => VRs.Length > 0 ? VRs[0] : DicomVR.UN;

    public bool Matches(DicomTag tag) => (tag.Value & Mask) == Tag.Value;
}

/// <summary>Look-ups in the generated PS3.6 and PS3.7 dictionaries.</summary>
public static partial class DicomDictionary
{
    static readonly DicomDictionaryEntry[] entries = CreateEntries();
    static readonly FrozenDictionary<uint, DicomDictionaryEntry> byTag =
        entries.Where(e => e.Mask == 0xFFFFFFFF).ToFrozenDictionary(e => e.Tag.Value);
    static readonly DicomDictionaryEntry[] repeating = entries.Where(e => e.Mask != 0xFFFFFFFF).ToArray();
    static readonly FrozenDictionary<string, DicomDictionaryEntry> byKeyword =
        entries.Where(e => e.Keyword.Length > 0).GroupBy(e => e.Keyword, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>All entries: data elements (PS3.6 §6) and command elements (PS3.7 Annex E).</summary>
    public static IReadOnlyList<DicomDictionaryEntry> Entries => entries;

    /// <summary>The entry for a public tag, including repeating groups such as (60xx,3000); null for private or unknown tags.</summary>
    public static DicomDictionaryEntry? Lookup(DicomTag tag)
    {
        if (byTag.TryGetValue(tag.Value, out var e)) return e;
        if (tag.IsPrivate) return null;
        foreach (var r in repeating)
            if (r.Matches(tag)) return r;
        return null;
    }

    public static DicomDictionaryEntry? Lookup(string keyword) =>
        byKeyword.TryGetValue(keyword, out var e) ? e : null;

    /// <summary>The dictionary VR of a tag, or UN when unknown. Group length elements are UL (PS3.5 §7.2).</summary>
    public static DicomVR VROf(DicomTag tag)
    {
        if (tag.Element == 0 && tag.Group != 0xFFFE) return DicomVR.UL;
        if (tag.IsPrivate && tag.IsPrivateCreator) return DicomVR.LO;
        return Lookup(tag)?.VR ?? DicomVR.UN;
    }

    private static partial DicomDictionaryEntry[] CreateEntries();
}
