using System.Text.RegularExpressions;
using Mira.Testing;

namespace Mira.Cli.Tests;

/// <summary><c>mira import</c> of non-DICOM files: converted by content, with a sidecar or marked placeholders, stored once.</summary>
public sealed class ImportConversionTests : IDisposable
{
    readonly ArchiveCli cli = new();

    public void Dispose() => cli.Dispose();

    static string Fundus => Path.Combine(Corpus.Root, "photos/fundus/Fundus_photograph_of_normal_right_eye_600px.jpg");

    static string SeriesOf(string stdout) => Regex.Match(stdout, @"in series ([0-9.]+)").Groups[1].Value;

    [Fact]
    public async Task A_fundus_photograph_with_a_sidecar_is_stored_as_ophthalmic_photography_of_that_patient_and_only_once()
    {
        // A misleading name: the content decides.
        var renamed = Path.Combine(cli.Root, "photo.nii.gz");
        File.Copy(Fundus, renamed);
        var meta = Path.Combine(cli.Root, "meta.json");
        await File.WriteAllTextAsync(meta, """{"PatientID": "F-001", "PatientName": "Wang^Fang", "Laterality": "R", "AcquisitionDateTime": "20261201093000"}""");
        var first = cli.Mira("import", renamed, "--meta", meta);
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.Equal(1, ArchiveCli.Count(first.Stdout, "stored"));
        Assert.Contains("photograph, 1 object(s)", first.Stdout);
        Assert.Contains("patient F-001", first.Stdout);

        var (index, _) = await cli.OpenAsync();
        var series = SeriesOf(first.Stdout);
        var studies = await index.QueryStudiesAsync(new Mira.Storage.Query.QidoQuery());
        var study = Assert.Single(studies).GetString(Mira.Dicom.DicomTags.StudyInstanceUID)!;
        var instance = Assert.Single(await index.FindInstancesAsync(study, series));
        Assert.Equal("1.2.840.10008.5.1.4.1.1.77.1.5.1", instance.SopClassUid); // Ophthalmic Photography 8 Bit
        Assert.Equal("1.2.840.10008.1.2.4.50", instance.TransferSyntaxUid);   // the JPEG kept as it is

        var again = cli.Mira("import", renamed, "--meta", meta);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(1, ArchiveCli.Count(again.Stdout, "already present (identical)"));
    }

    [Fact]
    public void Without_a_sidecar_placeholders_are_generated_and_said_and_unconvertible_files_are_refused_with_the_reason()
    {
        var r = cli.Mira("import", Fundus, Path.Combine(Corpus.Root, "nifti/nibabel/standard.nii.gz"), Path.Combine(Corpus.Root, "nifti/cit168/CIT168.nii.gz"));
        Assert.Equal(1, r.ExitCode); // CIT168 cannot be converted
        Assert.Equal(1 + 7, ArchiveCli.Count(r.Stdout, "stored")); // the photograph and 7 slices
        Assert.Contains("placeholder patient MIRA-PLACEHOLDER-", r.Stdout);
        Assert.Contains("warning: placeholder patient identifiers were generated", r.Stdout);
        Assert.Contains("cannot convert (NIfTI): 1", r.Stdout);
        Assert.Contains("datatype 2304 (RGBA32)", r.Stdout);
    }

    [Fact]
    public void A_csv_sidecar_without_a_row_for_a_file_refuses_that_file()
    {
        var folder = Directory.CreateDirectory(Path.Combine(cli.Root, "in")).FullName;
        File.Copy(Fundus, Path.Combine(folder, "a.jpg"));
        File.Copy(Fundus, Path.Combine(folder, "b.jpg"));
        var meta = Path.Combine(cli.Root, "meta.csv");
        File.WriteAllText(meta, "file,PatientID\na.jpg,P-A\n");
        var r = cli.Mira("import", folder, "--meta", meta);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(1, ArchiveCli.Count(r.Stdout, "stored"));
        Assert.Contains("has no row for 'b.jpg'", r.Stdout);
    }
}

/// <summary>What was converted comes back out: a slide level as a TIFF, a label volume as a SEG on its series.</summary>
public sealed class ImportConversionRoundTripTests : IDisposable
{
    readonly ArchiveCli cli = new();

    public void Dispose() => cli.Dispose();

    static string SeriesOf(string stdout) => Regex.Match(stdout, @"in series ([0-9.]+)").Groups[1].Value;

    async Task<string> StoredFileAsync(string series, Func<Mira.Storage.Index.StoredInstance, bool> pick)
    {
        var (index, blobs) = await cli.OpenAsync();
        var found = await index.QuerySeriesAsync(Mira.Storage.Query.QidoQuery.Parse([new("SeriesInstanceUID", series)]));
        var study = Assert.Single(found).GetString(Mira.Dicom.DicomTags.StudyInstanceUID)!;
        var instance = (await index.FindInstancesAsync(study, series)).First(pick);
        var path = Path.Combine(cli.Root, instance.SopInstanceUid + ".dcm");
        await using (var blob = blobs.OpenRead(instance.BlobKey))
        await using (var file = File.Create(path))
            await blob.CopyToAsync(file);
        return path;
    }

    [Fact]
    public async Task A_slide_level_converted_back_to_TIFF_has_the_source_pixels()
    {
        var source = Path.Combine(Corpus.Root, "wsi/large_image/grey10kx5k.tif");
        var imported = cli.Mira("import", source);
        Assert.True(imported.ExitCode == 0, imported.Stdout + imported.Stderr);
        var level = await StoredFileAsync(SeriesOf(imported.Stdout), _ => true);
        var tiff = Path.Combine(cli.Root, "level.tif");
        var converted = ArchiveCli.Run(null, null, "convert", level, "--to", tiff);
        Assert.True(converted.ExitCode == 0, converted.Stdout + converted.Stderr);
        // Pillow decodes the exported TIFF; the oracle holds Pillow's decode of the source.
        var sha = ExternalTool.Run("/usr/bin/python3", ["-c",
            "import sys, hashlib, numpy as np; from PIL import Image; print(hashlib.sha256(np.asarray(Image.open(sys.argv[1])).tobytes()).hexdigest())", tiff]).Trim();
        Assert.Equal("8049635b0afb7ad79611df267d19d104b3877c5c23ce82086ee68df56813eff3", sha);
    }

    [Fact]
    public async Task A_label_volume_becomes_a_segmentation_of_its_stored_series()
    {
        var t1 = cli.Mira("import", Path.Combine(Corpus.Root, "nifti/mni/MNI152_T1_2mm.nii.gz"));
        Assert.True(t1.ExitCode == 0, t1.Stdout + t1.Stderr);
        var series = SeriesOf(t1.Stdout);
        var labels = cli.Mira("import", Path.Combine(Corpus.Root, "nifti/mni/mniMask.nii.gz"), "--labels-for", series);
        Assert.True(labels.ExitCode == 0, labels.Stdout + labels.Stderr);
        Assert.Equal(1, ArchiveCli.Count(labels.Stdout, "stored"));
        Assert.DoesNotContain("placeholder patient identifiers were generated", labels.Stdout);
        var (index, _) = await cli.OpenAsync();
        var studies = await index.QueryStudiesAsync(new Mira.Storage.Query.QidoQuery());
        var study = Assert.Single(studies).GetString(Mira.Dicom.DicomTags.StudyInstanceUID)!; // the SEG is in the T1's study
        var all = await index.FindInstancesAsync(study);
        Assert.Single(all, i => i.SopClassUid == "1.2.840.10008.5.1.4.1.1.66.4");

        var missing = cli.Mira("import", Path.Combine(Corpus.Root, "nifti/mni/mniMask.nii.gz"), "--labels-for", "2.25.1");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no stored series 2.25.1", missing.Stdout);
    }
}
