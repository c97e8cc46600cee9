using System.Text.RegularExpressions;
using Mira.Deid;
using Mira.Dicom;

namespace Mira.Platform.Sites;

/// <summary>
/// The hub's check that an instance a site pushed was de-identified by the project's recipe (<c>docs/sites.md</c>):
/// the marks PS3.15 §E.1.1 requires and <see cref="DeidEngine"/> writes — Patient Identity Removed (0012,0062) YES,
/// the recipe's De-identification Method (0012,0063) and its De-identification Method Code Sequence (0012,0064, CID 7050)
/// — a Patient ID (0010,0020) of the pseudonym form <c>P</c> + 15 digits (<see cref="Pseudonymizer.PatientId"/>), and,
/// unless the recipe keeps UIDs (113110), Study, Series and SOP Instance UIDs of the replacement form 2.25
/// (PS3.5 §B.2). An instance that fails any is refused and nothing of it is stored.
/// </summary>
public static partial class DeidentifiedMarks
{
    [GeneratedRegex("^P[0-9]{15}$")]
    private static partial Regex PseudonymousPatientId();

    /// <summary>Null when the marks are there; else what is missing, naming the attribute.</summary>
    public static string? Check(DicomDataset ds, DeidEngine engine)
    {
        if (ds.GetString(DicomTags.PatientIdentityRemoved)?.Trim() != "YES")
            return "Patient Identity Removed (0012,0062) is not YES: the instance is not marked de-identified (PS3.15 §E.1.1); "
                   + "de-identify it on the site with the project's recipe";
        var method = ds.GetString(DicomTags.DeidentificationMethod)?.Trim();
        if (method != engine.MethodText)
            return $"De-identification Method (0012,0063) is '{method}', not the project recipe's '{engine.MethodText}'";
        var codes = ds.GetSequence(DicomTags.DeidentificationMethodCodeSequence)?.Items
            .Select(i => $"{i.GetString(DicomTags.CodingSchemeDesignator)?.Trim()}:{i.GetString(DicomTags.CodeValue)?.Trim()}")
            .Order(StringComparer.Ordinal).ToArray() ?? [];
        string[] Expected(bool cleaned) => [.. engine.MethodCodes(cleaned).Select(c => "DCM:" + c.Value).Order(StringComparer.Ordinal)];
        if (!codes.SequenceEqual(Expected(false)) && !codes.SequenceEqual(Expected(true)))
            return $"De-identification Method Code Sequence (0012,0064) holds [{string.Join(", ", codes)}], not the codes of the project recipe "
                   + $"[{string.Join(", ", Expected(false))}] (CID 7050)";
        var patientId = ds.GetString(DicomTags.PatientID)?.Trim() ?? "";
        if (!PseudonymousPatientId().IsMatch(patientId))
            return "Patient ID (0010,0020) is not a pseudonym of the project (P and 15 digits)";
        if ((engine.Profile.Options & DeidOptions.RetainUids) == 0)
            foreach (var (tag, name) in new[] { (DicomTags.StudyInstanceUID, "Study Instance UID (0020,000D)"),
                         (DicomTags.SeriesInstanceUID, "Series Instance UID (0020,000E)"), (DicomTags.SOPInstanceUID, "SOP Instance UID (0008,0018)") })
                if (ds.GetString(tag)?.Trim() is not { } uid || !uid.StartsWith("2.25.", StringComparison.Ordinal))
                    return $"{name} is not a replacement UID (2.25, PS3.5 §B.2) though the recipe does not keep UIDs";
        return null;
    }
}
