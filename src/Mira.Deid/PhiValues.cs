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
        // Specimen and container identifiers (laboratory information system numbers that lead back to the patient).
        DicomTags.ContainerIdentifier, DicomTags.SpecimenIdentifier, DicomTags.SpecimenAccessionNumber,
    };

    readonly HashSet<string> values = new(StringComparer.OrdinalIgnoreCase);
    readonly HashSet<string> words = new(StringComparer.OrdinalIgnoreCase);
    readonly List<string> device = [];
    readonly HashSet<string> dates = new(StringComparer.Ordinal);
    readonly HashSet<string> rawDates = new(StringComparer.Ordinal);
    readonly PersonNameForms names = new();

    /// <summary>Whole values (at least 3 characters), e.g. "MRN12345678", "+1-555-0123", "19560312".</summary>
    public IReadOnlyCollection<string> Values => values;

    /// <summary>Name and address parts (at least 3 letters), matched as whole words when cleaning text, e.g. "Müller".</summary>
    public IReadOnlyCollection<string> Words => words;

    /// <summary>The written forms of every person name of the instance, all component groups (<see cref="PersonNameForms"/>).</summary>
    public PersonNameForms Names => names;

    /// <summary>Every DA value of the instance, for cleaning text only (a description such as "20200630 weekly QC").</summary>
    public IReadOnlyCollection<string> Dates => dates;

    public bool IsEmpty => values.Count == 0 && words.Count == 0 && names.Count == 0;

    /// <summary>Collects from a data set and every item of its sequences (depth-limited).</summary>
    public static PhiValues From(DicomDataset ds)
    {
        var phi = new PhiValues();
        phi.Add(ds, 0);
        return phi;
    }

    /// <summary>Placeholders that earlier de-identification or test data put in PHI attributes; they identify nobody.</summary>
    static readonly HashSet<string> Placeholders = new(StringComparer.OrdinalIgnoreCase)
    {
        DummyValues.Text, "ANONYMOUS", "ANONYMISED", "ANON", "UNKNOWN", "NONE", "N/A", "NULL", "REMOVED", "DELETED",
    };

    /// <summary>
    /// Device attributes that the profile keeps (Manufacturer, model, software, station-independent): a "PHI" value that
    /// also occurs there (test objects often name the manufacturer as the institution) says nothing about a person.
    /// </summary>
    static readonly DicomTag[] DeviceAttributes =
        [DicomTags.Manufacturer, DicomTags.ManufacturerModelName, DicomTags.SoftwareVersions, DicomTags.ImplementationVersionName];

    public void Add(DicomDataset ds, int depth)
    {
        if (depth > DatasetDeidentifier.MaxDepth) return;
        if (depth == 0)
            foreach (var t in DeviceAttributes)
                foreach (var d in ds.GetStrings(t))
                    if (d.Trim().Length > 0) device.Add(d.Trim());
        foreach (var e in ds)
        {
            if (e is DicomSequence sq)
            {
                foreach (var item in sq.Items) Add(item, depth + 1);
                continue;
            }
            if (e.VR == DicomVR.DA && e.Length != 0)
            {
                foreach (var d in ds.GetStrings(e.Tag)) AddDate(d);
                if (!Attributes.Contains(e.Tag)) continue;
            }
            if (!Attributes.Contains(e.Tag) || !DicomVRInfo.IsString(e.VR) || e.Length == 0) continue;
            if (!ds.TryGetStrings(e.Tag, out var vs)) continue;
            foreach (var v in vs) AddValue(v, e.VR, e.Tag);
        }
    }

    public void AddValue(string raw, DicomVR vr, DicomTag tag = default)
    {
        var v = raw.Trim();
        if (Placeholders.Contains(v) || !HasLetterOrDigit(v)) return;
        foreach (var d in device)
            if (d.Contains(v, StringComparison.OrdinalIgnoreCase)) return;
        if (vr == DicomVR.PN)
        {
            // Every component group (PS3.5 §6.2.1): family^given^middle^prefix^suffix, written in free text in many
            // forms ("Given Family", "王小明"); a two-character ideographic name is a name form, though no whole value.
            names.Add(v);
            var rest = v.AsSpan();
            while (true)
            {
                var cut = rest.IndexOfAny('=', '^');
                AddWord(cut < 0 ? rest : rest[..cut]);
                if (cut < 0) break;
                rest = rest[(cut + 1)..];
            }
            if (v.Length < 3) return;
            values.Add(v);
            // The alphabetic group also as "Given Family", a whole value.
            var eq = v.IndexOf('=');
            var alphabetic = eq < 0 ? v.AsSpan() : v.AsSpan(0, eq);
            var caret = alphabetic.IndexOf('^');
            if (caret < 0) return;
            var family = alphabetic[..caret].Trim();
            var given = alphabetic[(caret + 1)..];
            if (given.IndexOf('^') is var next and >= 0) given = given[..next];
            given = given.Trim();
            if (family.Length >= 3 && given.Length >= 3) values.Add(string.Concat(given, " ", family));
            return;
        }
        if (v.Length < 3) return;
        values.Add(v);
        if (tag == DicomTags.PatientAddress || tag == DicomTags.InstitutionAddress || tag == DicomTags.ReferringPhysicianAddress || tag == DicomTags.PersonAddress)
            foreach (var p in v.Split(['^', ' ', ','], StringSplitOptions.RemoveEmptyEntries)) AddWord(p);
    }

    void AddDate(string da)
    {
        if (!rawDates.Add(da)) return;   // Study, Series, Acquisition and Content Date are mostly the same day
        if (!DateTime.TryParseExact(da.Trim(), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d)) return;
        foreach (var f in (string[])["yyyyMMdd", "yyyy-MM-dd", "yyyy.MM.dd", "yyyy/MM/dd", "dd.MM.yyyy", "dd/MM/yyyy", "MM/dd/yyyy", "dd-MM-yyyy"])
            dates.Add(d.ToString(f, System.Globalization.CultureInfo.InvariantCulture));
    }

    void AddWord(ReadOnlySpan<char> part)
    {
        var p = part.Trim(". ");
        if (p.Length < 3 || !HasLetter(p)) return;
        var w = p.ToString();
        if (!CommonWords.Contains(w)) words.Add(w);
    }

    static bool HasLetterOrDigit(string s)
    {
        foreach (var c in s) if (char.IsLetterOrDigit(c)) return true;
        return false;
    }

    static bool HasLetter(ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (char.IsLetter(c)) return true;
        return false;
    }

    /// <summary>Words of addresses and titles that identify nobody on their own.</summary>
    static readonly HashSet<string> CommonWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "Dr.", "Mr", "Mrs", "Ms", "Prof", "Road", "Street", "Avenue", "Hospital", "General", "Center", "Centre", "Clinic",
        "University", "the", "and", "Medical", "Imaging", "Radiology", "Department", "Institute", "Rue", "Via",
    };
}
