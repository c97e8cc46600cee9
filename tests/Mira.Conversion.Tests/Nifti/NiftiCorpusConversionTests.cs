using System.Security.Cryptography;
using Mira.Conversion.Nifti;
using Mira.Dicom;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Conversion.Tests.Nifti;

/// <summary>
/// Every NIfTI file of the corpus (../shared/corpus/MANIFEST.tsv, nifti/...) is converted — each object passing
/// dciodvfy, and DICOM → volume giving the NIfTI reader's voxels (and nibabel's, by the oracle SHA-256) on the same
/// affine within 1e-4 mm — or refused with the file named and the reason.
/// </summary>
public sealed class NiftiCorpusConversionTests(ITestOutputHelper output)
{
    public static TheoryData<string> Files => new(NiftiOracle.Files.Select(f => f.Path));

    /// <summary>The corpus files that must be refused, with a word the reason must hold.</summary>
    static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["nifti/cit168/CIT168.nii.gz"] = "datatype 2304 (RGBA32)",
        ["nifti/nibabel/row_major.dconn.nii"] = "CIFTI",
        ["nifti/nibabel/nifti1.hdr"] = ".img",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Corpus_file_is_converted_exactly_or_refused_clearly(string path)
    {
        var file = Corpus.Get(path);
        var converter = new NiftiConverter();
        var head = File.ReadAllBytes(file.FullPath).AsSpan(0, (int)Math.Min(4096, new FileInfo(file.FullPath).Length));
        Assert.True(converter.Recognises(head, file.FullPath));
        if (Refused.TryGetValue(path, out var reason))
        {
            var e = Assert.Throws<ConversionException>(() => ConvertedFiles.Convert(file.FullPath).Dispose());
            output.WriteLine(e.Message);
            Assert.Contains(Path.GetFileName(path), e.Message, StringComparison.Ordinal);
            Assert.Contains(reason, e.Message, StringComparison.Ordinal);
            return;
        }
        using var converted = ConvertedFiles.Convert(file.FullPath);
        output.WriteLine($"{converted.Instances.Count} instance(s), {converted.Instances[0].SopClassUid}: {converted.Instances[0].Description}");
        Assert.Empty(converted.DciodvfyErrors());

        var original = NiftiVolumes.ReadVolume(file.FullPath);
        var expected = VolumeComparison.AsDicomStacks(original);
        var built = Assert.Single(converted.Build());
        Assert.Equal(expected.Size, built.Volume.Size);
        Assert.Equal(-1, VolumeComparison.FirstDifference(expected, built.Volume));
        var affine = VolumeComparison.AffineDifference(expected, built.Volume);
        output.WriteLine($"affine difference {affine:g3} mm, {string.Join('x', built.Volume.Size)} {built.Volume.Type} from {string.Join('x', original.Size)} {original.Type}");
        Assert.True(affine <= 1e-4, $"affine differs by {affine} mm");

        // nibabel's view: the round-tripped values in the file's datatype, in the file's order, hash to the oracle's.
        var oracle = NiftiOracle.For(file).Data;
        Assert.NotNull(oracle);
        // With scl_slope/scl_inter (functional.nii) the volumes hold slope · stored + inter; the oracle hashes the stored values.
        var header = NiftiFile.ReadHeader(file.FullPath).Header;
        var storedType = NiftiVolumes.VoxelTypeOf(header.DataType)!.Value;
        var (slope, inter) = header.HasScaling ? (header.SclSlope, header.SclInter) : (1.0, 0.0);
        var typed = Volume.Create(built.Volume.Size, storedType);
        for (long i = 0; i < typed.VoxelCount; i++) typed.SetValue(i, header.HasScaling ? Math.Round((built.Volume.GetValue(i) - inter) / slope) : built.Volume.GetValue(i));
        var inFileOrder = VolumeComparison.AsDicomStacks(new Volume(typed.Size, typed.Type, typed.Data, original.Geometry, original.ExtraSpacing));
        var sha = Convert.ToHexStringLower(SHA256.HashData(NiftiOracle.ToCOrder(inFileOrder.Data, header.Shape, header.BitPix / 8)));
        Assert.Equal(oracle.Value.GetProperty("sha256_stored").GetString(), sha);
    }

    [Fact]
    public void Converting_the_same_file_twice_gives_the_same_uids()
    {
        var path = Corpus.Get("nifti/nibabel/functional.nii").FullPath;
        var request = ConvertedFiles.Request(path);
        var first = new NiftiConverter().Convert(path, request).Select(i => (i.SopInstanceUid, i.Header.GetString(DicomTags.SeriesInstanceUID), i.Header.GetString(DicomTags.StudyInstanceUID))).ToList();
        var second = new NiftiConverter().Convert(path, ConvertedFiles.Request(path)).Select(i => (i.SopInstanceUid, i.Header.GetString(DicomTags.SeriesInstanceUID), i.Header.GetString(DicomTags.StudyInstanceUID))).ToList();
        Assert.Equal(3 * 20, first.Count); // 3 slices x 20 time points
        Assert.Equal(first, second);
        Assert.Equal(first.Count, first.Select(f => f.SopInstanceUid).Distinct().Count());
        var other = new NiftiConverter().Convert(Corpus.Get("nifti/nibabel/anatomical.nii").FullPath, request).First();
        Assert.NotEqual(first[0].SopInstanceUid, other.SopInstanceUid);
    }

    [Fact]
    public void Ct_modality_gives_ct_images_with_rescale_that_read_back_the_same()
    {
        var path = Corpus.Get("nifti/nibabel/anatomical.nii").FullPath;
        using var converted = ConvertedFiles.Convert(path, "CT");
        Assert.All(converted.Instances, i => Assert.Equal(DicomUids.CTImageStorage, i.SopClassUid));
        Assert.All(converted.Instances, i => Assert.Equal("CT", i.Header.GetString(DicomTags.Modality)));
        Assert.Empty(converted.DciodvfyErrors());
        var expected = VolumeComparison.AsDicomStacks(NiftiVolumes.ReadVolume(path));
        Assert.Equal(-1, VolumeComparison.FirstDifference(expected, Assert.Single(converted.Build()).Volume));
    }

    [Fact]
    public void Unknown_modality_is_refused()
    {
        var path = Corpus.Get("nifti/nibabel/anatomical.nii").FullPath;
        var e = Assert.Throws<ConversionException>(() => new NiftiConverter().Convert(path, ConvertedFiles.Request(path, "PT")));
        Assert.Contains("anatomical.nii", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_volume_over_the_limit_is_refused_before_reading()
    {
        var path = Corpus.Get("nifti/mni/MNI152_T1_2mm.nii.gz").FullPath;
        var request = ConvertedFiles.Request(path) with { Limits = new ConversionLimits { MaxVolumeBytes = 1 << 20 } };
        var e = Assert.Throws<ConversionException>(() => new NiftiConverter().Convert(path, request));
        Assert.Contains("over the limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dicom_and_other_files_are_not_recognised()
    {
        var converter = new NiftiConverter();
        var dicom = Corpus.DicomFiles.First().FullPath;
        Assert.False(converter.Recognises(File.ReadAllBytes(dicom).AsSpan(0, 1024), dicom));
        Assert.False(converter.Recognises("not a volume at all"u8, "x.nii"));
        Assert.IsType<NiftiConverter>(ImageConverters.CreateBuiltIn().Detect(Corpus.Get("nifti/nibabel/standard.nii.gz").FullPath));
    }
}
