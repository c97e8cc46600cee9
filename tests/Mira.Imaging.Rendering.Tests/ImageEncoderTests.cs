using Mira.Imaging.Presentation;

namespace Mira.Imaging.Rendering.Tests;

public sealed class ImageEncoderTests
{
    static RenderedImage Gradient(int w, int h, RenderedLayout layout)
    {
        var bpp = layout == RenderedLayout.Gray8 ? 1 : 4;
        var pixels = new byte[w * h * bpp];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var i = (y * w + x) * bpp;
                pixels[i] = (byte)(x * 255 / Math.Max(1, w - 1));
                if (bpp == 4) { pixels[i + 1] = (byte)(y * 255 / Math.Max(1, h - 1)); pixels[i + 2] = 77; pixels[i + 3] = 255; }
            }
        return new RenderedImage(w, h, layout, pixels);
    }

    [Theory]
    [InlineData(RenderedLayout.Gray8)]
    [InlineData(RenderedLayout.Rgba32)]
    public void PNG_round_trips_exactly(RenderedLayout layout)
    {
        var image = Gradient(37, 23, layout);
        var png = ImageEncoder.Encode(image, RenderedFormat.Png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        var back = ImageEncoder.Decode(png);
        Assert.Equal((image.Width, image.Height, image.Layout), (back.Width, back.Height, back.Layout));
        Assert.Equal(image.Pixels, back.Pixels);
    }

    [Fact]
    public void JPEG_quality_trades_size_for_fidelity()
    {
        var image = Gradient(64, 64, RenderedLayout.Rgba32);
        var low = ImageEncoder.Encode(image, RenderedFormat.Jpeg, 10);
        var high = ImageEncoder.Encode(image, RenderedFormat.Jpeg, 95);
        Assert.Equal([0xFF, 0xD8], low[..2]);
        Assert.True(low.Length < high.Length, $"quality 10: {low.Length} bytes, quality 95: {high.Length}");
        var back = ImageEncoder.Decode(high);
        Assert.Equal((64, 64), (back.Width, back.Height));
        var maxError = 0;
        for (var i = 0; i < back.Pixels.Length; i++)
            if (i % 4 != 3) maxError = Math.Max(maxError, Math.Abs(back.Pixels[i] - image.Pixels[i]));
        Assert.True(maxError <= 12, $"max error {maxError} at quality 95");
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageEncoder.Encode(image, RenderedFormat.Jpeg, 0));
    }

    [Fact]
    public void Grayscale_JPEG_stays_grayscale()
    {
        var jpeg = ImageEncoder.Encode(Gradient(32, 8, RenderedLayout.Gray8), RenderedFormat.Jpeg, 90);
        Assert.Equal(RenderedLayout.Gray8, ImageEncoder.Decode(jpeg).Layout);
    }

    [Theory]
    [InlineData(100, 50, 64, 64, 64, 32)]
    [InlineData(50, 100, 64, 64, 32, 64)]
    [InlineData(512, 512, 128, 96, 96, 96)]
    [InlineData(10, 10, 40, 30, 30, 30)] // scaled up to fit
    [InlineData(1000, 1, 10, 10, 10, 1)] // never below one pixel
    public void Fitting_keeps_the_aspect_ratio(int w, int h, int vw, int vh, int ew, int eh)
    {
        Assert.Equal((ew, eh), ImageEncoder.FitSize(w, h, vw, vh));
        var fitted = ImageEncoder.Fit(Gradient(w, h, RenderedLayout.Gray8), vw, vh);
        Assert.Equal((ew, eh, ew * eh), (fitted.Width, fitted.Height, fitted.Pixels.Length));
    }

    [Fact]
    public void Downscaling_averages_rather_than_picks()
    {
        // A 2×2 checkerboard of 0 and 255 blocks (8×8 each) scaled to 2×2 keeps the blocks; to 1×1 gives a mid gray.
        var pixels = new byte[16 * 16];
        for (var y = 0; y < 16; y++) for (var x = 0; x < 16; x++) pixels[y * 16 + x] = (byte)(((x / 8) ^ (y / 8)) == 0 ? 0 : 255);
        var image = new RenderedImage(16, 16, RenderedLayout.Gray8, pixels);
        var one = ImageEncoder.Fit(image, 1, 1);
        Assert.InRange(one.Pixels[0], 96, 160);
    }
}
