using Mira.Dicom;
using Mira.Dicom.Codecs;

namespace Mira.Deid;

public enum DeidStatus
{
    /// <summary>De-identified; <see cref="DeidInstanceResult.Dataset"/> holds the output.</summary>
    Deidentified,
    /// <summary>Held back: its pixels may show burned-in identification and no cleaning rule applies (nothing to release).</summary>
    Quarantined,
}

/// <summary>The outcome for one instance: the output data set and its syntax, or the reason it was held back; the
/// original and new UIDs for the run record.</summary>
public sealed record DeidInstanceResult(
    DeidStatus Status, DicomDataset? Dataset, TransferSyntax? TransferSyntax, string? Reason,
    string? OriginalSopInstanceUid, string? SopInstanceUid, string? OriginalStudyInstanceUid, string? StudyInstanceUid,
    string? OriginalSeriesInstanceUid, string? SeriesInstanceUid, bool PixelsCleaned);

/// <summary>
/// De-identifies instances with a recipe and a project key (PS3.15 Annex E): the Basic Application Level
/// Confidentiality Profile and the recipe's options, keyed pseudonyms for Patient ID and Patient's Name, UIDs
/// replaced consistently (so references within and across instances resolve), a per-patient date shift under the
/// Modified Dates option, burned-in text quarantined or cleaned, and the de-identification attributes set (§E.1.1:
/// Patient Identity Removed YES, De-identification Method and its Code Sequence with CID 7050 codes; Longitudinal
/// Temporal Information Modified). Thread-safe: one engine serves a whole run; <see cref="MappingRecords"/> then holds
/// the original → pseudonym pairs for the vault.
/// </summary>
public sealed class DeidEngine
{
    public DeidEngine(DeidRecipe recipe, ProjectKey key)
    {
        Recipe = recipe;
        var (actions, values) = recipe.CompileOverrides();
        OverrideActions = actions;
        OverrideValues = values;
        Profile = new ConfidentialityProfile(recipe.OptionFlags);
        Pseudonyms = new Pseudonymizer(key);
        SafePrivate = [.. recipe.SafePrivate.Select(s => (s.Creator.Trim(), Convert.ToUInt16(s.Group, 16), Convert.ToByte(s.Element, 16)))];
        NeedsPhiValues = actions.ContainsValue(ProfileAction.C)
            || ConfidentialityProfileTable.Rows.Any(r => ConfidentialityProfile.Resolve(r, Profile.Options) == ProfileAction.C);
        MethodText = Truncate($"Mira {recipe.Name} v{recipe.Version} (PS3.15 Annex E)", 64);
    }

    public DeidRecipe Recipe { get; }
    public ConfidentialityProfile Profile { get; }
    public Pseudonymizer Pseudonyms { get; }

    internal Dictionary<DicomTag, ProfileAction> OverrideActions { get; }
    internal Dictionary<DicomTag, string> OverrideValues { get; }
    internal HashSet<(string Creator, ushort Group, byte Element)> SafePrivate { get; }
    /// <summary>The De-identification Method (0012,0063) this engine writes (PS3.15 §E.1.1 item 5).</summary>
    public string MethodText { get; }

    /// <summary>True when some action cleans text (C): only then are the instance's PHI values collected, before any change.</summary>
    bool NeedsPhiValues { get; }

    static readonly PhiValues Empty = new();

    /// <summary>Original → pseudonym pairs handed out so far (patient IDs and names, UIDs, date shifts): the vault's records.</summary>
    public IReadOnlyList<PseudonymRecord> MappingRecords => Pseudonyms.Records;

    /// <summary>
    /// De-identifies <paramref name="dataset"/> in place (pass a data set you own; its Pixel Data may stay lazy unless
    /// pixels are cleaned). <paramref name="syntax"/> is its transfer syntax; the result says the one to write.
    /// </summary>
    public DeidInstanceResult Deidentify(DicomDataset dataset, TransferSyntax syntax)
    {
        var sop = dataset.GetString(DicomTags.SOPInstanceUID);
        var study = dataset.GetString(DicomTags.StudyInstanceUID);
        var series = dataset.GetString(DicomTags.SeriesInstanceUID);
        PixelCleaningRule? rule = null;
        if (dataset.GetString(DicomTags.SOPClassUID) is null && dataset.Contains(DicomTags.DirectoryRecordSequence))
            return new DeidInstanceResult(DeidStatus.Quarantined, null, null,
                "media storage directory (DICOMDIR): its Referenced File IDs name the original files; build a new one for the de-identified set",
                sop, null, study, null, series, null, false);
        if (BurnedInText.ReasonToReview(dataset, Recipe) is { } reason)
        {
            rule = (Profile.Options & DeidOptions.CleanPixelData) != 0 ? BurnedInText.FindRule(dataset, Recipe) : null;
            if (rule is null) return new DeidInstanceResult(DeidStatus.Quarantined, null, null, reason, sop, null, study, null, series, null, false);
            try
            {
                syntax = BurnedInText.Blank(dataset, syntax, rule);
            }
            catch (DicomCodecException e)
            {
                return new DeidInstanceResult(DeidStatus.Quarantined, null, null, $"{reason}; pixel cleaning failed: {e.Message}", sop, null, study, null, series, null, false);
            }
        }

        var patientId = dataset.GetString(DicomTags.PatientID) ?? "";
        var shift = (Profile.Options & DeidOptions.RetainLongitudinalModifiedDates) != 0 ? Pseudonyms.ShiftFor(patientId) : default;
        var walker = new DatasetDeidentifier(this, patientId, shift, NeedsPhiValues ? PhiValues.From(dataset) : Empty)
        {
            KeepOverlay = rule is null ? null : (ds, group) => BurnedInText.BlankOverlay(ds, group, rule),
        };
        walker.Apply(dataset, 0, TextMode.Keep);
        MarkDeidentified(dataset, rule is not null);
        return new DeidInstanceResult(DeidStatus.Deidentified, dataset, syntax, null, sop, dataset.GetString(DicomTags.SOPInstanceUID),
            study, dataset.GetString(DicomTags.StudyInstanceUID), series, dataset.GetString(DicomTags.SeriesInstanceUID), rule is not null);
    }

    /// <summary>PS3.15 §E.1.1 items 4–6 and PS3.3 §C.7.1.1 / §C.7.6.1 (Longitudinal Temporal Information Modified).</summary>
    void MarkDeidentified(DicomDataset ds, bool pixelsCleaned)
    {
        var o = Profile.Options;
        ds.Set(new DicomElement(DicomTags.PatientIdentityRemoved, DicomVR.CS, "YES"));
        ds.Set(new DicomElement(DicomTags.DeidentificationMethod, DicomVR.LO, MethodText));
        var codes = new DicomSequence(DicomTags.DeidentificationMethodCodeSequence);
        foreach (var (value, meaning) in MethodCodes(pixelsCleaned)) codes.Add(Code(value, meaning));
        ds.Set(codes);
        ds.Set(new DicomElement(DicomTags.LongitudinalTemporalInformationModified, DicomVR.CS,
            (o & DeidOptions.RetainLongitudinalFullDates) != 0 ? "UNMODIFIED" : (o & DeidOptions.RetainLongitudinalModifiedDates) != 0 ? "MODIFIED" : "REMOVED"));
        if (pixelsCleaned) ds.Set(new DicomElement(DicomTags.BurnedInAnnotation, DicomVR.CS, "NO"));
    }

    /// <summary>
    /// The CID 7050 codes (PS3.16) of the De-identification Method Code Sequence (0012,0064) this engine writes: the
    /// Basic Profile (113100), Clean Pixel Data (113101) when pixels were cleaned, and one per option of the recipe.
    /// </summary>
    public IReadOnlyList<(string Value, string Meaning)> MethodCodes(bool pixelsCleaned)
    {
        var o = Profile.Options;
        var codes = new List<(string, string)> { ("113100", "Basic Application Confidentiality Profile") };
        if (pixelsCleaned) codes.Add(("113101", "Clean Pixel Data Option"));
        if ((o & DeidOptions.CleanGraphics) != 0) codes.Add(("113103", "Clean Graphics Option"));
        if ((o & DeidOptions.CleanStructuredContent) != 0) codes.Add(("113104", "Clean Structured Content Option"));
        if ((o & DeidOptions.CleanDescriptors) != 0) codes.Add(("113105", "Clean Descriptors Option"));
        if ((o & DeidOptions.RetainLongitudinalFullDates) != 0) codes.Add(("113106", "Retain Longitudinal Temporal Information Full Dates Option"));
        if ((o & DeidOptions.RetainLongitudinalModifiedDates) != 0) codes.Add(("113107", "Retain Longitudinal Temporal Information Modified Dates Option"));
        if ((o & DeidOptions.RetainPatientCharacteristics) != 0) codes.Add(("113108", "Retain Patient Characteristics Option"));
        if ((o & DeidOptions.RetainDeviceIdentity) != 0) codes.Add(("113109", "Retain Device Identity Option"));
        if ((o & DeidOptions.RetainUids) != 0) codes.Add(("113110", "Retain UIDs Option"));
        if ((o & DeidOptions.RetainSafePrivate) != 0) codes.Add(("113111", "Retain Safe Private Option"));
        if ((o & DeidOptions.RetainInstitutionIdentity) != 0) codes.Add(("113112", "Retain Institution Identity Option"));
        return codes;
    }

    /// <summary>A CID 7050 code item (scheme DCM, PS3.16).</summary>
    static DicomDataset Code(string value, string meaning)
    {
        var item = new DicomDataset();
        item.Set(new DicomElement(DicomTags.CodeValue, DicomVR.SH, value));
        item.Set(new DicomElement(DicomTags.CodingSchemeDesignator, DicomVR.SH, "DCM"));
        item.Set(new DicomElement(DicomTags.CodeMeaning, DicomVR.LO, meaning));
        return item;
    }

    static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
