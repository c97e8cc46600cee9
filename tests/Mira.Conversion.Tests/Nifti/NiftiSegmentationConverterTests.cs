using Mira.Conversion.Nifti;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging.Nifti;
using Mira.Imaging.Segmentation;
using Mira.Testing;

namespace Mira.Conversion.Tests.Nifti;

/// <summary>NIfTI labels as a DICOM Segmentation on the image series they were drawn on.</summary>
public sealed class NiftiSegmentationConverterTests
{
    static string Mni => Corpus.Get("nifti/mni/MNI152_T1_2mm.nii.gz").FullPath;
    static string MniMask => Corpus.Get("nifti/mni/mniMask.nii.gz").FullPath;

    static List<DicomDataset> Headers(ConvertedFiles files) =>
        files.Paths.Select(p => DicomFile.Open(p, new DicomReadOptions { StopBeforePixelData = true }).Dataset).ToList();

    [Fact]
    public void Mni_mask_becomes_a_segmentation_that_reads_back_to_the_same_mask()
    {
        using var images = ConvertedFiles.Convert(Mni);
        var referenced = Headers(images);
        var seg = NiftiSegmentationConverter.Convert(MniMask, referenced, ConvertedFiles.Request(MniMask));
        using var written = new ConvertedFiles([seg]);
        Assert.Empty(written.DciodvfyErrors());
        Assert.Equal(referenced[0].GetString(DicomTags.StudyInstanceUID), seg.Header.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal(referenced[0].GetString(DicomTags.PatientID), seg.Header.GetString(DicomTags.PatientID));
        Assert.Equal(referenced[0].GetString(DicomTags.FrameOfReferenceUID), seg.Header.GetString(DicomTags.FrameOfReferenceUID));

        var read = DicomSegReader.Read(written.Paths[0]);
        var label = NiftiVolumes.ReadVolume(MniMask);
        var values = Enumerable.Range(0, (int)label.VoxelCount).Select(i => label.GetValue(i)).Where(v => v != 0).Distinct().Order().ToList();
        Assert.Equal(values.Count, read.Segments.Count);
        var expectedGrid = VolumeComparison.AsDicomStacks(label);
        for (var s = 0; s < values.Count; s++)
        {
            // The reader's grid spans the slices that hold frames: find where it starts on the label's grid.
            var mask = read.Mask(s + 1);
            Assert.Equal(expectedGrid.Nx, mask.Nx);
            Assert.Equal(expectedGrid.Ny, mask.Ny);
            var k0 = Enumerable.Range(0, expectedGrid.Nz).Single(k =>
                expectedGrid.Geometry.PatientPosition(0, 0, k).Zip(mask.Geometry.Origin, (a, b) => Math.Abs(a - b)).Max() <= 1e-4);
            var shifted = expectedGrid.Geometry.PatientPosition(0, 0, k0);
            var onGrid = new Mira.Imaging.Volumes.VolumeGeometry(shifted, expectedGrid.Geometry.Spacing, expectedGrid.Geometry.Direction);
            Assert.True(onGrid.VoxelToPatient().Zip(mask.Geometry.VoxelToPatient(), (a, b) => Math.Abs(a - b)).Max() <= 1e-4);
            long foreground = 0, read1 = 0;
            for (var k = 0; k < expectedGrid.Nz; k++)
                for (var j = 0; j < expectedGrid.Ny; j++)
                    for (var i = 0; i < expectedGrid.Nx; i++)
                    {
                        var inLabel = expectedGrid[i, j, k] == values[s];
                        var km = k - k0;
                        var inMask = km >= 0 && km < mask.Nz && mask[i, j, km] != 0;
                        Assert.True(inLabel == inMask, $"voxel ({i}, {j}, {k}) of segment {s + 1}: label {inLabel}, SEG {inMask}");
                        if (inLabel) foreground++;
                        if (inMask) read1++;
                    }
            Assert.True(foreground > 0);
            Assert.Equal(foreground, read1);
        }
    }

    [Fact]
    public void A_label_on_another_grid_is_refused_saying_how_it_differs()
    {
        using var images = ConvertedFiles.Convert(Mni);
        var small = Corpus.Get("nifti/nibabel/standard.nii.gz").FullPath;
        var e = Assert.Throws<ConversionException>(() => NiftiSegmentationConverter.Convert(small, Headers(images), ConvertedFiles.Request(small)));
        Assert.Contains("standard.nii.gz", e.Message, StringComparison.Ordinal);
        Assert.Contains("4 x 5", e.Message, StringComparison.Ordinal);
        Assert.Contains("91 x 109", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_on_a_shifted_grid_is_refused()
    {
        using var images = ConvertedFiles.Convert(Mni);
        var headers = Headers(images);
        foreach (var h in headers)
        {
            var p = h.GetDoubles(DicomTags.ImagePositionPatient);
            h.Set(DicomTags.ImagePositionPatient, DicomAttributesForTests.Ds(p[0] + 1), DicomAttributesForTests.Ds(p[1]), DicomAttributesForTests.Ds(p[2]));
        }
        var e = Assert.Throws<ConversionException>(() => NiftiSegmentationConverter.Convert(MniMask, headers, ConvertedFiles.Request(MniMask)));
        Assert.Contains("lies on no referenced image", e.Message, StringComparison.Ordinal);
    }
}

internal static class DicomAttributesForTests
{
    public static string Ds(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
