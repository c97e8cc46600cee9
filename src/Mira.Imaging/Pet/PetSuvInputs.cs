using System.Globalization;
using System.Text;
using System.Text.Json;
using Mira.Dicom;

namespace Mira.Imaging.Pet;

/// <summary>
/// The attributes of one PET image (PS3.3 §C.8.9.1 PET Series, §C.8.9.2 PET Isotope, §C.7.1.3 Patient Study,
/// §C.7.3.1 General Series, §C.7.6.1 General Image) that the SUV computation reads. Text values are kept as they were
/// written (DICOM DA/TM/DT strings) so that a refusal can quote them; <see cref="PetSuv"/> parses and checks them.
/// </summary>
public sealed record PetSuvInputs
{
    /// <summary>Where the values came from (a path, <c>path#index</c>); used in messages only.</summary>
    public string Source { get; init; } = "";

    public string? SeriesInstanceUid { get; init; }

    /// <summary>Units (0054,1001): BQML, CNTS, GML, …</summary>
    public string? Units { get; init; }

    /// <summary>Decay Correction (0054,1102): START, ADMIN or NONE.</summary>
    public string? DecayCorrection { get; init; }

    /// <summary>Corrected Image (0028,0051) values (ATTN, DECY, …).</summary>
    public IReadOnlyList<string> CorrectedImage { get; init; } = [];

    /// <summary>Patient's Weight (0010,1030) in kg.</summary>
    public double? PatientWeightKg { get; init; }

    /// <summary>Patient's Size (0010,1020) in m (only for SUL / SUVbsa).</summary>
    public double? PatientSizeM { get; init; }

    /// <summary>Patient's Sex (0010,0040): M, F or O (only for SUL).</summary>
    public string? PatientSex { get; init; }

    public string? SeriesDate { get; init; }
    public string? SeriesTime { get; init; }
    public string? AcquisitionDate { get; init; }
    public string? AcquisitionTime { get; init; }

    /// <summary>Frame Reference Time (0054,1300) in ms.</summary>
    public double? FrameReferenceTimeMs { get; init; }

    /// <summary>Actual Frame Duration (0018,1242) in ms.</summary>
    public double? ActualFrameDurationMs { get; init; }

    /// <summary>Radiopharmaceutical Start Time (0018,1072) of the first Radiopharmaceutical Information Sequence item.</summary>
    public string? RadiopharmaceuticalStartTime { get; init; }

    /// <summary>Radiopharmaceutical Start DateTime (0018,1078) of the same item.</summary>
    public string? RadiopharmaceuticalStartDateTime { get; init; }

    /// <summary>Radionuclide Total Dose (0018,1074) in Bq (at the start time, not corrected for residual activity).</summary>
    public double? RadionuclideTotalDoseBq { get; init; }

    /// <summary>Radionuclide Half Life (0018,1075) in s.</summary>
    public double? RadionuclideHalfLifeS { get; init; }

    /// <summary>Philips SUV Scale Factor (7053,xx00, creator "Philips PET Private Group").</summary>
    public double? PhilipsSuvScaleFactor { get; init; }

    /// <summary>Philips Activity Concentration Scale Factor (7053,xx09): CNTS × slope × this = Bq/ml.</summary>
    public double? PhilipsActivityConcentrationScaleFactor { get; init; }

    /// <summary>GE post-injection scan date and time (0009,xx0D, creator "GEMS_PETD_01"), a DT.</summary>
    public string? GePostInjectionDateTime { get; init; }

    /// <summary>Reads the attributes from a data set; absent or unreadable values stay null.</summary>
    public static PetSuvInputs FromDataset(DicomDataset ds, string source = "")
    {
        var rp = ds.GetSequence(DicomTags.RadiopharmaceuticalInformationSequence) is { Items.Count: > 0 } seq ? seq.Items[0] : null;
        return new PetSuvInputs
        {
            Source = source,
            SeriesInstanceUid = Text(ds, DicomTags.SeriesInstanceUID),
            Units = Text(ds, DicomTags.Units),
            DecayCorrection = Text(ds, DicomTags.DecayCorrection),
            CorrectedImage = ds.TryGetStrings(DicomTags.CorrectedImage, out var corrected) ? corrected : [],
            PatientWeightKg = Number(ds, DicomTags.PatientWeight),
            PatientSizeM = Number(ds, DicomTags.PatientSize),
            PatientSex = Text(ds, DicomTags.PatientSex),
            SeriesDate = Text(ds, DicomTags.SeriesDate),
            SeriesTime = Text(ds, DicomTags.SeriesTime),
            AcquisitionDate = Text(ds, DicomTags.AcquisitionDate),
            AcquisitionTime = Text(ds, DicomTags.AcquisitionTime),
            FrameReferenceTimeMs = Number(ds, DicomTags.FrameReferenceTime),
            ActualFrameDurationMs = Number(ds, DicomTags.ActualFrameDuration),
            RadiopharmaceuticalStartTime = rp is null ? null : Text(rp, DicomTags.RadiopharmaceuticalStartTime),
            RadiopharmaceuticalStartDateTime = rp is null ? null : Text(rp, DicomTags.RadiopharmaceuticalStartDateTime),
            RadionuclideTotalDoseBq = rp is null ? null : Number(rp, DicomTags.RadionuclideTotalDose),
            RadionuclideHalfLifeS = rp is null ? null : Number(rp, DicomTags.RadionuclideHalfLife),
            PhilipsSuvScaleFactor = PrivateNumber(ds, "Philips PET Private Group", 0x7053, 0x00),
            PhilipsActivityConcentrationScaleFactor = PrivateNumber(ds, "Philips PET Private Group", 0x7053, 0x09),
            GePostInjectionDateTime = PrivateText(ds, "GEMS_PETD_01", 0x0009, 0x0D),
        };
    }

    /// <summary>
    /// Reads one instance object in the JSON shape of the calculate-suv test data (keyword → value, the
    /// radiopharmaceutical attributes flattened, <c>PhilipsPETPrivateGroup</c> with <c>SUVScaleFactor</c> and
    /// <c>ActivityConcentrationScaleFactor</c>, <c>GEPrivatePostInjectionDateTime</c>); numbers may be JSON numbers or strings.
    /// </summary>
    public static PetSuvInputs FromKeywordJson(JsonElement o, string source = "")
    {
        if (o.ValueKind != JsonValueKind.Object) throw new ImagingException($"{source}: an instance must be a JSON object");
        JsonElement? philips = o.TryGetProperty("PhilipsPETPrivateGroup", out var p) && p.ValueKind == JsonValueKind.Object ? p : null;
        return new PetSuvInputs
        {
            Source = source,
            SeriesInstanceUid = JText(o, "SeriesInstanceUID"),
            Units = JText(o, "Units"),
            DecayCorrection = JText(o, "DecayCorrection"),
            CorrectedImage = o.TryGetProperty("CorrectedImage", out var ci)
                ? ci.ValueKind == JsonValueKind.Array ? ci.EnumerateArray().Select(e => (e.GetString() ?? "").Trim()).ToArray()
                : (ci.GetString() ?? "").Split('\\', StringSplitOptions.TrimEntries)
                : [],
            PatientWeightKg = JNumber(o, "PatientWeight"),
            PatientSizeM = JNumber(o, "PatientSize"),
            PatientSex = JText(o, "PatientSex"),
            SeriesDate = JText(o, "SeriesDate"),
            SeriesTime = JText(o, "SeriesTime"),
            AcquisitionDate = JText(o, "AcquisitionDate"),
            AcquisitionTime = JText(o, "AcquisitionTime"),
            FrameReferenceTimeMs = JNumber(o, "FrameReferenceTime"),
            ActualFrameDurationMs = JNumber(o, "ActualFrameDuration"),
            RadiopharmaceuticalStartTime = JText(o, "RadiopharmaceuticalStartTime"),
            RadiopharmaceuticalStartDateTime = JText(o, "RadiopharmaceuticalStartDateTime"),
            RadionuclideTotalDoseBq = JNumber(o, "RadionuclideTotalDose"),
            RadionuclideHalfLifeS = JNumber(o, "RadionuclideHalfLife"),
            PhilipsSuvScaleFactor = philips is { } ph ? JNumber(ph, "SUVScaleFactor") : null,
            PhilipsActivityConcentrationScaleFactor = philips is { } pa ? JNumber(pa, "ActivityConcentrationScaleFactor") : null,
            GePostInjectionDateTime = JText(o, "GEPrivatePostInjectionDateTime"),
        };
    }

    /// <summary>An array of instance objects (<see cref="FromKeywordJson"/>); each gets the source <c>label#index</c>.</summary>
    public static IReadOnlyList<PetSuvInputs> FromKeywordJsonArray(string json, string label)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object) return [FromKeywordJson(root, label)];
        if (root.ValueKind != JsonValueKind.Array) throw new ImagingException($"{label}: expected a JSON array of instances");
        return root.EnumerateArray().Select((e, i) => FromKeywordJson(e, $"{label}#{i}")).ToArray();
    }

    static string? Text(DicomDataset ds, DicomTag tag) =>
        ds.TryGetString(tag, out var s) && s.Trim() is { Length: > 0 } t ? t : null;

    static double? Number(DicomDataset ds, DicomTag tag) => ds.TryGetDouble(tag, out var v) ? v : null;

    // Private elements may arrive as UN (implicit VR files, no private dictionary entry): read their bytes as text then.
    static string? PrivateText(DicomDataset ds, string creator, ushort group, byte element)
    {
        if (ds.FindPrivateTag(creator, group, element) is not { } tag || ds.Find(tag) is not { } e) return null;
        var s = e.VR == DicomVR.UN ? Encoding.ASCII.GetString(e.Bytes.Span) : ds.TryGetString(tag, out var text) ? text : null;
        return s?.Trim('\0', ' ') is { Length: > 0 } t ? t : null;
    }

    static double? PrivateNumber(DicomDataset ds, string creator, ushort group, byte element)
    {
        if (ds.FindPrivateTag(creator, group, element) is not { } tag || ds.Find(tag) is not { } e) return null;
        if (e.VR is DicomVR.FD or DicomVR.FL or DicomVR.DS or DicomVR.IS) return Number(ds, tag);
        return PrivateText(ds, creator, group, element) is { } s && double.TryParse(s.Split('\\')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    static string? JText(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!.Trim() is { Length: > 0 } t ? t : null,
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    static double? JNumber(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.String when double.TryParse(v.GetString()!.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        } : null;
}
