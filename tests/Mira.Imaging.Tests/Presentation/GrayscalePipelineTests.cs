using Mira.Dicom;
using Mira.Imaging.Presentation;
using static Mira.Imaging.Tests.Presentation.TestFrames;

namespace Mira.Imaging.Tests.Presentation;

/// <summary>
/// Modality LUT, VOI LUT and polarity on frames of a few pixels; every expected value is worked out by hand from the
/// formulas of PS3.3 §C.11 and rounded half away from zero.
/// </summary>
public sealed class GrayscalePipelineTests
{
    static byte[] Render(DicomDataset ds, Mira.Dicom.Codecs.PixelFormat f, byte[] frame, RenderOptions? options = null)
    {
        var image = PresentationPipeline.Render(ds, f, frame, 0, options);
        Assert.Equal(RenderedLayout.Gray8, image.Layout);
        Assert.Equal(f.Columns * f.Rows, image.Pixels.Length);
        return image.Pixels;
    }

    static DicomDataset Window(string center, string width, string? function = null)
    {
        var ds = new DicomDataset().Set(DicomTags.WindowCenter, center).Set(DicomTags.WindowWidth, width);
        if (function is not null) ds.Set(DicomTags.VOILUTFunction, function);
        return ds;
    }

    [Fact]
    public void Linear_window_follows_C_11_2_1_2_1()
    {
        // c = 40, w = 400: x ≤ c − 0.5 − (w − 1)/2 = −160 → 0; x > c − 0.5 + (w − 1)/2 = 239 → 255;
        // else ((x − 39.5)/399 + 0.5) × 255: x = 40 → 127.82 → 128; x = −100 → 38.35 → 38; x = 239 → 255.
        var f = Format(6, 1, signed: true);
        var pixels = Render(Window("40", "400"), f, Bytes16(-160, -159, -100, 40, 239, 240));
        Assert.Equal([0, 1, 38, 128, 255, 255], pixels);
    }

    [Fact]
    public void Linear_exact_window_follows_C_11_2_1_3_2()
    {
        // c = 100, w = 200: x ≤ 0 → 0; x > 200 → 255; else ((x − 100)/200 + 0.5) × 255.
        var f = Format(5, 1);
        var pixels = Render(Window("100", "200", "LINEAR_EXACT"), f, Bytes16(0, 1, 100, 150, 201));
        Assert.Equal([0, 1, 128, 191, 255], pixels); // 1.275 → 1; 127.5 → 128; 191.25 → 191
    }

    [Fact]
    public void Sigmoid_window_follows_C_11_2_1_3_1()
    {
        // y = 255 / (1 + exp(−4 (x − c)/w)), c = 100, w = 200: x = 100 → 127.5 → 128; x = 150 → 186.42 → 186;
        // x = 0 → 255/(1 + e²) = 30.40 → 30.
        var pixels = Render(Window("100", "200", "SIGMOID"), Format(3, 1), Bytes16(100, 150, 0));
        Assert.Equal([128, 186, 30], pixels);
    }

    [Fact]
    public void Rescale_slope_and_intercept_come_before_the_window()
    {
        // Signed stored values; HU = 2 × stored − 1000; window c = 0, w = 1000 LINEAR_EXACT: ((HU)/1000 + 0.5) × 255.
        var ds = Window("0", "1000", "LINEAR_EXACT").Set(DicomTags.RescaleSlope, "2").Set(DicomTags.RescaleIntercept, "-1000");
        var pixels = Render(ds, Format(4, 1, signed: true), Bytes16(-200, 250, 500, 800));
        // HU −1400 → 0; −500 → 0 (≤ c − w/2); 0 → 127.5 → 128; 600 → 255.
        Assert.Equal([0, 0, 128, 255], pixels);
    }

    [Fact]
    public void Modality_LUT_sequence_replaces_the_rescale()
    {
        var item = Dataset(Us(DicomTags.LUTDescriptor, 3, 0, 12), Ow(DicomTags.LUTData, 0, 2048, 4095));
        var ds = Window("2048", "4096", "LINEAR_EXACT").Set(new DicomSequence(DicomTags.ModalityLUTSequence, [item]))
            .Set(DicomTags.RescaleSlope, "100"); // ignored: the LUT wins
        // stored 0, 1, 2, 7 → 0, 2048, 4095, 4095 (past the end) → ((y − 2048)/4096 + 0.5) × 255 = 0, 127.5, 254.94.
        Assert.Equal([0, 128, 255, 255], Render(ds, Format(4, 1), Bytes16(0, 1, 2, 7)));
    }

    [Fact]
    public void VOI_LUT_sequence_maps_and_clamps_to_its_range()
    {
        var item = Dataset(Us(DicomTags.LUTDescriptor, 4, 10, 8), Ow(DicomTags.LUTData, 0, 50, 100, 255));
        var ds = Dataset(new DicomSequence(DicomTags.VOILUTSequence, [item]));
        // below first mapped → entry 0; 11 → 50/255 × 255; past the end → last entry.
        Assert.Equal([0, 0, 50, 100, 255, 255], Render(ds, Format(6, 1), Bytes16(3, 10, 11, 12, 13, 40)));
    }

    [Fact]
    public void The_first_of_several_windows_is_used()
    {
        var ds = Window("100", "200", "LINEAR_EXACT");
        ds.Set(new DicomElement(DicomTags.WindowCenter, DicomVR.DS, "100", "1000"));
        ds.Set(new DicomElement(DicomTags.WindowWidth, DicomVR.DS, "200", "10"));
        Assert.Equal([128], Render(ds, Format(1, 1), Bytes16(100)));
    }

    [Fact]
    public void Window_of_the_request_overrides_the_data_set()
    {
        var options = new RenderOptions { Window = new VoiWindow(100, 200, VoiFunction.LinearExact) };
        Assert.Equal([191], Render(Window("0", "10"), Format(1, 1), Bytes16(150), options));
    }

    [Fact]
    public void Without_a_window_the_range_of_the_frame_is_stretched()
    {
        // min 10 → 0, max 40 → 255, 20 → 85, 30 → 170.
        Assert.Equal([0, 85, 170, 255], Render(new DicomDataset(), Format(4, 1, bitsAllocated: 8), [10, 20, 30, 40]));
    }

    [Fact]
    public void The_default_range_leaves_out_pixel_padding()
    {
        var ds = Dataset(Ss(DicomTags.PixelPaddingValue, -2000));
        // min/max over 0 … 100 only; padding falls below the window → 0.
        Assert.Equal([0, 0, 128, 255], Render(ds, Format(4, 1, signed: true), Bytes16(-2000, 0, 50, 100)));
    }

    [Fact]
    public void Monochrome1_is_inverted()
    {
        var f = Format(5, 1) with { PhotometricInterpretation = "MONOCHROME1" };
        // (1 − ((x − 100)/200 + 0.5)) × 255: 0 → 255, 1 → 253.725 → 254, 100 → 127.5 → 128, 150 → 63.75 → 64, 201 → 0.
        Assert.Equal([255, 254, 128, 64, 0], Render(Window("100", "200", "LINEAR_EXACT"), f, Bytes16(0, 1, 100, 150, 201)));
    }

    [Fact]
    public void Presentation_LUT_shape_decides_the_polarity_when_present()
    {
        var inverse = Window("100", "200", "LINEAR_EXACT").Set(DicomTags.PresentationLUTShape, "INVERSE");
        Assert.Equal([255, 64], Render(inverse, Format(2, 1), Bytes16(0, 150)));
        var identity = Window("100", "200", "LINEAR_EXACT").Set(DicomTags.PresentationLUTShape, "IDENTITY");
        Assert.Equal([0, 191], Render(identity, Format(2, 1) with { PhotometricInterpretation = "MONOCHROME1" }, Bytes16(0, 150)));
    }

    [Fact]
    public void Bits_above_high_bit_are_masked_and_signed_values_sign_extended()
    {
        // 12 of 16 bits, unsigned: 0xF123 → 0x123 = 291; window c = 291.5, w = 2 LINEAR_EXACT: 291 → 63.75 → 64.
        Assert.Equal([64], Render(Window("291.5", "2", "LINEAR_EXACT"), Format(1, 1, bitsStored: 12), Bytes16(0xF123)));
        // 12 of 16 bits, signed: 0x0FFF → −1, 0xF800 → 0x800 → −2048, 0x07FF → 2047 (min/max −2048 … 2047).
        var values = StoredValues.Read(Format(3, 1, bitsStored: 12, signed: true), Bytes16(0x0FFF, 0xF800, 0x07FF));
        Assert.Equal([-1, -2048, 2047], values);
        // High Bit 11 with 8 bits stored: the value sits in bits 4–11.
        Assert.Equal([0xAB], StoredValues.Read(Format(1, 1, bitsStored: 8, highBit: 11), Bytes16(0xFABF)));
    }

    [Fact]
    public void One_bit_frames_are_rendered_black_and_white()
    {
        // 8 pixels, LSB first: 0b1010_0101 → 1,0,1,0,0,1,0,1.
        Assert.Equal([255, 0, 255, 0, 0, 255, 0, 255], Render(new DicomDataset(), Format(8, 1, bitsAllocated: 1), [0b1010_0101]));
    }

    [Fact]
    public void Float_pixel_data_is_stretched_and_NaN_is_black()
    {
        var f = Format(4, 1, bitsAllocated: 32) with { IsFloat = true };
        // min −1.5, max 2.5: 0 → (1.5/4) × 255 = 95.625 → 96.
        Assert.Equal([0, 96, 255, 0], Render(new DicomDataset(), f, Floats(-1.5f, 0, 2.5f, float.NaN)));
    }

    [Fact]
    public void Enhanced_objects_take_the_rescale_and_window_of_the_frame()
    {
        DicomDataset Group(string c, string w, string intercept) => Dataset(
            new DicomSequence(DicomTags.FrameVOILUTSequence, [new DicomDataset().Set(DicomTags.WindowCenter, c).Set(DicomTags.WindowWidth, w).Set(DicomTags.VOILUTFunction, "LINEAR_EXACT")]),
            new DicomSequence(DicomTags.PixelValueTransformationSequence, [new DicomDataset().Set(DicomTags.RescaleSlope, "1").Set(DicomTags.RescaleIntercept, intercept)]));
        var ds = Dataset(new DicomSequence(DicomTags.PerFrameFunctionalGroupsSequence, [Group("0", "10", "0"), Group("100", "200", "-50")]));
        // Frame 2 (index 1): 200 − 50 = 150 → 191.
        var image = PresentationPipeline.Render(ds, Format(1, 1) with { NumberOfFrames = 2 }, Bytes16(200), 1);
        Assert.Equal([191], image.Pixels);
    }

    [Theory]
    [InlineData("40,400", 40, 400, VoiFunction.Linear)]
    [InlineData(" -600 , 1500.5 ", -600, 1500.5, VoiFunction.Linear)]
    [InlineData("40,400,sigmoid", 40, 400, VoiFunction.Sigmoid)]
    [InlineData("40,400,linear-exact", 40, 400, VoiFunction.LinearExact)]
    [InlineData("40,400,LINEAR_EXACT", 40, 400, VoiFunction.LinearExact)]
    [InlineData("40,0.5,linear-exact", 40, 0.5, VoiFunction.LinearExact)]
    public void Window_parameters_parse(string text, double c, double w, VoiFunction function)
    {
        Assert.Equal(new VoiWindow(c, w, function), VoiWindow.Parse(text, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("40")]
    [InlineData("a,b")]
    [InlineData("40,400,cubic")]
    [InlineData("40,0.5")] // LINEAR needs a width of at least 1
    [InlineData("40,0,sigmoid")]
    [InlineData("1,2,3,4")]
    public void Bad_window_parameters_are_refused_with_a_reason(string text)
    {
        Assert.Null(VoiWindow.Parse(text, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
