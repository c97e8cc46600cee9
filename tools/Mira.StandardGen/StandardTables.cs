using System.Globalization;
using System.Text.Json;

namespace Mira.StandardGen;

/// <summary>One data or command element as read from the tables, before code generation.</summary>
/// <param name="Tag">The tag with repeating-group digits (x) set to 0.</param>
/// <param name="Mask">The bits that identify the entry: 0 nibbles where the standard writes x.</param>
/// <param name="VRs">VR codes, first is the default; empty when the standard gives none.</param>
public sealed record ElementRow(uint Tag, uint Mask, string Name, string Keyword, IReadOnlyList<string> VRs, string VM, bool Retired);

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

    static IEnumerable<string[]> ReadTsv(string file, int columns)
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
            if (cells.Length != columns)
                throw new FormatException($"{file}:{lineNo}: expected {columns} tab-separated columns, got {cells.Length}");
            rows.Add(cells.Select(c => c.Trim()).ToArray());
        }
        return rows;
    }
}
