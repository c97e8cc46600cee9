using System.Globalization;
using System.Text.Json;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging.Nifti;
using Mira.Imaging.Segmentation;
using Mira.Imaging.Volumes;
using Mira.Testing;

namespace Mira.Cli.Tests;

/// <summary>
/// <c>mira metrics seg</c> with DICOM SEG inputs. The edited copies are the corpus SEG highdicom_seg_image_ct_binary
/// (one segment, three 16×16 frames 1.25 mm apart holding 127, 256 and 255 foreground pixels: frame 2 is full) with
/// positions moved, so the expected Dice follows from those three counts.
/// </summary>
public sealed class MetricsSegDicomTests : IDisposable
{
    const string Binary = "dicom/modality/SEG/highdicom_seg_image_ct_binary.dcm";
    const string Overlap = "dicom/modality/SEG/highdicom_seg_image_ct_binary_overlap.dcm";
    readonly string dir = Path.Combine(Path.GetTempPath(), "mira-metrics-seg-" + Guid.NewGuid().ToString("N"));

    public MetricsSegDicomTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    static string Full(string corpusPath) => Corpus.Get(corpusPath).FullPath;

    /// <summary>A copy of the binary SEG with <paramref name="dz"/> mm added to every frame's z and <paramref name="dx"/> mm to x, saved without a .dcm extension.</summary>
    string Shifted(string name, double dx, double dz)
    {
        var file = DicomFile.Open(Full(Binary));
        foreach (var item in file.Dataset.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)!.Items)
        {
            var plane = item.GetSequence(DicomTags.PlanePositionSequence)!.Items[0];
            var p = plane.GetDoubles(DicomTags.ImagePositionPatient);
            plane.Set(DicomTags.ImagePositionPatient, [(p[0] + dx).ToString("R", CultureInfo.InvariantCulture), p[1].ToString("R", CultureInfo.InvariantCulture), (p[2] + dz).ToString("R", CultureInfo.InvariantCulture)]);
        }
        var path = Path.Combine(dir, name);
        DicomFileWriter.Save(path, file.Dataset, file.TransferSyntax, file.FileMetaInformation);
        return path;
    }

    static JsonElement Json(MiraResult r)
    {
        Assert.True(r.ExitCode == 0, r.Stderr);
        return JsonDocument.Parse(r.Stdout).RootElement.Clone();
    }

    [Fact]
    public void A_seg_against_itself_scores_dice_1_for_each_segment()
    {
        var a = Full(Overlap);
        var e = Json(MiraProcess.Run("metrics", "seg", "--ref", a, "--pred", a, "--json"));
        Assert.Equal(["1", "2"], e.EnumerateObject().Select(p => p.Name));
        foreach (var p in e.EnumerateObject())
        {
            Assert.Equal(1, p.Value.GetProperty("dice").GetDouble());
            Assert.Equal(0, p.Value.GetProperty("hausdorff_mm").GetDouble());
        }
        var text = MiraProcess.Run("metrics", "seg", "--ref", a, "--pred", a, "--labels", "2");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("label\t2\tdice\t1\n", text.Stdout);
        Assert.DoesNotContain("label\t1\t", text.Stdout);
    }

    [Fact]
    public void A_seg_shifted_by_one_slice_is_put_on_the_union_grid()
    {
        // Prediction one slice (1.25 mm) up: its frames 1, 2 meet reference frames 2, 3. Overlap: frame 1 (127) within
        // the full frame 2, and the full frame 2 over frame 3 (255): 382 voxels; |R| = |P| = 638.
        var shifted = Shifted("shifted", 0, 1.25);
        var e = Json(MiraProcess.Run("metrics", "seg", "--ref", Full(Binary), "--pred", shifted, "--json"));
        Assert.Equal(2.0 * 382 / (638 + 638), e.GetProperty("1").GetProperty("dice").GetDouble(), 12);
        Assert.Equal(0, e.GetProperty("1").GetProperty("volume_difference_mm3").GetDouble(), 9);
        // One slice down (the prediction's grid starts below the reference's): its frames 2, 3 meet reference frames
        // 1, 2: the full frame 2 over frame 1 (127) and frame 3 (255) within the full frame 2: 382 again.
        var down = Json(MiraProcess.Run("metrics", "seg", "--ref", Full(Binary), "--pred", Shifted("down.dcm", 0, -1.25), "--label", "1", "--json"));
        Assert.Equal(2.0 * 382 / (638 + 638), down.GetProperty("dice").GetDouble(), 12);
    }

    [Fact]
    public void Grids_that_need_resampling_are_refused()
    {
        var half = Shifted("half.dcm", 0.2, 0);
        var r = MiraProcess.Run("metrics", "seg", "--ref", Full(Binary), "--pred", half);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a whole number of voxels", r.Stderr);
        var missing = MiraProcess.Run("metrics", "seg", "--ref", Full(Binary), "--pred", Full(Binary), "--label", "3");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("segment 3 is not in the Segment Sequence (0062,0002)", missing.Stderr);
        var lacking = MiraProcess.Run("metrics", "seg", "--ref", Full(Overlap), "--pred", Full(Binary));
        Assert.Equal(1, lacking.ExitCode);
        Assert.Contains("has no segment 2 of", lacking.Stderr);
        // Segment 1 alone: the binary SEG's grid lies 162 whole slices up the overlap SEG's, so it aligns.
        Assert.Equal(0, MiraProcess.Run("metrics", "seg", "--ref", Full(Overlap), "--pred", Full(Binary), "--labels", "1").ExitCode);
        var ct = MiraProcess.Run("metrics", "seg", "--ref", Full(Binary), "--pred", Full("dicom/modality/CT/CT_small.dcm"));
        Assert.Equal(1, ct.ExitCode);
        Assert.Contains("must be a Segmentation", ct.Stderr);
    }

    [Fact]
    public void A_seg_against_a_nifti_label_volume_on_a_larger_grid()
    {
        // The SEG's two segments written as labels 1 and 2 (2 wins where they overlap) into a NIfTI with one extra
        // slice below and two columns more on the left.
        var seg = DicomSegReader.Read(Full(Overlap));
        var g = seg.Geometry;
        var big = Volume.Create([seg.Columns + 2, seg.Rows, seg.SliceCount + 1], VoxelType.UInt8,
            new VolumeGeometry(g.PatientPosition(-2, 0, -1), g.Spacing, g.Direction));
        long both = 0;
        var one = seg.Mask(1);
        var two = seg.Mask(2);
        for (var k = 0; k < seg.SliceCount; k++)
            for (var j = 0; j < seg.Rows; j++)
                for (var i = 0; i < seg.Columns; i++)
                {
                    var idx = one.Index(i, j, k);
                    var l = two.Data[idx] != 0 ? 2 : one.Data[idx] != 0 ? 1 : 0;
                    if (one.Data[idx] != 0 && two.Data[idx] != 0) both++;
                    if (l != 0) big.SetValue(big.Index(i + 2, j, k + 1), l);
                }
        Assert.True(both > 0);
        var nii = Path.Combine(dir, "labels.nii.gz");
        NiftiVolumes.WriteVolume(nii, big);
        var e = Json(MiraProcess.Run("metrics", "seg", "--ref", Full(Overlap), "--pred", nii, "--labels", "1", "2", "--json"));
        // Segment 2 matches label 2 exactly; segment 1 lost its overlap with 2 in the label volume.
        Assert.Equal(1, e.GetProperty("2").GetProperty("dice").GetDouble(), 12);
        var n1 = seg.ForegroundCount(1);
        Assert.Equal(2.0 * (n1 - both) / (n1 + n1 - both), e.GetProperty("1").GetProperty("dice").GetDouble(), 12);
        // Without labels: any segment against any non-zero label: the same voxels.
        var any = Json(MiraProcess.Run("metrics", "seg", "--ref", Full(Overlap), "--pred", nii, "--json"));
        Assert.Equal(1, any.GetProperty("dice").GetDouble(), 12);
    }
}
