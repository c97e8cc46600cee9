using System.Diagnostics;
using Mira.Dicom.Codecs;
using Mira.Imaging.MetaImage;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Imaging.Tests.Volumes;

public sealed class DicomVolumeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("dicom/modality/MR/siemens_xa10_enhanced_6_1.dcm")]
    [InlineData("dicom/modality/MR/philips_enhanced_fmap.dcm")]
    [InlineData("dicom/modality/CT/CT0012_enhanced_ct_2frame.dcm")]
    [InlineData("dicom/transfer-syntax/cornerstone/CT0012.not_fragmented_bot_rle.dcm")]
    public void Enhanced_multiframe_becomes_volumes(string path)
    {
        var volumes = DicomVolumeBuilder.FromPath(Corpus.Get(path).FullPath);
        Assert.NotEmpty(volumes);
        foreach (var v in volumes)
        {
            output.WriteLine($"{path}: {v.Volume} from {v.SliceCount} frames, 4th dim: {(v.FourthDimension.Length > 0 ? v.FourthDimension : "-")} {string.Join("; ", v.Warnings)}");
            Assert.Equal(v.SliceCount, v.Volume.Nz * v.Volume.Frames);
            Assert.True(v.Volume.Geometry.IsOrthonormal());
        }
    }

    [Fact]
    public void Multiframe_without_functional_groups_is_refused_with_the_reason()
    {
        // pydicom's emri_small.dcm is an Enhanced MR object stripped of its functional groups.
        var e = Assert.Throws<ImagingException>(() => DicomVolumeBuilder.FromPath(Corpus.Get("dicom/modality/MR/emri_small.dcm").FullPath));
        Assert.Contains("without per-frame functional groups", e.Message);
    }

    [Fact]
    public void Enhanced_ct_keeps_the_per_frame_positions_and_rescale()
    {
        var v = Assert.Single(DicomVolumeBuilder.FromPath(Corpus.Get("dicom/modality/CT/CT0012_enhanced_ct_2frame.dcm").FullPath)).Volume;
        var ds = Mira.Dicom.IO.DicomFile.Open(Corpus.Get("dicom/modality/CT/CT0012_enhanced_ct_2frame.dcm").FullPath).Dataset;
        var slices = DicomSlices.FromDataset("x", ds).OrderBy(s => DicomSlice.Dot(s.Position, s.Normal)).ToList();
        Assert.Equal(slices[0].Position, v.Geometry.Origin);
        var last = v.Geometry.PatientPosition(0, 0, v.Nz - 1);
        for (var i = 0; i < 3; i++) Assert.Equal(slices[^1].Position[i], last[i], 6);
        // Integer slope/intercept: integers are kept.
        Assert.True(v.Type.IsInteger(), v.Type.ToString());
    }

    [Fact]
    public void The_same_image_in_every_transfer_syntax_gives_the_same_volume()
    {
        Volume? reference = null;
        foreach (var f in Corpus.Files.Where(f => f.Path.StartsWith("dicom/transfer-syntax/dcm_qa_ts/", StringComparison.Ordinal)))
        {
            var syntax = Mira.Dicom.IO.DicomFile.Open(f.FullPath, new Mira.Dicom.IO.DicomReadOptions { StopBeforePixelData = true }).TransferSyntax;
            if (syntax.IsEncapsulated && CodecRegistry.Default.Find(syntax.Uid) is null)
            {
                output.WriteLine($"{f.Path}: {CodecRegistry.WhyMissing(syntax)}");
                continue; // J2K needs the OpenJpeg codec, which Mira.Imaging does not reference
            }
            var v = Assert.Single(DicomVolumeBuilder.FromPath(f.FullPath)).Volume;
            reference ??= v;
            Assert.Equal(reference.Data, v.Data);
            Assert.True(reference.Geometry.ApproximatelyEquals(v.Geometry, 1e-9));
        }
        Assert.NotNull(reference);
    }

    static DicomSlice Slice(double z, double x = 0, int? echo = null, string uid = "1.2") => new()
    {
        Path = "/nonexistent/" + z + "_" + x + "_" + echo,
        SeriesInstanceUid = uid,
        SopInstanceUid = $"{uid}.{z}.{x}.{echo}",
        Position = [x, 0, z],
        Orientation = [1, 0, 0, 0, 1, 0],
        PixelSpacing = [1, 1],
        Rows = 4,
        Columns = 4,
        EchoNumber = echo,
    };

    [Fact]
    public void Non_uniform_spacing_is_reported_with_positions()
    {
        var e = Assert.Throws<ImagingException>(() => DicomVolumeBuilder.Build([Slice(0), Slice(2), Slice(4), Slice(8), Slice(10)]));
        output.WriteLine(e.Message);
        Assert.Contains("non-uniform slice spacing", e.Message);
        Assert.Contains("(0, 0, 4) and (0, 0, 8)", e.Message);
    }

    [Fact]
    public void Gantry_tilt_is_refused_with_the_angle()
    {
        // Positions advance 2 mm along z and 0.5 mm along x per slice: atan(0.5/2) = 14.04°.
        var e = Assert.Throws<ImagingException>(() => DicomVolumeBuilder.Build([Slice(0, 0), Slice(2, 0.5), Slice(4, 1.0), Slice(6, 1.5)]));
        output.WriteLine(e.Message);
        Assert.Contains("gantry tilt", e.Message);
        Assert.Contains("14.04°", e.Message);
    }

    [Fact]
    public void Duplicate_positions_without_a_distinguishing_attribute_are_refused()
    {
        var a = Slice(0);
        var b = new DicomSlice { Path = a.Path + "b", SeriesInstanceUid = a.SeriesInstanceUid, SopInstanceUid = "other", Position = a.Position, Orientation = a.Orientation, PixelSpacing = a.PixelSpacing, Rows = 4, Columns = 4 };
        var e = Assert.Throws<ImagingException>(() => DicomVolumeBuilder.Build([a, b, Slice(2), Slice(2, echo: 1)]));
        output.WriteLine(e.Message);
    }

    [Fact]
    public void Slices_are_grouped_by_series_and_orientation()
    {
        var groups = DicomVolumeBuilder.Group([Slice(0), Slice(1), Slice(0, uid: "9.9"), Slice(2)]);
        Assert.Equal(2, groups.Count);
        Assert.Equal(3, groups[0].Count);
    }

    /// <summary>
    /// gen_bench_data.py's masks: the same uint8 array written as MHA (by the script itself) and as NIfTI (by
    /// nibabel). Needs Debian's /usr/bin/python3 with numpy and nibabel (python3-numpy, python3-nibabel: tools/test.sh
    /// installs them); without them the test fails, naming what is missing.
    /// </summary>
    [Fact]
    public async Task Bench_masks_mha_and_nifti_hold_the_same_voxels()
    {
        var script = Path.Combine(Corpus.SharedRoot, "bench", "gen_bench_data.py");
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var dir = Directory.CreateTempSubdirectory("mira-masks-").FullName;
        try
        {
            var psi = new ProcessStartInfo(python, [script, dir, "--only", "masks", "--mask-size", "32"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
            var stderr = p.StandardError.ReadToEndAsync();
            await p.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await p.WaitForExitAsync(timeout.Token);
            Assert.True(p.ExitCode == 0, $"gen_bench_data.py failed (python3-numpy installed?): {await stderr}");
            foreach (var name in new[] { "mask_a", "mask_b" })
            {
                var mha = MetaImageFile.Read(Path.Combine(dir, "masks", name + ".mha"));
                Assert.Equal([32, 32, 32], mha.Size);
                Assert.Equal(VoxelType.UInt8, mha.Type);
                Assert.Contains(mha.Data, b => b == 1);
                Assert.True(mha.Geometry.ApproximatelyEquals(VolumeGeometry.Identity()));
                var nii = Path.Combine(dir, "masks", name + ".nii.gz");
                Assert.True(File.Exists(nii), $"{name}: the generator wrote no NIfTI (apt-get install python3-nibabel)");
                var n = NiftiVolumes.ReadVolume(nii);
                Assert.Equal(mha.Size, n.Size);
                Assert.Equal(mha.Data, n.Data);
                // Same origin and spacing. The script writes the NIfTI with an identity RAS affine but the MHA
                // with an identity LPS TransformMatrix, so x and y directions are opposite: reported, not hidden.
                Assert.Equal(mha.Geometry.Origin, n.Geometry.Origin);
                Assert.Equal(mha.Geometry.Spacing, n.Geometry.Spacing);
                output.WriteLine($"{name}: voxels equal; directions MHA [{string.Join(' ', mha.Geometry.Direction)}], NIfTI→LPS [{string.Join(' ', n.Geometry.Direction)}]");
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
