using Mira.Dicom.IO;

namespace Mira.Dicom.Tests.Corpus;

/// <summary>Files that dcmtk or pydicom reject: a clear error, or a lenient parse that says what it tolerated.</summary>
public class RejectedFileTests
{
    static string P(string p) => Path.Combine(Mira.Testing.Corpus.Root, p);

    [Fact]
    public void Stray_byte_before_the_first_element_is_not_dicom()
    {
        var e = Assert.Throws<DicomFormatException>(() => DicomFile.Open(P("dicom/edge/no_meta.dcm")));
        Assert.Contains("not a DICOM file", e.Message);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Truncated_pixel_data_is_kept_with_a_warning_naming_it()
    {
        var file = DicomFile.Open(P("dicom/edge/MR_truncated.dcm"));
        var w = Assert.Single(file.Warnings, w => w.Message.Contains("truncated"));
        Assert.Equal(DicomTags.PixelData, w.Tag);
        Assert.True(file.Dataset.Get(DicomTags.PixelData).Length < 8192);
    }

    [Fact]
    public void Missing_sequence_delimiter_keeps_the_fragments_and_warns()
    {
        var file = DicomFile.Open(P("dicom/edge/emri_small_jpeg_2k_lossless_too_short.dcm"));
        Assert.Contains(file.Warnings, w => w.Message.Contains("delimiter missing") && w.Tag == DicomTags.PixelData);
        var pixels = Assert.IsType<DicomFragmentSequence>(file.Dataset.Get(DicomTags.PixelData));
        Assert.NotEmpty(pixels.Fragments);
    }

    [Fact]
    public void Odd_length_values_are_read_and_reported_with_tag_and_offset()
    {
        var file = DicomFile.Open(P("dicom/modality/DX/highdicom_dx_image.dcm"));
        var w = Assert.Single(file.Warnings, w => w.Message.StartsWith("odd value length", StringComparison.Ordinal));
        Assert.Equal(DicomTags.PixelData, w.Tag);
        Assert.True(w.Offset > 0);
    }

    [Fact]
    public void Private_elements_are_found_through_their_creator()
    {
        var ds = DicomFile.Open(P("dicom/modality/MR/siemens_mosaic_0.dcm")).Dataset;
        var tag = ds.FindPrivateTag("SIEMENS CSA HEADER", 0x0029, 0x10);
        Assert.NotNull(tag);
        Assert.Equal("SIEMENS CSA HEADER", ds.GetPrivateCreator(tag!.Value));
        Assert.True(ds.Get(tag.Value).Length > 1000);
    }
}
