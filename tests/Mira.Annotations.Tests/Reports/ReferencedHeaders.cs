using Mira.Conversion;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Annotations.Tests.Reports;

/// <summary>Headers of small synthetic images (the attributes an SR copies and references), and helpers to run peers on SRs.</summary>
static class ReferencedHeaders
{
    public const string Study = "1.2.826.0.1.3680043.8.498.1";

    static DicomDataset Common(string sopClass, string series, string instance, int columns, int rows) => new DicomDataset()
        .Set(DicomTags.SOPClassUID, sopClass)
        .Set(DicomTags.SOPInstanceUID, instance)
        .Set(DicomTags.StudyDate, "20240105")
        .Set(DicomTags.StudyTime, "101500")
        .Set(DicomTags.AccessionNumber, "ACC1")
        .Set(DicomTags.ReferringPhysicianName, "")
        .Set(DicomTags.PatientName, "Test^Patient")
        .Set(DicomTags.PatientID, "MIRA-P1")
        .Set(DicomTags.PatientBirthDate, "19700101")
        .Set(DicomTags.PatientSex, "F")
        .Set(DicomTags.StudyInstanceUID, Study)
        .Set(DicomTags.SeriesInstanceUID, series)
        .Set(DicomTags.StudyID, "S1")
        .Set(DicomAttributes.US(DicomTags.Columns, columns))
        .Set(DicomAttributes.US(DicomTags.Rows, rows));

    /// <summary>A fundus photograph (Ophthalmic Photography 8 Bit), no pixel spacing.</summary>
    public static DicomDataset Fundus(int n = 1) =>
        Common("1.2.840.10008.5.1.4.1.1.77.1.5.1", Study + ".2", Study + ".2." + n, 64, 48).Set(DicomTags.Modality, "OP");

    /// <summary>A whole-slide level of 4 frames, 0.25 µm pixels in the shared functional groups.</summary>
    public static DicomDataset Slide(int n = 1) =>
        Common("1.2.840.10008.5.1.4.1.1.77.1.6", Study + ".3", Study + ".3." + n, 256, 256)
            .Set(DicomTags.Modality, "SM")
            .Set(DicomTags.NumberOfFrames, "4")
            .Set(DicomAttributes.Sequence(DicomTags.SharedFunctionalGroupsSequence, new DicomDataset()
                .Set(DicomAttributes.Sequence(DicomTags.PixelMeasuresSequence, new DicomDataset().Set(DicomTags.PixelSpacing, "0.00025", "0.00025")))));

    /// <summary>MR slices of one series.</summary>
    public static DicomDataset[] MrSlices(int count) =>
        Enumerable.Range(1, count).Select(k => Common("1.2.840.10008.5.1.4.1.1.4", Study + ".4", Study + ".4." + k, 8, 8).Set(DicomTags.Modality, "MR")).ToArray();

    /// <summary>Writes the bytes to a temporary file, runs dciodvfy, returns its output; fails on any "Error" line.</summary>
    public static string AssertDciodvfyClean(byte[] part10)
    {
        var tool = Mira.Testing.ExternalTool.Require("dciodvfy", "dicom3tools");
        var path = Path.Combine(Path.GetTempPath(), $"mira-sr-{Guid.NewGuid():N}.dcm");
        File.WriteAllBytes(path, part10);
        try
        {
            var (_, output) = Mira.Testing.ExternalTool.Exec(tool, [path]);
            var errors = output.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToArray();
            Assert.True(errors.Length == 0, "dciodvfy errors:\n" + output);
            return output;
        }
        finally { File.Delete(path); }
    }

    /// <summary>Reads the SR with pydicom and prints its content tree, one line per item: depth, relationship, value type, concept code, value.</summary>
    public static string[] PydicomTree(byte[] part10)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mira-sr-{Guid.NewGuid():N}.dcm");
        File.WriteAllBytes(path, part10);
        const string script = """
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
def value(i):
    vt = i.ValueType
    if vt == 'CODE': c = i.ConceptCodeSequence[0]; return f'{c.CodingSchemeDesignator}:{c.CodeValue}'
    if vt == 'TEXT': return i.TextValue
    if vt == 'PNAME': return str(i.PersonName)
    if vt == 'UIDREF': return i.UID
    if vt == 'NUM': m = i.MeasuredValueSequence[0]; return f'{float(m.NumericValue):.6g} {m.MeasurementUnitsCodeSequence[0].CodeValue}'
    if vt == 'IMAGE':
        r = i.ReferencedSOPSequence[0]; s = r.ReferencedSOPInstanceUID
        if 'ReferencedFrameNumber' in r: s += f' frame {r.ReferencedFrameNumber}'
        if 'ReferencedSegmentNumber' in r: s += f' segment {r.ReferencedSegmentNumber}'
        return s
    if vt == 'SCOORD': return i.GraphicType + ' ' + ' '.join(f'{v:g}' for v in i.GraphicData)
    return ''
def walk(items, depth):
    for i in items:
        c = i.ConceptNameCodeSequence[0] if 'ConceptNameCodeSequence' in i else None
        name = f'{c.CodingSchemeDesignator}:{c.CodeValue}' if c else '-'
        print(f'{depth}|{i.get("RelationshipType", "")}|{i.ValueType}|{name}|{value(i)}')
        if 'ContentSequence' in i: walk(i.ContentSequence, depth + 1)
walk([ds], 0)
""";
        try
        {
            var (code, output) = Mira.Testing.ExternalTool.Exec("/usr/bin/python3", ["-c", script, path]);
            Assert.True(code == 0, "pydicom failed:\n" + output);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally { File.Delete(path); }
    }

    public static DicomDataset Reread(byte[] part10) => DicomFile.Read(part10).Dataset;
}
