using System.Text;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Deid;

/// <summary>One value that looks identifying: file, where in it (tags from the top, items in brackets), the value, and why.</summary>
public sealed record PhiFinding(string File, string Path, string Value, string Why)
{
    public override string ToString() => $"{File}\t{Path}\t{Why}\t{Value}";
}

/// <summary>
/// Scans DICOM files for identifying text: every string value (every VR except UI, in every item of every sequence,
/// and private elements, whose bytes are read as text when they look like text) that equals or contains a PHI value
/// of the originals (<see cref="PhiValues"/>: whole values anywhere; every written form of a person name, all its
/// component groups, <see cref="PersonNameForms"/>; name words of at least three ideographs, kana or hangul; case
/// ignored), or that matches <see cref="PhiPatterns"/> (patterns are looked for in free-text VRs and private values).
/// </summary>
public static class PhiScanner
{
    static readonly DicomReadOptions ReadOptions = DicomReadOptions.Default with { StopBeforePixelData = true };

    /// <summary>The PHI values of every readable DICOM file under the given files and folders.</summary>
    public static PhiValues CollectOriginals(IEnumerable<string> paths)
    {
        var all = new PhiValues();
        foreach (var f in ExpandFiles(paths))
        {
            DicomFile file;
            try { file = DicomFile.Open(f, ReadOptions); }
            catch (Exception e) when (e is MiraException or IOException or InvalidDataException) { continue; }
            all.Add(file.Dataset, 0);
        }
        return all;
    }

    public static IEnumerable<string> ExpandFiles(IEnumerable<string> paths)
    {
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
                foreach (var f in Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)) yield return f;
            else yield return p;
        }
    }

    /// <summary>Findings in one file; a file that is not DICOM yields none.</summary>
    public static List<PhiFinding> ScanFile(string path, PhiValues? originals)
    {
        var findings = new List<PhiFinding>();
        DicomFile file;
        try { file = DicomFile.Open(path, ReadOptions); }
        catch (Exception e) when (e is MiraException or IOException or InvalidDataException) { return findings; }
        Scan(path, file.Dataset, "", originals, findings, 0);
        return findings;
    }

    static void Scan(string file, DicomDataset ds, string prefix, PhiValues? originals, List<PhiFinding> findings, int depth)
    {
        if (depth > DatasetDeidentifier.MaxDepth) return;
        foreach (var e in ds)
        {
            var where = prefix + e.Tag;
            if (e is DicomSequence sq)
            {
                for (var i = 0; i < sq.Items.Count; i++) Scan(file, sq.Items[i], $"{where}[{i}]/", originals, findings, depth + 1);
                continue;
            }
            if (e.Length <= 0 || e.VR == DicomVR.UI || e.Tag.IsPrivateCreator) continue;
            string[] values;
            bool freeText;
            if (DicomVRInfo.IsString(e.VR))
            {
                if (!ds.TryGetStrings(e.Tag, out values)) continue;
                freeText = e.VR is DicomVR.LO or DicomVR.SH or DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC or DicomVR.PN || e.Tag.IsPrivate;
            }
            else if ((e.Tag.IsPrivate || e.VR == DicomVR.UN) && e.VR is DicomVR.UN or DicomVR.OB && e.Length < 1 << 16 && AsText(e.Bytes.Span) is { } t)
            {
                values = t.Split('\\');
                freeText = true;
            }
            else continue;
            foreach (var raw in values)
            {
                var v = raw.Trim();
                if (v.Length == 0) continue;
                if (originals is not null && Match(v, originals) is { } what) findings.Add(new PhiFinding(file, where, v, what));
                if (freeText)
                    foreach (var (kind, _, _) in PhiPatterns.Find(v))
                    {
                        findings.Add(new PhiFinding(file, where, v, kind.ToString()));
                        break;
                    }
            }
        }
    }

    /// <summary>Shortest original value looked for inside longer values (shorter ones only when equal).</summary>
    public const int MinContainedLength = 6;

    /// <summary>"equals …" / "contains …" naming the original value or the written form of a name, or null.</summary>
    public static string? Match(string value, PhiValues phi)
    {
        foreach (var p in phi.Values)
        {
            if (string.Equals(value, p, StringComparison.OrdinalIgnoreCase)) return $"equals original '{p}'";
            if (p.Length >= MinContainedLength && value.Contains(p, StringComparison.OrdinalIgnoreCase)) return $"contains original '{p}'";
        }
        if (phi.Names.FindFirst(value) is { } form) return $"contains name '{form}'";
        // Lone name words only in scripts written without spaces ("やまだ"): a lone alphabetic one ("Test", "Patient" of
        // a test object's name) is also coded vocabulary that the profile keeps, so it would be reported everywhere.
        foreach (var w in phi.Words)
            if (NameScript.HasUnspacedScript(w) && TextCleaner.ContainsWord(value, w)) return $"contains word '{w}'";
        return null;
    }

    /// <summary>
    /// Scans <paramref name="paths"/>. With one output folder and one originals folder, each file is compared with the
    /// original at the same relative path (the layout <c>mira deid</c> writes), else with the union of all originals.
    /// </summary>
    public static List<PhiFinding>[] Scan(IReadOnlyList<string> paths, IReadOnlyList<string> originals)
    {
        var files = ExpandFiles(paths).ToList();
        var results = new List<PhiFinding>[files.Count];
        var paired = paths.Count == 1 && originals.Count == 1 && Directory.Exists(paths[0]) && Directory.Exists(originals[0]);
        var union = originals.Count > 0 && !paired ? CollectOriginals(originals) : null;
        Parallel.For(0, files.Count, i =>
        {
            var phi = union;
            if (paired)
            {
                var src = Path.Combine(originals[0], Path.GetRelativePath(paths[0], files[i]));
                phi = File.Exists(src) ? CollectOriginals([src]) : CollectOriginals(originals);
            }
            results[i] = ScanFile(files[i], phi);
        });
        return results;
    }

    /// <summary>Bytes read as text (UTF-8, else Latin-1) when they are printable with at most trailing NUL/space padding.</summary>
    static string? AsText(ReadOnlySpan<byte> b)
    {
        var trimmed = b.TrimEnd((byte)0).TrimEnd((byte)' ');
        if (trimmed.Length < 3) return null;
        foreach (var c in trimmed)
            if (c < 0x20 && c is not (0x09 or 0x0A or 0x0D or 0x1B)) return null;
        try { return new UTF8Encoding(false, true).GetString(trimmed); }
        catch (DecoderFallbackException) { return Encoding.Latin1.GetString(trimmed); }
    }
}
