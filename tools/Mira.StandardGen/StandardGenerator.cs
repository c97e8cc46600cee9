using System.Text;

namespace Mira.StandardGen;

/// <summary>
/// Generates src/Mira.Dicom/Generated/*.g.cs from the pinned standard tables: the PS3.6 §6 data dictionary
/// with the PS3.7 Annex E command dictionary, the keyword tag constants, the PS3.6 Annex A UID registry and the
/// private data dictionary (Data/private-dictionary.tsv).
/// Output is deterministic: stable order, LF line endings, invariant culture, ASCII only.
/// </summary>
public static class StandardGenerator
{
    public const string DictionaryFile = "DicomDictionary.g.cs";
    public const string TagsFile = "DicomTags.g.cs";
    public const string UidsFile = "DicomUids.g.cs";
    public const string PrivateFile = "PrivateDictionary.g.cs";

    /// <summary>Generates every file in memory: file name → content.</summary>
    public static IReadOnlyDictionary<string, string> Generate(string standardDir)
    {
        var attributes = StandardTables.ReadAttributes(standardDir);
        var commands = StandardTables.ReadCommands();
        var elements = MergeElements(attributes, commands);
        var uids = MergeUids(StandardTables.ReadSops(standardDir), StandardTables.ReadExtraUids());
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [DictionaryFile] = DictionaryWriter.Write(elements, attributes.Count, commands.Count),
            [TagsFile] = TagsWriter.Write(elements),
            [UidsFile] = UidsWriter.Write(uids),
            [PrivateFile] = PrivateWriter.Write(StandardTables.ReadPrivate()),
        };
    }

    /// <summary>Writes the generated files into <paramref name="outDir"/>; returns the names written.</summary>
    public static IReadOnlyList<string> Write(string standardDir, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var files = Generate(standardDir);
        foreach (var (name, text) in files)
            File.WriteAllText(Path.Combine(outDir, name), text, new UTF8Encoding(false));
        return files.Keys.ToList();
    }

    /// <summary>
    /// Regenerates in memory and compares with <paramref name="outDir"/>; returns one line per file that differs,
    /// is missing, or is a stray *.g.cs the generator does not produce. Empty when the code is up to date.
    /// </summary>
    public static IReadOnlyList<string> Check(string standardDir, string outDir)
    {
        var problems = new List<string>();
        var files = Generate(standardDir);
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(outDir, name);
            if (!File.Exists(path))
            {
                problems.Add($"missing: {name}");
                continue;
            }
            // A checkout with CRLF conversion still counts as up to date; any other byte differs.
            var onDisk = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
            if (!string.Equals(onDisk, text, StringComparison.Ordinal))
                problems.Add($"differs: {name} ({FirstDifference(onDisk, text)})");
        }
        if (Directory.Exists(outDir))
            foreach (var path in Directory.EnumerateFiles(outDir, "*.g.cs").Order(StringComparer.Ordinal))
                if (!files.ContainsKey(Path.GetFileName(path)))
                    problems.Add($"not generated: {Path.GetFileName(path)}");
        return problems;
    }

    static string FirstDifference(string actual, string expected)
    {
        var a = actual.Split('\n');
        var e = expected.Split('\n');
        for (var i = 0; i < Math.Min(a.Length, e.Length); i++)
            if (!string.Equals(a[i], e[i], StringComparison.Ordinal))
                return $"first difference at line {i + 1}";
        return $"{a.Length} lines on disk, {e.Length} expected";
    }

    /// <summary>PS3.6 and PS3.7 entries sorted by tag then mask; a tag defined twice is an error.</summary>
    static List<ElementRow> MergeElements(List<ElementRow> attributes, List<ElementRow> commands)
    {
        var all = attributes.Concat(commands).OrderBy(e => e.Tag).ThenByDescending(e => e.Mask).ToList();
        for (var i = 1; i < all.Count; i++)
            if (all[i].Tag == all[i - 1].Tag && all[i].Mask == all[i - 1].Mask)
                throw new InvalidOperationException($"tag {CSharpText.TagText(all[i].Tag, all[i].Mask)} defined twice");
        return all;
    }

    /// <summary>sops.json rows plus the hand-written rows; a hand-written row with the same UID replaces the sops.json one.</summary>
    static List<UidRow> MergeUids(List<UidRow> sops, List<UidRow> extra)
    {
        var byUid = new Dictionary<string, UidRow>(StringComparer.Ordinal);
        foreach (var s in sops)
            if (!byUid.TryAdd(s.Uid, s)) throw new InvalidOperationException($"sops.json lists {s.Uid} twice");
        var seenExtra = new HashSet<string>(StringComparer.Ordinal);
        foreach (var x in extra)
        {
            if (!seenExtra.Add(x.Uid)) throw new InvalidOperationException($"uids.tsv lists {x.Uid} twice");
            byUid[x.Uid] = x;
        }
        var rows = byUid.Values.OrderBy(u => u.Uid, UidComparer.Instance).ToList();
        var dup = rows.GroupBy(u => u.Keyword, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new InvalidOperationException($"UID keyword {dup.Key} used by {string.Join(", ", dup.Select(u => u.Uid))}");
        foreach (var u in rows)
        {
            if (!CSharpText.IsIdentifier(u.Keyword)) throw new InvalidOperationException($"bad keyword '{u.Keyword}' for {u.Uid}");
            if (!UidsWriter.KnownTypes.Contains(u.Type)) throw new InvalidOperationException($"unknown UID type '{u.Type}' for {u.Uid}");
        }
        return rows;
    }

    /// <summary>Orders UIDs arc by arc numerically (1.2.10 after 1.2.9).</summary>
    sealed class UidComparer : IComparer<string>
    {
        public static readonly UidComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? "").Split('.');
            var b = (y ?? "").Split('.');
            for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            {
                var c = a[i].Length != b[i].Length ? a[i].Length.CompareTo(b[i].Length) : string.CompareOrdinal(a[i], b[i]);
                if (c != 0) return c;
            }
            return a.Length.CompareTo(b.Length);
        }
    }
}
