using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Mira.Imaging;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Platform.Annotations;
using Mira.Platform.Research;

namespace Mira.Platform.Datasets;

/// <summary>What writing a release's folder tree wrote.</summary>
public sealed record ReleaseTreeSummary(string Folder, int Cases, int Images, int Volumes, int Labels, IReadOnlyList<string> Notes);

/// <summary>
/// The one folder tree of a release, for the download (zipped) and for the evaluation runner alike:
/// <code>
/// images/&lt;case&gt;/&lt;nnnn&gt;.dcm   the de-identified DICOM of the case's series, in instance order (0001.dcm …)
/// nifti/&lt;case&gt;.nii.gz        the image volume (Mira.Imaging: DicomVolumeBuilder → NIfTI-1, gzip)
/// labels/&lt;case&gt;.nii.gz       the label map of the chosen masks version on the image grid (forms: the grade is in cases.tsv)
/// cases.tsv                    case, patient, split, site, device, age_band, sex, grade
/// datasheet.json, datasheet.html
/// </code>
/// Case ids are the release's pseudonymous ids (<c>case-0001</c> …); no intake UID and no name is written by the tree
/// itself (the DICOM files are the project's de-identified copies). A case whose images do not make a volume (a
/// photograph, a slide) gets no NIfTI; the summary's notes say which.
/// </summary>
public static class ReleaseTree
{
    public static async Task<ReleaseTreeSummary> WriteAsync(DatasetRelease release, ProjectArchive archive, AnnotationService annotations, string folder, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        if (Directory.EnumerateFileSystemEntries(folder).Any()) throw new IOException($"{folder} is not empty: a release is written into an empty folder");
        var notes = new List<string>();
        int images = 0, volumes = 0, labels = 0;
        var tsv = new StringBuilder("case\tpatient\tsplit\tsite\tdevice\tage_band\tsex\tgrade\n");
        foreach (var c in release.Cases)
        {
            ct.ThrowIfCancellationRequested();
            var caseFolder = Path.Combine(folder, "images", c.CaseId);
            Directory.CreateDirectory(caseFolder);
            var reading = await SeriesReading.ReadAsync(archive, c.StudyInstanceUid, c.SeriesInstanceUid, ct)
                ?? throw new InvalidOperationException($"{c.CaseId}: its series holds no image any more");
            if (reading.PixelSha256 != c.PixelSha256)
                throw new InvalidOperationException($"{c.CaseId}: the stored pixel data no longer match the release (pixel SHA-256 differs)");
            var n = 0;
            foreach (var si in reading.Instances)
            {
                await using var source = archive.Blobs.OpenRead(si.BlobKey);
                await using var target = File.Create(Path.Combine(caseFolder, (++n).ToString("0000", CultureInfo.InvariantCulture) + ".dcm"));
                await source.CopyToAsync(target, ct);
                images++;
            }
            try
            {
                var volume = DicomVolumeBuilder.FromPath(caseFolder).First();
                Directory.CreateDirectory(Path.Combine(folder, "nifti"));
                await using var nifti = File.Create(Path.Combine(folder, "nifti", c.CaseId + ".nii.gz"));
                NiftiFile.Write(nifti, NiftiVolumes.FromVolume(volume.Volume), gzip: true);
                volumes++;
            }
            catch (ImagingException e)
            {
                notes.Add($"{c.CaseId}: no NIfTI volume ({e.Message})");
            }
            if (c.Annotation is { Kind: ContentKinds.Masks } a)
            {
                var version = (await annotations.Store.VersionsAsync(a.Task, ct)).FirstOrDefault(v => v.Number == a.Version)
                    ?? throw new InvalidOperationException($"{c.CaseId}: annotation version {a.Version} of task {a.Task} is gone");
                if (await annotations.LabelMapOfAsync(version, ct) is { } map)
                {
                    Directory.CreateDirectory(Path.Combine(folder, "labels"));
                    await File.WriteAllBytesAsync(Path.Combine(folder, "labels", c.CaseId + ".nii.gz"), map, ct);
                    labels++;
                }
                else notes.Add($"{c.CaseId}: no label map (this Mira has no SEG/NIfTI encodings)");
            }
            tsv.Append(string.Join('\t', new[] { c.CaseId, c.Patient, c.Split }.Concat(CaseFields.All.Select(c.Field)).Select(Cell))).Append('\n');
        }
        await File.WriteAllTextAsync(Path.Combine(folder, "cases.tsv"), tsv.ToString(), ct);
        var sheet = JsonNode.Parse(release.DatasheetJson)!.AsObject();
        await File.WriteAllTextAsync(Path.Combine(folder, "datasheet.json"), Datasheet.ToJson(sheet), ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "datasheet.html"), Datasheet.ToHtml(sheet), ct);
        return new ReleaseTreeSummary(folder, release.Cases.Count, images, volumes, labels, notes);
    }

    /// <summary>A TSV cell: tabs and line breaks become spaces.</summary>
    static string Cell(string s) => s.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
