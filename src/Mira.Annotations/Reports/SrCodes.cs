using System.Security.Cryptography;
using System.Text;
using Mira.Annotations.Protocols;

namespace Mira.Annotations.Reports;

/// <summary>
/// The coded concepts of a TID 1500 Measurement Report (PS3.16 TID 1500, 1001, 1410, 1411, 1501, 1600, 4108), and
/// Mira's local codes (scheme 99MIRA, PS3.16 §8.2 private coding schemes) for protocol fields, values and derived
/// regions, which have no standard code. A local Code Value is a Short String (PS3.5: 16 characters at most): the
/// readable "&lt;protocol&gt;:&lt;field&gt;" when it fits, else a stable digest of it (the readable form kept in
/// Code Meaning), so the same field always gets the same code and a reader can recompute it from the protocol.
/// </summary>
public static class SrCodes
{
    public const string MiraScheme = "99MIRA";

    static CodedConcept C(string scheme, string code, string meaning) => new(scheme, code, meaning, "dicom-ps3.16");

    public static readonly CodedConcept ImagingMeasurementReport = C("DCM", "126000", "Imaging Measurement Report");
    public static readonly CodedConcept LanguageOfContent = C("DCM", "121049", "Language of Content Item and Descendants");
    public static readonly CodedConcept English = C("RFC5646", "en-US", "English (United States)");
    public static readonly CodedConcept ObserverType = C("DCM", "121005", "Observer Type");
    public static readonly CodedConcept Person = C("DCM", "121006", "Person");
    public static readonly CodedConcept PersonObserverName = C("DCM", "121008", "Person Observer Name");
    public static readonly CodedConcept PersonObserverRoleInProcedure = C("DCM", "121011", "Person Observer's Role in this Procedure");
    // TID 1004 Device Observer Identifying Attributes (an algorithm as the observer).
    public static readonly CodedConcept Device = C("DCM", "121007", "Device");
    public static readonly CodedConcept DeviceObserverUid = C("DCM", "121012", "Device Observer UID");
    public static readonly CodedConcept DeviceObserverName = C("DCM", "121013", "Device Observer Name");
    public static readonly CodedConcept DeviceObserverManufacturer = C("DCM", "121014", "Device Observer Manufacturer");
    public static readonly CodedConcept DeviceObserverModelName = C("DCM", "121015", "Device Observer Model Name");
    public static readonly CodedConcept ProcedureReported = C("DCM", "121058", "Procedure reported");
    public static readonly CodedConcept ImagingProcedure = C("SCT", "363679005", "Imaging procedure");
    public static readonly CodedConcept ImageLibrary = C("DCM", "111028", "Image Library");
    public static readonly CodedConcept ImageLibraryGroup = C("DCM", "126200", "Image Library Group");
    public static readonly CodedConcept ImagingMeasurements = C("DCM", "126010", "Imaging Measurements");
    public static readonly CodedConcept MeasurementGroup = C("DCM", "125007", "Measurement Group");
    public static readonly CodedConcept QualitativeEvaluations = C("UMLS", "C0034375", "Qualitative Evaluations");
    public static readonly CodedConcept TrackingIdentifier = C("DCM", "112039", "Tracking Identifier");
    public static readonly CodedConcept TrackingUniqueIdentifier = C("DCM", "112040", "Tracking Unique Identifier");
    public static readonly CodedConcept Finding = C("DCM", "121071", "Finding");
    public static readonly CodedConcept FindingSite = C("SCT", "363698007", "Finding Site");
    public static readonly CodedConcept ImageRegion = C("DCM", "111030", "Image Region");
    public static readonly CodedConcept ReferencedSegment = C("DCM", "121191", "Referenced Segment");
    public static readonly CodedConcept SourceSeriesForSegmentation = C("DCM", "121232", "Source series for segmentation");
    public static readonly CodedConcept Volume = C("SCT", "118565006", "Volume");
    public static readonly CodedConcept Area = C("SCT", "42798000", "Area");
    public static readonly CodedConcept Yes = C("SCT", "373066001", "Yes");
    public static readonly CodedConcept No = C("SCT", "373067005", "No");
    public static readonly CodedConcept Millilitre = C("UCUM", "mL", "milliliter");
    public static readonly CodedConcept SquareMillimetre = C("UCUM", "mm2", "square millimeter");
    /// <summary>UCUM has no pixel unit; an annotation (curly braces, UCUM §2.1.4) names it.</summary>
    public static readonly CodedConcept SquarePixel = C("UCUM", "{px2}", "square pixel");
    public static readonly CodedConcept NoUnits = C("UCUM", "1", "no units");

    /// <summary>The concept of a protocol field: (99MIRA, "&lt;protocol&gt;:&lt;field&gt;" or its digest, the field name).</summary>
    public static CodedConcept Field(Protocol protocol, ProtocolField field) =>
        Local($"{protocol.Id}:{field.Name}", "F", field.Name);

    /// <summary>A field value without a code of its own: (99MIRA, "&lt;field&gt;:&lt;value&gt;" or a digest, the value's meaning).</summary>
    public static CodedConcept Value(Protocol protocol, ProtocolField field, FieldValue value)
    {
        var readable = $"{field.Name}:{value.Value}";
        return readable.Length <= 16
            ? new CodedConcept(MiraScheme, readable, Meaning(value.Meaning), "local")
            : Local($"{protocol.Id}:{readable}", "V", Meaning(value.Meaning));
    }

    /// <summary>The coded value of an answer: the protocol's code when it gives one, else the local code.</summary>
    public static CodedConcept ValueCode(Protocol protocol, ProtocolField field, FieldValue value) => value.Code ?? Value(protocol, field, value);

    /// <summary>A derived region (a union of labels, e.g. BraTS TC) as a finding: (99MIRA, "&lt;protocol&gt;:&lt;region&gt;" or a digest).</summary>
    public static CodedConcept Region(Protocol protocol, DerivedRegion region) =>
        Local($"{protocol.Id}:{region.Name}", "R", $"{region.Name} (labels {string.Join("+", region.From)})");

    static CodedConcept Local(string readable, string prefix, string meaning) =>
        readable.Length <= 16
            ? new CodedConcept(MiraScheme, readable, Meaning(meaning), "local")
            : new CodedConcept(MiraScheme, prefix + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(readable)))[..15], Meaning(meaning), "local");

    /// <summary>Code Meaning is a Long String: 64 characters, no backslash.</summary>
    static string Meaning(string s)
    {
        s = s.Replace('\\', '/').Trim();
        return s.Length > 64 ? s[..64] : s.Length == 0 ? "-" : s;
    }
}
