using System.Globalization;
using System.Text.Json;

namespace Mira.StandardGen;

/// <summary>One data or command element as read from the tables, before code generation.</summary>
/// <param name="Tag">The tag with repeating-group digits (x) set to 0.</param>
/// <param name="Mask">The bits that identify the entry: 0 nibbles where the standard writes x.</param>
/// <param name="VRs">VR codes, first is the default; empty when the standard gives none.</param>
public sealed record ElementRow(uint Tag, uint Mask, string Name, string Keyword, IReadOnlyList<string> VRs, string VM, bool Retired);

/// <summary>One private data element of Data/private-dictionary.tsv.</summary>
/// <param name="Group">The group with wildcard (x) digits set to 0.</param>
/// <param name="GroupMask">The bits of the group that identify the entry: 0xFFFF, or e.g. 0xFF00 for 60xx.</param>
/// <param name="Element">The low byte of the element, (gggg,xxee).</param>
public sealed record PrivateRow(string Creator, ushort Group, ushort GroupMask, byte Element, string VR, string VM, string Name);

/// <summary>One UID registry entry (PS3.6 Annex A).</summary>
public sealed record UidRow(string Uid, string Name, string Keyword, string Type, bool Retired);

/// <summary>Reads the pinned standard tables (../shared/dicom-standard) and the hand-written data files.</summary>
public static class StandardTables
{
    /// <summary>PS3.6 §6 data dictionary from attributes.json.</summary>
    public static List<ElementRow> ReadAttributes(string standardDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(standardDir, "attributes.json")));
        var rows = new List<ElementRow>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var (tag, mask) = ParseTag(Str(e, "tag"));
            rows.Add(new ElementRow(tag, mask, Str(e, "name"), Str(e, "keyword"),
                ParseVRs(Str(e, "valueRepresentation")), Str(e, "valueMultiplicity"), Str(e, "retired") == "Y"));
        }
        return rows;
    }

    /// <summary>PS3.7 Annex E command dictionary from the embedded Data/commands.tsv.</summary>
    public static List<ElementRow> ReadCommands() =>
        ReadTsv("commands.tsv", 6).Select(c =>
        {
            var (tag, mask) = ParseTag(c[0]);
            return new ElementRow(tag, mask, c[1], c[2], ParseVRs(c[3]), c[4], ParseFlag(c[5]));
        }).ToList();

    /// <summary>SOP classes from sops.json; all are SOP Classes that the table lists as current.</summary>
    public static List<UidRow> ReadSops(string standardDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(standardDir, "sops.json")));
        return doc.RootElement.EnumerateArray()
            .Select(e => new UidRow(Str(e, "id"), Str(e, "name"), UidKeyword.FromName(Str(e, "name")), "SopClass", false))
            .ToList();
    }

    /// <summary>The hand-written UID rows from the embedded Data/uids.tsv.</summary>
    public static List<UidRow> ReadExtraUids() =>
        ReadTsv("uids.tsv", 5).Select(c => new UidRow(c[0], c[1], c[2], c[3], ParseFlag(c[4]))).ToList();

    /// <summary>
    /// The private dictionary from the embedded Data/private-dictionary.tsv (converted once from pydicom 2.3.1's
    /// _private_dict.py, see the file's header), sorted by creator, group, element; a repeated key is an error.
    /// </summary>
    public static List<PrivateRow> ReadPrivate()
    {
        var rows = new List<PrivateRow>();
        foreach (var c in ReadTsv("private-dictionary.tsv", 6, allowEmptyLast: true))
        {
            if (c[0].Length == 0) throw new FormatException("private-dictionary.tsv: empty creator");
            if (c[1].Length != 4 || c[2].Length != 2) throw new FormatException($"private-dictionary.tsv: bad tag {c[1]},{c[2]}");
            var (tag, mask) = ParseTag(c[1] + "00" + c[2]);
            if (c[3].Length != 2 || !c[3].All(char.IsAsciiLetterUpper)) throw new FormatException($"private-dictionary.tsv: bad VR '{c[3]}'");
            rows.Add(new PrivateRow(c[0], (ushort)(tag >> 16), (ushort)(mask >> 16), (byte)tag, c[3], c[4], c[5]));
        }
        rows = rows.OrderBy(r => r.Creator, StringComparer.Ordinal).ThenBy(r => r.Group).ThenBy(r => r.Element).ToList();
        for (var i = 1; i < rows.Count; i++)
            if (rows[i].Creator == rows[i - 1].Creator && rows[i].Group == rows[i - 1].Group && rows[i].Element == rows[i - 1].Element)
                throw new InvalidOperationException($"private-dictionary.tsv lists ({rows[i].Creator}, {rows[i].Group:X4}, {rows[i].Element:X2}) twice");
        return rows;
    }

    /// <summary>
    /// Parses <c>(gggg,eeee)</c> where any hex digit may be <c>x</c> (repeating groups, PS3.5 §7.6 and PS3.6 §6),
    /// giving the tag with those digits 0 and a mask with those nibbles 0.
    /// </summary>
    public static (uint Tag, uint Mask) ParseTag(string text)
    {
        var s = text.Trim().TrimStart('(').TrimEnd(')').Replace(",", "", StringComparison.Ordinal);
        if (s.Length != 8) throw new FormatException($"bad tag '{text}'");
        uint tag = 0, mask = 0;
        foreach (var ch in s)
        {
            tag <<= 4;
            mask <<= 4;
            if (ch is 'x' or 'X') continue;
            tag |= (uint)int.Parse(ch.ToString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            mask |= 0xF;
        }
        return (tag, mask);
    }

    /// <summary>"US or SS" → [US, SS]; "" and "See Note 2" (the item delimiters have no VR, PS3.5 §7.5) → [].</summary>
    public static IReadOnlyList<string> ParseVRs(string text)
    {
        var t = text.Trim();
        if (t.Length == 0 || t.StartsWith("See Note", StringComparison.Ordinal)) return [];
        var parts = t.Split(" or ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var p in parts)
            if (p.Length != 2 || !p.All(char.IsAsciiLetterUpper))
                throw new FormatException($"bad VR '{text}'");
        return parts;
    }

    static bool ParseFlag(string s) => s switch
    {
        "Y" => true,
        "N" => false,
        _ => throw new FormatException($"bad retired flag '{s}'"),
    };

    static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    /// <param name="allowEmptyLast">Accept a row lacking its last column (an empty value whose tab an editor trimmed).</param>
    static IEnumerable<string[]> ReadTsv(string file, int columns, bool allowEmptyLast = false)
    {
        var name = "Mira.StandardGen.Data." + file;
        using var stream = typeof(StandardTables).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"missing embedded resource {name}");
        using var reader = new StreamReader(stream);
        var rows = new List<string[]>();
        var lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var cells = line.Split('\t');
            if (allowEmptyLast && cells.Length == columns - 1) cells = [.. cells, ""];
            if (cells.Length != columns)
                throw new FormatException($"{file}:{lineNo}: expected {columns} tab-separated columns, got {cells.Length}");
            rows.Add(cells.Select(c => c.Trim()).ToArray());
        }
        return rows;
    }
}
