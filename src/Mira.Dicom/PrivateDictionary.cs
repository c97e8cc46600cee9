namespace Mira.Dicom;

/// <summary>A known private data element: creator, element byte (the low 8 bits) and VR.</summary>
public sealed record PrivateDictionaryEntry(string Creator, ushort Group, byte Element, DicomVR VR, string VM, string Name);

/// <summary>Private data elements of common vendors, keyed by private creator (PS3.5 §7.8.1).</summary>
public static partial class PrivateDictionary
{
    static readonly Dictionary<(string, ushort, byte), PrivateDictionaryEntry> entries = Build();

    static Dictionary<(string, ushort, byte), PrivateDictionaryEntry> Build()
    {
        var d = new Dictionary<(string, ushort, byte), PrivateDictionaryEntry>();
        foreach (var e in CreateEntries()) d.TryAdd((e.Creator, e.Group, e.Element), e);
        return d;
    }

    /// <summary>The entry for a private tag under a creator; the group matches modulo the block the creator reserved.</summary>
    public static PrivateDictionaryEntry? Lookup(string creator, DicomTag tag) =>
        entries.TryGetValue((creator, tag.Group, (byte)tag.Element), out var e) ? e : null;

    public static int Count => entries.Count;

    private static partial PrivateDictionaryEntry[] CreateEntries();
}
