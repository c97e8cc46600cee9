using Mira.Dicom;
using Mira.Testing;

namespace Mira.Deid.Tests;

/// <summary>Builders for small data sets and a fixed project key.</summary>
static class TestData
{
    public static readonly ProjectKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    public static readonly ProjectKey OtherKey = new(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    public static DeidEngine Engine(DeidRecipe? recipe = null, ProjectKey? key = null) => new(recipe ?? DeidRecipe.Basic, key ?? Key);

    public static DeidRecipe With(params DeidOptions[] options) => DeidRecipe.Basic with
    {
        Name = "test", Options = [.. options.Select(o => o.ToString())],
    };

    public static string SharedBench => Path.Combine(Corpus.SharedRoot, "bench");
    public const string Python = "/usr/bin/python3";

    /// <summary>A CT-like instance with PHI at the top level, in a nested sequence and in a private block.</summary>
    public static DicomDataset Instance(string patientId = "MRN0001", string studyUid = "1.2.3.4", string sopUid = "1.2.3.4.5.6")
    {
        var ds = new DicomDataset();
        ds.Set(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        ds.Set(DicomTags.SOPClassUID, DicomUids.CTImageStorage);
        ds.Set(DicomTags.SOPInstanceUID, sopUid);
        ds.Set(DicomTags.StudyDate, "20240315");
        ds.Set(DicomTags.StudyTime, "231500");
        ds.Set(DicomTags.SeriesDate, "20240315");
        ds.Set(DicomTags.AccessionNumber, "ACC77");
        ds.Set(DicomTags.Modality, "CT");
        ds.Set(DicomTags.Manufacturer, "Acme");
        ds.Set(DicomTags.InstitutionName, "St. Elsewhere General");
        ds.Set(DicomTags.ReferringPhysicianName, "House^Gregory");
        ds.Set(DicomTags.StationName, "CT01");
        ds.Set(DicomTags.AdmittingDiagnosesDescription, "fracture");
        ds.Set(DicomTags.StudyDescription, "CT chest for Müller, call +49 30 1234567");
        ds.Set(DicomTags.OperatorsName, "Smith^Anna");
        ds.Set(DicomTags.PatientName, "Müller^Jürgen");
        ds.Set(DicomTags.PatientID, patientId);
        ds.Set(DicomTags.PatientBirthDate, "19560312");
        ds.Set(DicomTags.PatientSex, "M");
        ds.Set(DicomTags.PatientAge, "067Y");
        ds.Set(DicomTags.PatientWeight, "80.5");
        ds.Set(DicomTags.EthnicGroup, "SYNTH");
        ds.Set(DicomTags.DeviceSerialNumber, "SN-123");
        ds.Set(DicomTags.StudyInstanceUID, studyUid);
        ds.Set(DicomTags.SeriesInstanceUID, studyUid + ".1");
        ds.Set(DicomTags.FrameOfReferenceUID, studyUid + ".9");
        var other = new DicomDataset();
        other.Set(DicomTags.PatientID, "OLD-42");
        other.Set(DicomTags.PatientName, "Mueller^J");
        var req = new DicomDataset();
        req.Set(DicomTags.AccessionNumber, "ACC77");
        req.Set(DicomTags.RequestingPhysician, "Quinn^M");
        ds.Set(new DicomSequence(DicomTags.RequestAttributesSequence, [req]));
        var refItem = new DicomDataset();
        refItem.Set(DicomTags.ReferencedSOPClassUID, DicomUids.CTImageStorage);
        refItem.Set(DicomTags.ReferencedSOPInstanceUID, "1.2.3.4.5.7");
        var nestedPerson = new DicomDataset();
        nestedPerson.Set(DicomTags.PatientName, "Inner^Name");
        nestedPerson.Set(DicomTags.ContentDate, "20240316");
        refItem.Set(new DicomSequence(DicomTags.PurposeOfReferenceCodeSequence, [nestedPerson]));
        ds.Set(new DicomSequence(DicomTags.ReferencedImageSequence, [refItem]));
        ds.Set(new DicomSequence(DicomTags.OtherPatientIDsSequence, [other]));
        ds.Set(new DicomElement(new DicomTag(0x0009, 0x0010), DicomVR.LO, "SYNTH PRIVATE"));
        ds.Set(new DicomElement(new DicomTag(0x0009, 0x1001), DicomVR.LO, "copy of Müller^Jürgen"));
        ds.Set(new DicomElement(new DicomTag(0x0009, 0x1002), DicomVR.LO, "keep me"));
        return ds;
    }

    public static DicomDataset Deid(DicomDataset ds, DeidEngine? engine = null)
    {
        var r = (engine ?? Engine()).Deidentify(ds, TransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal(DeidStatus.Deidentified, r.Status);
        return r.Dataset!;
    }

    public static string? Str(this DicomDataset ds, DicomTag tag) => ds.GetString(tag);
}
