using Mira.Dicom;

namespace Mira.Deid;

/// <summary>
/// The identifying values of an original instance (names, IDs, birth date, addresses, telephone numbers, accession
/// numbers, physicians, institution), wherever they occur in it, nested too. Used to clean free text (the C action)
/// and by the PHI scan to look for them in de-identified output.
/// </summary>
public sealed class PhiValues
{
    /// <summary>The attributes whose values are direct identifiers of the patient, the staff or the institution.</summary>
    public static readonly IReadOnlySet<DicomTag> Attributes = new HashSet<DicomTag>
    {
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.OtherPatientIDs, DicomTags.OtherPatientNames,
        DicomTags.PatientBirthName, DicomTags.PatientMotherBirthName, DicomTags.PatientBirthDate, DicomTags.PatientAddress,
        DicomTags.PatientTelephoneNumbers, DicomTags.MedicalRecordLocator, DicomTags.AdmissionID,
        DicomTags.AccessionNumber, DicomTags.ReferringPhysicianName, DicomTags.ReferringPhysicianAddress,
        DicomTags.ReferringPhysicianTelephoneNumbers, DicomTags.PerformingPhysicianName, DicomTags.PhysiciansOfRecord,
        DicomTags.NameOfPhysiciansReadingStudy, DicomTags.RequestingPhysician, DicomTags.OperatorsName,
        DicomTags.InstitutionName, DicomTags.InstitutionAddress, DicomTags.PersonName, DicomTags.PersonAddress,
        DicomTags.PersonTelephoneNumbers, DicomTags.ScheduledPerformingPhysicianName, DicomTags.RegionOfResidence,
        DicomTags.MilitaryRank, DicomTags.BranchOfService, DicomTags.PatientInsurancePlanCodeSequence,
    };

    readonly HashSet<string> values = new(StringComparer.OrdinalIgnoreCase);
    readonly HashSet<string> words = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whole values (at least 3 characters), e.g. "MRN12345678", "+1-555-0123", "19560312".</summary>
    public IReadOnlyCollection<string> Values => values;

    /// <summary>Name and address parts (at least 3 letters), matched as whole words, e.g. "Müller".</summary>
    public IReadOnlyCollection<string> Words => words;

    public bool IsEmpty => values.Count == 0 && words.Count == 0;

    /// <summary>Collects from a data set and every item of its sequences (depth-limited).</summary>
    public static PhiValues From(DicomDataset ds)
    {
        var phi = new PhiValues();
        phi.Add(ds, 0);
        return phi;
    }

    public void Add(DicomDataset ds, int depth)
    {
        if (depth > DatasetDeidentifier.MaxDepth) return;
        foreach (var e in ds)
        {
            if (e is DicomSequence sq)
            {
                foreach (var item in sq.Items) Add(item, depth + 1);
                continue;
            }
            if (!Attributes.Contains(e.Tag) || !DicomVRInfo.IsString(e.VR) || e.Length == 0) continue;
            string[] vs;
            try { vs = e.GetStrings(ds.CharacterSet); }
            catch (ArgumentException) { continue; }
            foreach (var v in vs) AddValue(v, e.VR);
        }
    }

    public void AddValue(string raw, DicomVR vr)
    {
        var v = raw.Trim();
        if (v.Length >= 3) values.Add(v);
        if (vr is DicomVR.PN or DicomVR.LO or DicomVR.ST or DicomVR.LT)
        {
            foreach (var part in v.Split(['^', ' ', '=', ',', '\\'], StringSplitOptions.RemoveEmptyEntries))
            {
                var p = part.Trim('.', ' ');
                if (p.Length >= 3 && p.Any(char.IsLetter) && !CommonWords.Contains(p)) words.Add(p);
            }
        }
    }

    /// <summary>Words of addresses and titles that identify nobody on their own.</summary>
    static readonly HashSet<string> CommonWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "Dr.", "Mr", "Mrs", "Ms", "Prof", "Road", "Street", "Avenue", "Hospital", "General", "Center", "Centre", "Clinic",
        "University", "the", "and", "Medical", "Imaging", "Radiology", "Department", "Institute", "Rue", "Via",
    };
}
