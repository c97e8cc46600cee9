namespace Mira.Dicom;

/// <summary>A known private data element: creator, element byte (the low 8 bits) and VR.</summary>
/// <param name="Group">The group; where <see cref="GroupMask"/> is not 0xFFFF, the group with its wildcard digits 0.</param>
public sealed record PrivateDictionaryEntry(string Creator, ushort Group, byte Element, DicomVR VR, string VM, string Name)
{
    /// <summary>Bits of the group that identify the entry: 0xFFFF, or e.g. 0xFF00 for an entry of groups (60xx,xxee).</summary>
    public ushort GroupMask { get; init; } = 0xFFFF;

    public bool Matches(DicomTag tag) => (tag.Group & GroupMask) == Group && (byte)tag.Element == Element;
}

/// <summary>
/// Private data elements of common vendors, keyed by private creator (PS3.5 §7.8.1). Generated from
/// tools/Mira.StandardGen/Data/private-dictionary.tsv (the facts of pydicom 2.3.1's private dictionary, itself from GDCM's).
/// </summary>
public static partial class PrivateDictionary
{
    static readonly PrivateDictionaryEntry[] all = CreateEntries();
    static readonly Dictionary<(string, ushort, byte), PrivateDictionaryEntry> exact = BuildExact();
    static readonly Dictionary<string, PrivateDictionaryEntry[]> wildcard = all.Where(e => e.GroupMask != 0xFFFF)
        .GroupBy(e => e.Creator, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    static Dictionary<(string, ushort, byte), PrivateDictionaryEntry> BuildExact()
    {
        var d = new Dictionary<(string, ushort, byte), PrivateDictionaryEntry>(all.Length);
        foreach (var e in all)
            if (e.GroupMask == 0xFFFF) d.TryAdd((e.Creator, e.Group, e.Element), e);
        return d;
    }

    /// <summary>
    /// The entry for a private tag (gggg,xxee) under a creator: matched on creator, group and the low byte ee,
    /// whichever block xx the creator reserved; entries with wildcard groups such as (60xx,xxee) match any such group.
    /// Leading and trailing spaces (and NUL padding) of the creator are ignored. Null when unknown.
    /// </summary>
    public static PrivateDictionaryEntry? Lookup(string creator, DicomTag tag)
    {
        creator = creator.Trim(' ', '\0');
        if (exact.TryGetValue((creator, tag.Group, (byte)tag.Element), out var e)) return e;
        if (wildcard.TryGetValue(creator, out var candidates))
            foreach (var c in candidates)
                if (c.Matches(tag)) return c;
        return null;
    }

    /// <summary>Number of entries.</summary>
    public static int Count => exact.Count + wildcard.Values.Sum(w => w.Length);

    /// <summary>Every entry, ordered by creator, group and element.</summary>
    public static IReadOnlyList<PrivateDictionaryEntry> Entries => all;

    private static partial PrivateDictionaryEntry[] CreateEntries();
}
