using System.Diagnostics;
using Mira.Dicom;

namespace Mira.Server.Tests.Sites;

/// <summary>An identified patient of a site's intake.</summary>
public sealed record SitePatient(string Id, string Name, string BirthDate);

/// <summary>An identified study: its UID, accession number, date, and the series (UID, instance count) this site holds of it.</summary>
public sealed record SiteStudy(SitePatient Patient, string Uid, string Accession, string Date, IReadOnlyList<(string Series, int Instances)> Series);

/// <summary>Identified intake data for the site tests, and the real <c>mira</c> command line.</summary>
public static class SiteData
{
    /// <summary>The study's instances as PS3.10 files, with names, IDs, birth date, accession, institution and physician set.</summary>
    public static List<(string Sop, byte[] Bytes)> Instances(SiteStudy study, string institution, string physician)
    {
        var files = new List<(string, byte[])>();
        foreach (var (series, count) in study.Series)
            for (var i = 1; i <= count; i++)
            {
                var sop = Dicomweb.Uid();
                files.Add((sop, Dicomweb.Make(study.Uid, series, sop, ds =>
                {
                    ds.Set(DicomTags.PatientName, study.Patient.Name);
                    ds.Set(DicomTags.PatientID, study.Patient.Id);
                    ds.Set(DicomTags.PatientBirthDate, study.Patient.BirthDate);
                    ds.Set(DicomTags.PatientSex, "O");
                    ds.Set(DicomTags.AccessionNumber, study.Accession);
                    ds.Set(DicomTags.StudyDate, study.Date);
                    ds.Set(DicomTags.StudyTime, "101530");
                    ds.Set(DicomTags.InstitutionName, institution);
                    ds.Set(DicomTags.ReferringPhysicianName, physician);
                    ds.Set(DicomTags.StudyID, study.Accession[^4..]);
                    ds.Set(DicomTags.InstanceNumber, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                })));
            }
        return files;
    }

    /// <summary>Runs <c>dotnet mira.dll ARGS</c> (the CLI built beside the tests) and returns its exit code and output.</summary>
    public static Task<(int Exit, string Output, string Errors)> MiraAsync(params string[] args) => MiraCli.RunAsync(args);
}
