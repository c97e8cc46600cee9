using System.Text.Json;
using Mira.Conversion.Photos;
using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Conversion.Tests.Photos;

public sealed class FundusJpegTests : IDisposable
{
    const string Fundus = "photos/fundus/Fundus_photograph_of_normal_right_eye_600px.jpg";
    readonly PhotoWorkspace work = new();
    public void Dispose() => work.Dispose();

    static string Source => Corpus.Get(Fundus).FullPath;

    static JsonElement Oracle()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Corpus.Root, "oracle", "images", Fundus + ".json")));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void The_fundus_JPEG_is_recognised_by_its_content_whatever_its_name()
    {
        var renamed = work.PathOf("fundus.bin");
        File.Copy(Source, renamed);
        Assert.IsType<PhotoConverter>(ImageConverters.CreateBuiltIn().Detect(renamed));
    }

    [Fact]
    public void The_fundus_JPEG_becomes_an_ophthalmic_photograph_whose_frame_is_the_file_byte_for_byte()
    {
        var (path, instance) = work.Convert(Source, PhotoWorkspace.Request());
        Assert.Equal(PhotoHeader.OphthalmicPhotography8Bit, instance.SopClassUid);
        var file = DicomFile.Open(path);
        Assert.Equal("1.2.840.10008.1.2.4.50", file.TransferSyntax.Uid);
        var ds = file.Dataset;
        Assert.Equal("OP", ds.GetString(DicomTags.Modality));
        Assert.Equal("YBR_FULL_422", ds.GetString(DicomTags.PhotometricInterpretation));
        Assert.Equal(600, ds.GetInt32(DicomTags.Rows));
        Assert.Equal(600, ds.GetInt32(DicomTags.Columns));
        Assert.Equal(3, ds.GetInt32(DicomTags.SamplesPerPixel));
        Assert.Equal("01", ds.GetString(DicomTags.LossyImageCompression));
        Assert.Equal(["ORIGINAL", "PRIMARY"], ds.GetStrings(DicomTags.ImageType));
        var frame = PixelData.Open(file).GetEncapsulatedFrame(0);
        var original = File.ReadAllBytes(Source);
        // An odd-length JPEG gets one pad byte (PS3.5 §A.4); the frame is the file and, at most, that byte.
        Assert.True(frame.Span[..original.Length].SequenceEqual(original));
        Assert.True(frame.Length - original.Length is 0 or 1 && (original.Length & 1) == frame.Length - original.Length);
        PhotoWorkspace.AssertDciodvfyClean(path);
    }

    [Fact]
    public void The_fundus_JPEG_as_a_VL_photograph_passes_dciodvfy()
    {
        var (path, instance) = work.Convert(Source, PhotoWorkspace.Request(PhotoKind.VisibleLight));
        Assert.Equal(PhotoHeader.VLPhotographic, instance.SopClassUid);
        Assert.Equal("XC", DicomFile.Open(path).Dataset.GetString(DicomTags.Modality));
        PhotoWorkspace.AssertDciodvfyClean(path);
    }

    [Fact]
    public void The_sidecar_laterality_and_patient_reach_the_object()
    {
        var request = PhotoWorkspace.Request(PhotoKind.Ophthalmic, ("PatientID", "P-17"), ("PatientName", "Doe^Jane"), ("ImageLaterality", "R"), ("AcquisitionDateTime", "20240501101500")) with { PixelSpacingMm = (0.012, 0.012) };
        var (path, _) = work.Convert(Source, request);
        var ds = DicomFile.Open(path).Dataset;
        Assert.Equal("P-17", ds.GetString(DicomTags.PatientID));
        Assert.Equal("R", ds.GetString(DicomTags.ImageLaterality));
        Assert.Equal("0.012\\0.012", string.Join('\\', ds.GetStrings(DicomTags.PixelSpacing)));
        Assert.Equal(["ORIGINAL", "PRIMARY"], ds.GetStrings(DicomTags.ImageType));
        Assert.Equal("20240501101500", ds.GetString(DicomTags.AcquisitionDateTime));
        PhotoWorkspace.AssertDciodvfyClean(path);
    }

    [Fact]
    public void A_laterality_that_is_not_R_L_B_or_U_is_refused_naming_the_file()
    {
        var request = PhotoWorkspace.Request(PhotoKind.Ophthalmic, ("PatientID", "P-17"), ("Laterality", "X"), ("AcquisitionDateTime", "20240501101500"));
        var e = Assert.Throws<ConversionException>(() => new PhotoConverter().Convert(Source, request).ToList());
        Assert.Contains(Path.GetFileName(Source), e.Message);
        Assert.Contains("laterality 'X'", e.Message);
    }

    [Fact]
    public void An_ophthalmic_photograph_without_its_eye_or_acquisition_time_is_refused_and_a_VL_photograph_is_not()
    {
        var placeholder = new ConversionRequest { Subject = ConversionSubject.Placeholder("fundus") };
        var e = Assert.Throws<ConversionException>(() => new PhotoConverter().Convert(Source, placeholder).ToList());
        Assert.StartsWith(Source + ": an ophthalmic photograph needs the eye", e.Message);
        var undated = PhotoWorkspace.Request(PhotoKind.Ophthalmic, ("PatientID", "P-3"), ("ImageLaterality", "L"));
        e = Assert.Throws<ConversionException>(() => new PhotoConverter().Convert(Source, undated).ToList());
        Assert.StartsWith(Source + ": an ophthalmic photograph needs the date and time it was taken", e.Message);
        var (path, _) = work.Convert(Source, placeholder with { PhotoKind = PhotoKind.VisibleLight });
        Assert.Null(DicomFile.Open(path).Dataset.GetString(DicomTags.ImageLaterality));
        PhotoWorkspace.AssertDciodvfyClean(path);
    }

    [Fact]
    public void The_same_file_twice_gives_the_same_UIDs_and_another_subject_other_ones()
    {
        var first = new PhotoConverter().Convert(Source, PhotoWorkspace.Request()).Single();
        var second = new PhotoConverter().Convert(Source, PhotoWorkspace.Request()).Single();
        var other = new PhotoConverter().Convert(Source, PhotoWorkspace.Request(PhotoKind.Ophthalmic, ("PatientID", "P-2"), ("ImageLaterality", "R"), ("AcquisitionDateTime", "20240501101500"))).Single();
        foreach (var tag in new[] { DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.SOPInstanceUID })
        {
            Assert.Equal(first.Header.GetString(tag), second.Header.GetString(tag));
            Assert.NotEqual(first.Header.GetString(tag), other.Header.GetString(tag));
        }
    }

    [Fact]
    public void Decoding_the_frame_to_RGB_gives_Pillows_pixels()
    {
        var (path, _) = work.Convert(Source, PhotoWorkspace.Request());
        var (pixels, format) = PhotoWorkspace.Decode(path, new CodecRegistry([new JpegCodec(JpegColorOutput.ConvertYbrToRgb)]));
        Assert.Equal("RGB", format.PhotometricInterpretation);
        var oracle = Oracle().GetProperty("pixel_pillow");
        Assert.Equal([600, 600, 3], oracle.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(oracle.GetProperty("sha256").GetString(), PhotoWorkspace.Sha256(pixels));
    }

    [Fact]
    public void The_PNG_export_holds_Pillows_pixels_of_the_JPEG()
    {
        var (path, _) = work.Convert(Source, PhotoWorkspace.Request());
        var png = work.PathOf("fundus.png");
        using (var output = File.Create(png))
        {
            var result = PhotoExport.ToPng(path, output);
            Assert.Equal((600, 600, 3, 8, "YBR_FULL_422"), (result.Width, result.Height, result.Samples, result.BitDepth, result.SourcePhotometric));
        }
        var same = PhotoWorkspace.Python("""
            import sys, numpy as np
            from PIL import Image
            a = np.asarray(Image.open(sys.argv[1]).convert('RGB')).astype(int)
            b = np.asarray(Image.open(sys.argv[2])).astype(int)
            print(a.shape == b.shape and int(np.abs(a - b).max()))
            """, Source, png);
        Assert.Equal("0", same);
    }
}
