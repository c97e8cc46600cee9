using Mira.Annotations.Protocols;
using Mira.Annotations.Segmentation;
using Mira.Annotations.Tests.Segmentation;
using Mira.Dicom;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;

namespace Mira.Cli.Tests;

/// <summary><c>mira seg from-nifti</c> and <c>to-nifti</c> on a small MR series, as a user runs them.</summary>
public sealed class SegCommandTests : IDisposable
{
    readonly MrSeries series = new();

    public void Dispose() => series.Dispose();

    /// <summary>A label map drawn on the NIfTI <c>mira convert</c> makes of the series (its affine), values the protocol's.</summary>
    Volume LabelsOnConvertedSeries(out string path)
    {
        var image = DicomVolumeBuilder.FromPath(series.SeriesFolder).Single().Volume;
        var map = series.Read().ToLabelMap();
        var labels = Volume.Create(image.Size, VoxelType.UInt8, image.Geometry);
        for (var i = 0; i < map.Length; i++) labels.Data[i] = (byte)map[i];
        path = series.PathOf("drawn.nii.gz");
        NiftiVolumes.WriteVolume(path, labels);
        return labels;
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("labelmap")]
    public void A_label_map_goes_to_a_seg_and_back_to_the_same_voxels_on_the_same_grid(string type)
    {
        var drawn = LabelsOnConvertedSeries(out var labels);
        var seg = series.PathOf("read.dcm");
        var from = MiraProcess.Run("seg", "from-nifti", "--image", series.SeriesFolder, "--labels", labels, "--protocol", "glioma-brats", "--out", seg, "--type", type, "--author", "Reader^One");
        Assert.True(from.ExitCode == 0, from.Stderr);
        Assert.Contains("3 segment(s)", from.Stdout, StringComparison.Ordinal);
        if (type == "binary") Assert.Empty(MrSeries.DciodvfyErrors(seg));

        var outDir = series.PathOf("back");
        var to = MiraProcess.Run("seg", "to-nifti", seg, "--out", outDir, "--image", series.SeriesFolder, "--protocol", "glioma-brats");
        Assert.True(to.ExitCode == 0, to.Stderr);
        Assert.Equal(["labels.nii.gz"], Directory.GetFiles(outDir).Select(Path.GetFileName));
        var back = NiftiVolumes.ReadVolume(Path.Combine(outDir, "labels.nii.gz"));
        Assert.Equal(drawn.Size, back.Size);
        Assert.Equal(drawn.Data, back.Data);
        Assert.True(back.Geometry.ApproximatelyEquals(drawn.Geometry, 1e-4), $"{back.Geometry} vs {drawn.Geometry}");
    }

    [Fact]
    public void Without_the_images_a_seg_is_written_on_the_grid_of_its_own_frames_with_the_protocols_values()
    {
        LabelsOnConvertedSeries(out var labels);
        var seg = series.PathOf("read.dcm");
        Assert.Equal(0, MiraProcess.Run("seg", "from-nifti", "--image", series.SeriesFolder, "--labels", labels, "--protocol", "glioma-brats", "--out", seg).ExitCode);
        var outDir = series.PathOf("own");
        var to = MiraProcess.Run("seg", "to-nifti", seg, "--out", outDir, "--protocol", "glioma-brats");
        Assert.True(to.ExitCode == 0, to.Stderr);
        var back = NiftiVolumes.ReadVolume(Path.Combine(outDir, "labels.nii.gz"));
        var read = series.Read();
        // The frames span slices 1 to 5 (slice 0 holds nothing): five slices, the same count of each label.
        Assert.Equal([MrSeries.Columns, MrSeries.Rows, 5], back.Size);
        foreach (var value in read.Labels)
            Assert.Equal(read.Count(value), Enumerable.Range(0, (int)back.VoxelCount).Count(i => back.GetValue(i) == value));
        Assert.Equal(series.Grid.Slices[1].Position!, back.Geometry.Origin.Select(v => Math.Round(v, 6)).ToArray(), new RoundedComparer());
    }

    sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= 1e-4;
        public int GetHashCode(double v) => 0;
    }

    [Fact]
    public void Overlapping_segments_become_one_nifti_per_label()
    {
        var read = series.Read();
        read.Set(3, read[1].ToArray());
        var seg = series.PathOf("overlap.dcm");
        File.WriteAllBytes(seg, SegmentationWriter.ToPart10(SegmentationWriter.Write(new SegmentationRequest
        {
            Grid = series.Grid, Protocol = BuiltInProtocols.Find("glioma-brats")!, Masks = read, SeriesInstanceUid = "2.25.51", SopInstanceUid = "2.25.52",
        })));
        var outDir = series.PathOf("per-label");
        var to = MiraProcess.Run("seg", "to-nifti", seg, "--out", outDir, "--image", series.SeriesFolder, "--protocol", "glioma-brats");
        Assert.True(to.ExitCode == 0, to.Stderr);
        Assert.Equal(["ET.nii.gz", "NETC.nii.gz", "SNFH.nii.gz"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order());
        var et = NiftiVolumes.ReadVolume(Path.Combine(outDir, "ET.nii.gz"));
        Assert.Equal(read[3], Enumerable.Range(0, (int)et.VoxelCount).Select(i => et.GetValue(i) == 1));
    }

    [Fact]
    public void A_label_value_outside_the_protocol_fails_with_the_reason_and_writes_nothing()
    {
        var image = DicomVolumeBuilder.FromPath(series.SeriesFolder).Single().Volume;
        var labels = Volume.Create(image.Size, VoxelType.UInt8, image.Geometry);
        labels.Data[40] = 7;
        var path = series.PathOf("bad.nii.gz");
        NiftiVolumes.WriteVolume(path, labels);
        var seg = series.PathOf("bad.dcm");
        var r = MiraProcess.Run("seg", "from-nifti", "--image", series.SeriesFolder, "--labels", path, "--protocol", "glioma-brats", "--out", seg);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("holds 7, which is not a label value of protocol glioma-brats", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(seg));
        Assert.False(File.Exists(seg + ".partial"));
    }

    [Fact]
    public void An_unknown_protocol_is_refused_listing_the_built_in_ones()
    {
        LabelsOnConvertedSeries(out var labels);
        var r = MiraProcess.Run("seg", "from-nifti", "--image", series.SeriesFolder, "--labels", labels, "--protocol", "no-such", "--out", series.PathOf("x.dcm"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("'no-such' is neither a built-in protocol", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("glioma-brats", r.Stderr, StringComparison.Ordinal);
    }
}

/// <summary><c>mira seg</c> with a protocol given as a JSON file, and a Segmentation of another protocol.</summary>
public sealed class SegCommandProtocolFileTests : IDisposable
{
    readonly MrSeries series = new();

    public void Dispose() => series.Dispose();

    [Fact]
    public void A_protocol_json_file_is_accepted_and_a_seg_of_other_codes_is_refused_naming_the_segment()
    {
        var protocolFile = series.PathOf("glioma.json");
        File.WriteAllText(protocolFile, BuiltInProtocols.Find("glioma-brats")!.Json);
        var image = DicomVolumeBuilder.FromPath(series.SeriesFolder).Single().Volume;
        var labels = Volume.Create(image.Size, VoxelType.UInt8, image.Geometry);
        labels.Data[200] = 4;
        var nifti = series.PathOf("rc.nii.gz");
        NiftiVolumes.WriteVolume(nifti, labels);
        var seg = series.PathOf("rc.dcm");
        var from = MiraProcess.Run("seg", "from-nifti", "--image", series.SeriesFolder, "--labels", nifti, "--protocol", protocolFile, "--out", seg);
        Assert.True(from.ExitCode == 0, from.Stderr);

        // The meningioma protocol has no label with the glioma resection-cavity codes.
        var to = MiraProcess.Run("seg", "to-nifti", seg, "--out", series.PathOf("out"), "--image", series.SeriesFolder, "--protocol", "meningioma-brats-men");
        Assert.Equal(1, to.ExitCode);
        Assert.Contains("segment 1 'RC'", to.Stderr, StringComparison.Ordinal);
        Assert.Contains("meningioma-brats-men", to.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(series.PathOf("out"), "labels.nii.gz")));
    }
}
