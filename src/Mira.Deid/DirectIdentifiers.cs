using Mira.Dicom;

namespace Mira.Deid;

/// <summary>
/// The attributes that identify a patient by themselves (names, identifiers, contact details: the direct identifiers
/// of HIPAA §164.514(b)(2) that DICOM carries in the Patient module, PS3.3 §C.7.1.1, and the Accession Number), and
/// which of them a recipe would keep. PS3.15 Annex E's Basic Profile removes or replaces every one of them, and no
/// option of §E.3 retains them; only a recipe override (action K) does.
/// </summary>
public static class DirectIdentifiers
{
    /// <summary>The attributes checked, in tag order.</summary>
    public static IReadOnlyList<DicomTag> Tags { get; } =
    [
        DicomTags.AccessionNumber,
        DicomTags.PatientName,
        DicomTags.PatientID,
        DicomTags.OtherPatientIDs,
        DicomTags.OtherPatientNames,
        DicomTags.OtherPatientIDsSequence,
        DicomTags.PatientBirthName,
        DicomTags.PatientAddress,
        DicomTags.PatientMotherBirthName,
        DicomTags.MedicalRecordLocator,
        DicomTags.PatientTelephoneNumbers,
        DicomTags.PatientTelecomInformation,
    ];

    /// <summary>
    /// The direct identifiers <paramref name="recipe"/> keeps unchanged (resolved action K, options and overrides
    /// applied as <see cref="DatasetDeidentifier"/> applies them), by keyword; empty for a recipe that removes or
    /// replaces all of them.
    /// </summary>
    /// <exception cref="FormatException">The recipe itself is invalid.</exception>
    public static IReadOnlyList<string> KeptBy(DeidRecipe recipe)
    {
        var (actions, values) = recipe.CompileOverrides();
        var profile = new ConfidentialityProfile(recipe.OptionFlags, actions);
        return
        [
            .. Tags.Where(t => !values.ContainsKey(t) && profile.ActionFor(t, t == DicomTags.OtherPatientIDsSequence) == ProfileAction.K)
                .Select(t => DicomDictionary.Lookup(t)?.Keyword ?? t.ToString()),
        ];
    }
}
