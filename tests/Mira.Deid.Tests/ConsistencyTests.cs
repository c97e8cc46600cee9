using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Deid.Tests;

/// <summary>The same patient in two studies, at two sites, in two runs: one pseudonym, one date shift.</summary>
[Collection("bench")]
public sealed class ConsistencyTests(BenchRun run)
{
    [Fact]
    public void Same_patient_in_two_studies_and_two_sites_gets_the_same_pseudonym_and_date_shift()
    {
        var dir = Directory.CreateTempSubdirectory("mira-deid-2studies-");
        try
        {
            var source = Directory.GetFiles(Path.Combine(run.Data, "ct"), "*.dcm").Order(StringComparer.Ordinal).First();
            var first = DicomFile.Open(source);
            var second = DicomFile.Open(source);
            var ds2 = second.Dataset;
            ds2.Set(DicomTags.StudyInstanceUID, "1.2.826.0.1.3680043.2.1125.99.1");
            ds2.Set(DicomTags.SeriesInstanceUID, "1.2.826.0.1.3680043.2.1125.99.1.1");
            ds2.Set(DicomTags.SOPInstanceUID, "1.2.826.0.1.3680043.2.1125.99.1.1.1");
            var d0 = DateTime.ParseExact(first.Dataset.GetString(DicomTags.StudyDate)!, "yyyyMMdd", null);
            ds2.Set(DicomTags.StudyDate, d0.AddDays(30).ToString("yyyyMMdd"));
            ds2.Set(DicomTags.InstitutionName, "Another Site Hospital");
            ds2.Set(DicomTags.IssuerOfPatientID, "OTHER-SITE");
            Directory.CreateDirectory(Path.Combine(dir.FullName, "in", "site2"));
            File.Copy(source, Path.Combine(dir.FullName, "in", "a.dcm"));
            DicomFileWriter.Save(Path.Combine(dir.FullName, "in", "site2", "b.dcm"), ds2, second.TransferSyntax, null, new DicomWriteOptions { KeepInvalidValues = true });

            var engine = new DeidEngine(DeidRecipe.Research, TestData.Key);
            var rec = DeidRunner.Run(engine, [Path.Combine(dir.FullName, "in")], Path.Combine(dir.FullName, "out"));
            Assert.Equal(2, rec.Deidentified);
            var a = CorpusRun.Read(Path.Combine(dir.FullName, "out", "a.dcm"));
            var b = CorpusRun.Read(Path.Combine(dir.FullName, "out", "site2", "b.dcm"));
            Assert.Equal(a.GetString(DicomTags.PatientID), b.GetString(DicomTags.PatientID));
            Assert.Equal(a.GetString(DicomTags.PatientName), b.GetString(DicomTags.PatientName));
            Assert.NotEqual(a.GetString(DicomTags.StudyInstanceUID), b.GetString(DicomTags.StudyInstanceUID));
            var da = DateTime.ParseExact(a.GetString(DicomTags.StudyDate)!, "yyyyMMdd", null);
            var db = DateTime.ParseExact(b.GetString(DicomTags.StudyDate)!, "yyyyMMdd", null);
            Assert.Equal(30, (db - da).TotalDays);                       // same shift: the interval is kept
            Assert.NotEqual(d0, da);

            // A later, separate run with the same project key gives the same pseudonym; another project's key does not.
            var again = new DeidEngine(DeidRecipe.Research, TestData.Key).Deidentify(DicomFile.Open(source).Dataset, first.TransferSyntax);
            Assert.Equal(a.GetString(DicomTags.PatientID), again.Dataset!.GetString(DicomTags.PatientID));
            Assert.Equal(a.GetString(DicomTags.StudyDate), again.Dataset.GetString(DicomTags.StudyDate));
            var other = new DeidEngine(DeidRecipe.Research, TestData.OtherKey).Deidentify(DicomFile.Open(source).Dataset, first.TransferSyntax);
            Assert.NotEqual(a.GetString(DicomTags.PatientID), other.Dataset!.GetString(DicomTags.PatientID));
            Assert.Single(engine.MappingRecords, m => m.Kind == PseudonymKind.PatientId);
            Assert.Single(engine.MappingRecords, m => m.Kind == PseudonymKind.DateShift);
        }
        finally { dir.Delete(true); }
    }
}
