using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Deid.Tests;

/// <summary>
/// One case of the person-name corpus (<c>Fixtures/names/cases.tsv</c>): a Patient's Name, a Specific Character Set,
/// and a free-text value of some VR, at the top level or in items of Content Sequence, with the text expected after
/// cleaning (equal to the text when it writes no name).
/// </summary>
public sealed record NameCase(string Id, string Charset, string PersonName, DicomVR VR, int Nesting, string Text, string Cleaned, string Note)
{
    /// <summary>True when the text writes the name (cleaning changes it and the scan must find it).</summary>
    public bool HasName => Cleaned != Text;

    /// <summary>The attribute that holds the text: one that Clean Descriptors cleans at the top level (PS3.15 Table
    /// E.1-1), and in items of Content Sequence (cleaned under Clean Structured Content) any of them, or Selector UC
    /// Value, which the table does not list and so is cleaned only there.</summary>
    public DicomTag TextTag => VR switch
    {
        DicomVR.LO => DicomTags.StudyDescription,
        DicomVR.LT => DicomTags.ImageComments,
        DicomVR.SH => new DicomTag(0x0072006C),   // Selector SH Value
        DicomVR.ST => new DicomTag(0x0072006E),   // Selector ST Value
        DicomVR.UT => new DicomTag(0x00720070),   // Selector UT Value
        DicomVR.UC when Nesting > 0 => new DicomTag(0x0072006F),   // Selector UC Value
        _ => throw new InvalidDataException($"name corpus case {Id}: no attribute for {DicomVRInfo.Code(VR)} at nesting {Nesting}"),
    };

    /// <summary>Where the scanner reports the text: tags from the top, items in brackets.</summary>
    public string TextPath => string.Concat(Enumerable.Repeat(DicomTags.ContentSequence + "[0]/", Nesting)) + TextTag;

    /// <summary>The instance of this case: the name, the character set, and the text where the case puts it.</summary>
    public DicomDataset Dataset()
    {
        var ds = new DicomDataset();
        if (Charset.Length > 0) ds.Set(new DicomElement(DicomTags.SpecificCharacterSet, DicomVR.CS, Charset.Split('\\')));
        ds.Set(DicomTags.SOPClassUID, DicomUids.SecondaryCaptureImageStorage);
        ds.Set(DicomTags.SOPInstanceUID, "1.2.826.0.1.3680043.10.1499.7." + Id.Sum(c => (int)c));
        ds.Set(DicomTags.StudyInstanceUID, "1.2.826.0.1.3680043.10.1499.8");
        ds.Set(DicomTags.SeriesInstanceUID, "1.2.826.0.1.3680043.10.1499.9");
        ds.Set(DicomTags.Modality, "OT");
        ds.Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, PersonName));
        ds.Set(DicomTags.PatientID, "NAMES-0001");
        var holder = ds;
        for (var level = 0; level < Nesting; level++)
        {
            var item = new DicomDataset();
            item.Set(DicomTags.ValueType, "TEXT");
            holder.Set(new DicomSequence(DicomTags.ContentSequence, [item]));
            holder = item;
        }
        holder.Set(new DicomElement(TextTag, VR, Text));
        return ds;
    }

    /// <summary>Writes <see cref="Dataset"/> as a Part 10 file, its text encoded in the case's character set.</summary>
    public string Write(string folder, DicomDataset? dataset = null)
    {
        var path = Path.Combine(folder, Id + ".dcm");
        using var fs = File.Create(path);
        DicomFileWriter.Write(fs, dataset ?? Dataset(), TransferSyntax.ExplicitVRLittleEndian);
        return path;
    }

    /// <summary>The text element of a data set read back, at the case's path.</summary>
    public string? ReadText(DicomDataset ds)
    {
        var holder = ds;
        for (var level = 0; level < Nesting; level++)
        {
            if (holder.Find(DicomTags.ContentSequence) is not DicomSequence { Items.Count: > 0 } sq) return null;
            holder = sq.Items[0];
        }
        return holder.Find(TextTag) is { } e ? string.Join('\\', e.GetStrings(holder.CharacterSet)) : null;
    }
}

/// <summary>The cases of <c>Fixtures/names/cases.tsv</c>.</summary>
public static class NameCorpus
{
    public static string File => Path.Combine(AppContext.BaseDirectory, "Fixtures", "names", "cases.tsv");

    public static IReadOnlyList<NameCase> Cases { get; } = Load();

    static List<NameCase> Load()
    {
        var cases = new List<NameCase>();
        var header = true;
        foreach (var line in System.IO.File.ReadLines(File))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            if (header) { header = false; continue; }
            var c = line.Split('\t');
            if (c.Length != 8) throw new InvalidDataException($"{File}: '{line}' has {c.Length} columns, not 8");
            cases.Add(new NameCase(c[0], c[1], c[2], DicomVRInfo.Parse(c[3]), int.Parse(c[4], System.Globalization.CultureInfo.InvariantCulture),
                c[5], c[6] == "=" ? c[5] : c[6], c[7]));
        }
        return cases;
    }
}
