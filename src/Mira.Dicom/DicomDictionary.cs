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

/// <summary>
/// Look-ups in the generated PS3.6 and PS3.7 dictionaries. Every process that reads DICOM needs this at start, so
/// start-up only indexes the generated table (tag → line); an entry is parsed the first time it is looked up.
/// </summary>
public static partial class DicomDictionary
{
    static readonly Index index = new(Table);
    static readonly Lazy<DicomDictionaryEntry[]> entries = new(() => index.All());
    static readonly Lazy<FrozenDictionary<string, DicomDictionaryEntry>> byKeyword = new(() =>
        entries.Value.Where(e => e.Keyword.Length > 0).GroupBy(e => e.Keyword, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal));

    /// <summary>All entries: data elements (PS3.6 §6) and command elements (PS3.7 Annex E).</summary>
    public static IReadOnlyList<DicomDictionaryEntry> Entries => entries.Value;

    /// <summary>The entry for a public tag, including repeating groups such as (60xx,3000); null for private or unknown tags.</summary>
    public static DicomDictionaryEntry? Lookup(DicomTag tag)
    {
        if (index.Find(tag.Value) is { } e) return e;
        if (tag.IsPrivate) return null;
        foreach (var r in index.Repeating)
            if (r.Matches(tag)) return r;
        return null;
    }

    public static DicomDictionaryEntry? Lookup(string keyword) =>
        byKeyword.Value.TryGetValue(keyword, out var e) ? e : null;

    /// <summary>The dictionary VR of a tag, or UN when unknown. Group length elements are UL (PS3.5 §7.2).</summary>
    public static DicomVR VROf(DicomTag tag)
    {
        if (tag.Element == 0 && tag.Group != 0xFFFE) return DicomVR.UL;
        if (tag.IsPrivate && tag.IsPrivateCreator) return DicomVR.LO;
        return Lookup(tag)?.VR ?? DicomVR.UN;
    }

    /// <summary>Sorted tags of the table's ordinary entries with the offsets of their lines; parsed entries cached.</summary>
    sealed class Index
    {
        readonly string table;
        readonly uint[] tags;
        readonly int[] lineStarts;
        readonly DicomDictionaryEntry?[] parsed;

        public Index(string table)
        {
            this.table = table;
            var tagList = new List<uint>(6000);
            var starts = new List<int>(6000);
            var repeating = new List<DicomDictionaryEntry>();
            var pos = 0;
            while (pos < table.Length)
            {
                var nl = table.IndexOf('\n', pos);
                var end = nl < 0 ? table.Length : nl;
                if (end - pos >= 8)
                {
                    var (value, mask) = DictionaryTable.ParseHex(table.AsSpan(pos, 8));
                    if (mask == 0xFFFFFFFF)
                    {
                        tagList.Add(value);
                        starts.Add(pos);
                    }
                    else repeating.Add(DictionaryTable.ParseElement(table.AsSpan(pos, end - pos)));
                }
                pos = end + 1;
            }
            tags = [.. tagList];
            lineStarts = [.. starts];
            Array.Sort(tags, lineStarts);
            parsed = new DicomDictionaryEntry?[tags.Length];
            Repeating = [.. repeating];
        }

        public DicomDictionaryEntry[] Repeating { get; }

        /// <summary>Every entry in table order, the same instances that look-ups return.</summary>
        public DicomDictionaryEntry[] All()
        {
            var all = new List<DicomDictionaryEntry>(tags.Length + Repeating.Length);
            var nextRepeating = 0;
            foreach (var line in table.AsSpan().EnumerateLines())
            {
                if (line.Length < 8) continue;
                var (value, mask) = DictionaryTable.ParseHex(line[..8]);
                all.Add(mask == 0xFFFFFFFF ? Find(value)! : Repeating[nextRepeating++]);
            }
            return [.. all];
        }

        public DicomDictionaryEntry? Find(uint tag)
        {
            var i = Array.BinarySearch(tags, tag);
            if (i < 0) return null;
            if (Volatile.Read(ref parsed[i]) is { } e) return e;
            var start = lineStarts[i];
            var nl = table.IndexOf('\n', start);
            e = DictionaryTable.ParseElement(table.AsSpan(start, (nl < 0 ? table.Length : nl) - start));
            Volatile.Write(ref parsed[i], e);
            return e;
        }
    }
}

/// <summary>
/// Reads the tables that tools/Mira.StandardGen writes into Generated/*.g.cs as raw string literals: one entry per
/// line, fields separated by <c>|</c>, hex digits written <c>x</c> where a tag has wildcard digits, and in text fields
/// <c>\\</c> for a backslash and <c>\uXXXX</c> for <c>|</c>, <c>"</c>, a leading <c>&gt;</c> and non-ASCII characters.
/// </summary>
internal static class DictionaryTable
{
    /// <summary>One data dictionary line: tag | VRs separated by / | VM | R if retired | keyword | name.</summary>
    public static DicomDictionaryEntry ParseElement(ReadOnlySpan<char> line)
    {
        var f = new FieldReader(line);
        var (tag, mask) = ParseHex(f.Next());
        var vrs = ParseVRs(f.Next());
        var vm = Text(f.Next());
        var retired = f.Next() is "R";
        var keyword = Text(f.Next());
        var name = Text(f.Next());
        return new DicomDictionaryEntry(new DicomTag(tag), mask, keyword, name, vrs, vm, retired);
    }

    /// <summary>Private dictionary: a line <c>&gt;creator</c>, then its entries: group | element low byte | VR | VM | name.</summary>
    public static PrivateDictionaryEntry[] ParsePrivate(string table)
    {
        var entries = new List<PrivateDictionaryEntry>(10000);
        var creator = "";
        foreach (var line in table.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty) continue;
            if (line[0] == '>')
            {
                creator = Text(line[1..]);
                continue;
            }
            var f = new FieldReader(line);
            var (group, groupMask) = ParseHex(f.Next());
            var (element, _) = ParseHex(f.Next());
            var vr = DicomVRInfo.TryParse(f.Next(), out var v) ? v : DicomVR.UN;
            var vm = Text(f.Next());
            var name = Text(f.Next());
            entries.Add(new PrivateDictionaryEntry(creator, (ushort)group, (byte)element, vr, vm, name) { GroupMask = (ushort)groupMask });
        }
        return [.. entries];
    }

    /// <summary>Hex digits with x for wildcards: the value with those digits 0 and a mask with those nibbles 0.</summary>
    internal static (uint Value, uint Mask) ParseHex(ReadOnlySpan<char> s)
    {
        uint value = 0, mask = 0;
        foreach (var ch in s)
        {
            value <<= 4;
            mask <<= 4;
            if (ch is 'x' or 'X') continue;
            value |= (uint)(char.IsAsciiDigit(ch) ? ch - '0' : (ch | 0x20) - 'a' + 10);
            mask |= 0xF;
        }
        return (value, mask);
    }

    static DicomVR[] ParseVRs(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return [];
        var vrs = new DicomVR[(s.Length + 1) / 3];
        for (var i = 0; i < vrs.Length; i++)
            vrs[i] = DicomVRInfo.TryParse(s.Slice(3 * i, 2), out var vr) ? vr : DicomVR.UN;
        return vrs;
    }

    static string Text(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return "";
        if (!s.Contains('\\')) return s.ToString();
        var sb = new System.Text.StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 >= s.Length) sb.Append(s[i]);
            else if (s[i + 1] == 'u' && i + 5 < s.Length)
            {
                sb.Append((char)ParseHex(s.Slice(i + 2, 4)).Value);
                i += 5;
            }
            else sb.Append(s[++i]);
        }
        return sb.ToString();
    }

    /// <summary>Splits a line at <c>|</c>; past the last field it gives empty fields.</summary>
    ref struct FieldReader(ReadOnlySpan<char> line)
    {
        ReadOnlySpan<char> rest = line;
        bool done;

        public ReadOnlySpan<char> Next()
        {
            if (done) return default;
            var i = rest.IndexOf('|');
            if (i < 0)
            {
                done = true;
                return rest;
            }
            var field = rest[..i];
            rest = rest[(i + 1)..];
            return field;
        }
    }
}
