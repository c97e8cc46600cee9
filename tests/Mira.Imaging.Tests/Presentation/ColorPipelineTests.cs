using Mira.Dicom;
using Mira.Imaging.Presentation;
using static Mira.Imaging.Tests.Presentation.TestFrames;

namespace Mira.Imaging.Tests.Presentation;

/// <summary>RGB, YBR and PALETTE COLOR frames of a few pixels, expected values worked out from PS3.3 §C.7.6.3.1.2, §C.7.9.</summary>
public sealed class ColorPipelineTests
{
    static (byte, byte, byte)[] Rgb(RenderedImage image)
    {
        Assert.Equal(RenderedLayout.Rgba32, image.Layout);
        var result = new (byte, byte, byte)[image.Width * image.Height];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (image.Pixels[4 * i], image.Pixels[4 * i + 1], image.Pixels[4 * i + 2]);
            Assert.Equal(255, image.Pixels[4 * i + 3]);
        }
        return result;
    }

    [Fact]
    public void RGB_by_pixel_and_by_plane_give_the_same_image()
    {
        var byPixel = Format(2, 1, bitsAllocated: 8, photometric: "RGB", samples: 3);
        var a = PresentationPipeline.Render(new DicomDataset(), byPixel, [10, 20, 30, 40, 50, 60], 0);
        var b = PresentationPipeline.Render(new DicomDataset(), byPixel with { PlanarConfiguration = 1 }, [10, 40, 20, 50, 30, 60], 0);
        Assert.Equal([(10, 20, 30), (40, 50, 60)], Rgb(a));
        Assert.Equal(a.Pixels, b.Pixels);
    }

    [Fact]
    public void Sixteen_bit_RGB_is_scaled_to_eight_bits()
    {
        var f = Format(1, 1, bitsAllocated: 16, photometric: "RGB", samples: 3);
        // v × 255 / 65535: 65535 → 255, 32768 → 127.5 → 128, 257 → 1.
        Assert.Equal([(255, 128, 1)], Rgb(PresentationPipeline.Render(new DicomDataset(), f, Bytes16(65535, 32768, 257), 0)));
    }

    [Fact]
    public void YBR_FULL_follows_the_C_7_6_3_1_2_equations()
    {
        var f = Format(2, 1, bitsAllocated: 8, photometric: "YBR_FULL", samples: 3);
        // Y 100, Cb 150, Cr 90: R = 100 + 1.402 × (−38) = 46.72 → 47; G = 100 − 0.344136 × 22 − 0.714136 × (−38)
        // = 119.57 → 120; B = 100 + 1.772 × 22 = 138.98 → 139. Neutral chroma keeps the gray.
        var image = PresentationPipeline.Render(new DicomDataset(), f, [100, 150, 90, 128, 128, 128], 0);
        Assert.Equal([(47, 120, 139), (128, 128, 128)], Rgb(image));
        // YBR_FULL_422 delivered upsampled (three samples per pixel) and YBR_ICT use the same equations.
        Assert.Equal(image.Pixels, PresentationPipeline.Render(new DicomDataset(), f with { PhotometricInterpretation = "YBR_FULL_422" }, [100, 150, 90, 128, 128, 128], 0).Pixels);
        Assert.Equal(image.Pixels, PresentationPipeline.Render(new DicomDataset(), f with { PhotometricInterpretation = "YBR_ICT" }, [100, 150, 90, 128, 128, 128], 0).Pixels);
    }

    [Fact]
    public void YBR_RCT_delivered_undecoded_is_inverted_exactly()
    {
        // Y 100, Cb 138, Cr 122: u = 10, v = −6, G = 100 − ⌊4/4⌋ = 99, R = v + G = 93, B = u + G = 109.
        var f = Format(1, 1, bitsAllocated: 8, photometric: "YBR_RCT", samples: 3);
        Assert.Equal([(93, 99, 109)], Rgb(PresentationPipeline.Render(new DicomDataset(), f, [100, 138, 122], 0)));
    }

    [Fact]
    public void YBR_PARTIAL_uses_the_partial_range_equations()
    {
        // Y 16, chroma 128 → black; Y 235 → 1.1644 × 219 = 255.0 → 255.
        var f = Format(2, 1, bitsAllocated: 8, photometric: "YBR_PARTIAL_420", samples: 3);
        Assert.Equal([(0, 0, 0), (255, 255, 255)], Rgb(PresentationPipeline.Render(new DicomDataset(), f, [16, 128, 128, 235, 128, 128], 0)));
    }

    static DicomDataset PaletteDataset(int first, int bits, int[] red, int[] green, int[] blue) => Dataset(
        Us(DicomTags.RedPaletteColorLookupTableDescriptor, red.Length, first, bits),
        Us(DicomTags.GreenPaletteColorLookupTableDescriptor, green.Length, first, bits),
        Us(DicomTags.BluePaletteColorLookupTableDescriptor, blue.Length, first, bits),
        Ow(DicomTags.RedPaletteColorLookupTableData, red), Ow(DicomTags.GreenPaletteColorLookupTableData, green),
        Ow(DicomTags.BluePaletteColorLookupTableData, blue));

    [Fact]
    public void Sixteen_bit_palette_entries_are_scaled_and_indices_clamped()
    {
        var ds = PaletteDataset(2, 16, [0, 65535, 0, 32768], [0, 0, 65535, 32768], [65535, 0, 0, 32768]);
        var f = Format(4, 1, bitsAllocated: 8, photometric: "PALETTE COLOR");
        // Index 0 is below the first mapped value 2 → entry 0; 3 → entry 1; 5 → entry 3 (32768 × 255/65535 = 127.5 → 128); 9 → last.
        Assert.Equal([(0, 0, 255), (255, 0, 0), (128, 128, 128), (128, 128, 128)], Rgb(PresentationPipeline.Render(ds, f, [0, 3, 5, 9], 0)));
    }

    [Fact]
    public void Eight_bit_palette_data_packed_one_byte_per_entry_is_read()
    {
        // Four 8-bit entries in two 16-bit words (little endian): bytes 0, 10, 20, 30.
        var packed = new[] { 10 << 8, 30 << 8 | 20 };
        var ds = Dataset(
            Us(DicomTags.RedPaletteColorLookupTableDescriptor, 4, 0, 8), Us(DicomTags.GreenPaletteColorLookupTableDescriptor, 4, 0, 8),
            Us(DicomTags.BluePaletteColorLookupTableDescriptor, 4, 0, 8),
            Ow(DicomTags.RedPaletteColorLookupTableData, packed), Ow(DicomTags.GreenPaletteColorLookupTableData, packed),
            Ow(DicomTags.BluePaletteColorLookupTableData, packed));
        var f = Format(4, 1, bitsAllocated: 8, photometric: "PALETTE COLOR");
        Assert.Equal([(0, 0, 0), (10, 10, 10), (20, 20, 20), (30, 30, 30)], Rgb(PresentationPipeline.Render(ds, f, [0, 1, 2, 3], 0)));
    }

    [Fact]
    public void Segmented_palettes_expand_discrete_linear_and_indirect_segments()
    {
        // Discrete 0, 10, 20; linear to 60 in 4 steps: 30, 40, 50, 60; indirect: copy 1 segment from word 0: 0, 10, 20.
        int[] words = [0, 3, 0, 10, 20, 1, 4, 60, 2, 1, 0, 0];
        var bytes = Ow(DicomTags.SegmentedRedPaletteColorLookupTableData, words).Bytes.Span;
        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 0, 10, 20], SegmentedLut.Expand(bytes, 10, "test").Select(x => (int)x));

        var ds = Dataset(
            Us(DicomTags.RedPaletteColorLookupTableDescriptor, 10, 0, 8), Us(DicomTags.GreenPaletteColorLookupTableDescriptor, 10, 0, 8),
            Us(DicomTags.BluePaletteColorLookupTableDescriptor, 10, 0, 8),
            Ow(DicomTags.SegmentedRedPaletteColorLookupTableData, words), Ow(DicomTags.SegmentedGreenPaletteColorLookupTableData, words),
            Ow(DicomTags.SegmentedBluePaletteColorLookupTableData, [0, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]));
        var f = Format(3, 1, bitsAllocated: 8, photometric: "PALETTE COLOR");
        Assert.Equal([(0, 0, 9), (60, 60, 3), (20, 20, 0)], Rgb(PresentationPipeline.Render(ds, f, [0, 6, 9], 0)));
    }

    [Theory]
    [InlineData(new[] { 1, 2, 5 }, "a linear segment cannot come first")]
    [InlineData(new[] { 0, 2, 1, 2, 7, 1 }, "reserved")]
    [InlineData(new[] { 0, 1, 5, 2, 1, 100, 0 }, "points forward")]
    [InlineData(new[] { 0, 5, 1, 2 }, "runs past the data")]
    public void Damaged_segmented_data_are_refused(int[] words, string reason)
    {
        var bytes = Ow(DicomTags.SegmentedRedPaletteColorLookupTableData, words).Bytes.ToArray();
        var e = Assert.Throws<ImagingException>(() => SegmentedLut.Expand(bytes, 4, "red palette"));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Unknown_photometric_interpretations_are_refused()
    {
        var f = Format(1, 1, bitsAllocated: 8, photometric: "CMYK", samples: 4);
        var e = Assert.Throws<ImagingException>(() => PresentationPipeline.Render(new DicomDataset(), f, [1, 2, 3, 4], 0));
        Assert.Contains("CMYK", e.Message);
    }
}
