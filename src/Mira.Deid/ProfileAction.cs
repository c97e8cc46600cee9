namespace Mira.Deid;

/// <summary>
/// The action codes of PS3.15 Table E.1-1 (see §E.1.1 and the table's legend):
/// D = replace with a non-zero-length dummy value consistent with the VR; Z = replace with a zero-length value or a
/// dummy; X = remove; K = keep; C = clean (replace with values of similar meaning that carry no identifying
/// information); U = replace a UID with a non-zero-length UID that is consistent within the set of instances. The
/// combined codes depend on the IOD type of the attribute; <see cref="ConfidentialityProfile"/> documents what Mira
/// applies for each.
/// </summary>
public enum ProfileAction : byte
{
    /// <summary>No entry in this column.</summary>
    None = 0,
    K, C, D, Z, X, U,
    /// <summary>X/Z: X unless Z is required to keep the IOD valid.</summary>
    XZ,
    /// <summary>X/D: X unless D is required.</summary>
    XD,
    /// <summary>X/Z/D: X unless Z or D is required.</summary>
    XZD,
    /// <summary>Z/D: Z unless D is required.</summary>
    ZD,
    /// <summary>X/Z/U*: X unless Z or replacement of the contained UIDs (U) is required.</summary>
    XZUStar,
}

/// <summary>The Application Level Confidentiality Options of PS3.15 §E.3 (plus the Basic Profile itself).</summary>
[Flags]
public enum DeidOptions
{
    None = 0,
    /// <summary>Retain Safe Private Option (§E.3.10).</summary>
    RetainSafePrivate = 1 << 0,
    /// <summary>Retain UIDs Option (§E.3.9).</summary>
    RetainUids = 1 << 1,
    /// <summary>Retain Device Identity Option (§E.3.8).</summary>
    RetainDeviceIdentity = 1 << 2,
    /// <summary>Retain Institution Identity Option (§E.3.11).</summary>
    RetainInstitutionIdentity = 1 << 3,
    /// <summary>Retain Patient Characteristics Option (§E.3.7).</summary>
    RetainPatientCharacteristics = 1 << 4,
    /// <summary>Retain Longitudinal Temporal Information with Full Dates Option (§E.3.6).</summary>
    RetainLongitudinalFullDates = 1 << 5,
    /// <summary>Retain Longitudinal Temporal Information with Modified Dates Option (§E.3.6).</summary>
    RetainLongitudinalModifiedDates = 1 << 6,
    /// <summary>Clean Descriptors Option (§E.3.5).</summary>
    CleanDescriptors = 1 << 7,
    /// <summary>Clean Structured Content Option (§E.3.4).</summary>
    CleanStructuredContent = 1 << 8,
    /// <summary>Clean Graphics Option (§E.3.3).</summary>
    CleanGraphics = 1 << 9,
    /// <summary>Clean Pixel Data Option (§E.3.1).</summary>
    CleanPixelData = 1 << 10,
}

/// <summary>One row of PS3.15 Table E.1-1: the Basic Profile action and the action of each option column.</summary>
public readonly record struct ProfileRow(
    uint Tag, uint Mask, string Name, ProfileAction Basic,
    ProfileAction SafePrivate, ProfileAction Uids, ProfileAction DeviceIdentity, ProfileAction InstitutionIdentity,
    ProfileAction PatientCharacteristics, ProfileAction FullDates, ProfileAction ModifiedDates,
    ProfileAction Descriptors, ProfileAction StructuredContent, ProfileAction Graphics)
{
    /// <summary>True when the row applies to <paramref name="tag"/> (repeating groups such as 60xx use the mask).</summary>
    public bool Matches(uint tag) => (tag & Mask) == Tag;
}
