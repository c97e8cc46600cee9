using Mira.Imaging.Presentation;
using SkiaSharp;

namespace Mira.Imaging.Rendering;

/// <summary>The encoded image formats of rendered resources (PS3.18 §8.7.4 rendered media types).</summary>
public enum RenderedFormat
{
    Png,
    Jpeg,
}

/// <summary>
/// Encodes <see cref="RenderedImage"/>s as PNG or JPEG and scales them to a viewport, with SkiaSharp
/// (../shared/stack-notes.md §2: the window is applied by <see cref="PresentationPipeline"/>; Skia gets Gray8 or RGBA).
/// </summary>
public static class ImageEncoder
{
    /// <summary>JPEG quality when none is asked for.</summary>
    public const int DefaultJpegQuality = 90;

    public static string MediaTypeOf(RenderedFormat format) => format == RenderedFormat.Jpeg ? "image/jpeg" : "image/png";

    /// <summary>Encodes <paramref name="image"/>; <paramref name="quality"/> (1–100) applies to JPEG.</summary>
    public static byte[] Encode(RenderedImage image, RenderedFormat format, int quality = DefaultJpegQuality)
    {
        if (quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(quality), quality, "JPEG quality is 1 to 100");
        using var bitmap = ToBitmap(image);
        using var skImage = SKImage.FromBitmap(bitmap);
        using var data = skImage.Encode(format == RenderedFormat.Jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png,
            format == RenderedFormat.Jpeg ? quality : 100)
            ?? throw new ImagingException($"SkiaSharp could not encode a {image.Width}×{image.Height} {image.Layout} image as {format}");
        return data.ToArray();
    }

    /// <summary>The size that fits <paramref name="width"/>×<paramref name="height"/> into the viewport, keeping the aspect ratio (at least 1×1).</summary>
    public static (int Width, int Height) FitSize(int width, int height, int viewportWidth, int viewportHeight)
    {
        if (viewportWidth < 1 || viewportHeight < 1) throw new ArgumentOutOfRangeException(nameof(viewportWidth), "a viewport is at least 1×1");
        var s = Math.Min((double)viewportWidth / width, (double)viewportHeight / height);
        return (Math.Clamp((int)Math.Round(width * s), 1, viewportWidth), Math.Clamp((int)Math.Round(height * s), 1, viewportHeight));
    }

    /// <summary>
    /// Scales <paramref name="image"/> to the largest size that fits the viewport with the same aspect ratio
    /// (smaller or larger); returns it unchanged when it already has that size.
    /// </summary>
    public static RenderedImage Fit(RenderedImage image, int viewportWidth, int viewportHeight)
    {
        var (w, h) = FitSize(image.Width, image.Height, viewportWidth, viewportHeight);
        if (w == image.Width && h == image.Height) return image;
        using var source = ToBitmap(image);
        var info = new SKImageInfo(w, h, source.ColorType, SKAlphaType.Opaque);
        // Mitchell cubic up, linear with mipmaps down (no aliasing for thumbnails).
        var sampling = w > image.Width ? new SKSamplingOptions(SKCubicResampler.Mitchell) : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        using var scaled = source.Resize(info, sampling) ?? throw new ImagingException($"SkiaSharp could not scale {image.Width}×{image.Height} to {w}×{h}");
        var pixels = new byte[w * h * image.BytesPerPixel];
        var span = scaled.GetPixelSpan();
        var row = w * image.BytesPerPixel;
        for (var y = 0; y < h; y++) span.Slice(y * scaled.RowBytes, row).CopyTo(pixels.AsSpan(y * row, row));
        return image with { Width = w, Height = h, Pixels = pixels };
    }

    /// <summary>
    /// Scales <paramref name="image"/> down to fit the viewport, keeping the aspect ratio; an image that fits already is
    /// returned unchanged (never enlarged), so the output has at most the source's pixels.
    /// </summary>
    public static RenderedImage Shrink(RenderedImage image, int viewportWidth, int viewportHeight) =>
        image.Width <= viewportWidth && image.Height <= viewportHeight ? image : Fit(image, viewportWidth, viewportHeight);

    /// <summary>Decodes a PNG or JPEG into a <see cref="RenderedImage"/> (RGBA unless the file is grayscale), for tests and tools.</summary>
    public static RenderedImage Decode(byte[] encoded)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(encoded)) ?? throw new ImagingException("not an image SkiaSharp can decode");
        var gray = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize];
        var result = codec.GetPixels(info, pixels);
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new ImagingException($"SkiaSharp could not decode the image: {result}");
        return new RenderedImage(info.Width, info.Height, gray ? RenderedLayout.Gray8 : RenderedLayout.Rgba32, pixels);
    }

    static SKBitmap ToBitmap(RenderedImage image)
    {
        var info = new SKImageInfo(image.Width, image.Height, image.Layout == RenderedLayout.Gray8 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        var bitmap = new SKBitmap(info);
        var span = bitmap.GetPixelSpan();
        var row = image.Width * image.BytesPerPixel;
        if (bitmap.RowBytes == row) image.Pixels.AsSpan(0, row * image.Height).CopyTo(span);
        else
            for (var y = 0; y < image.Height; y++) image.Pixels.AsSpan(y * row, row).CopyTo(span.Slice(y * bitmap.RowBytes, row));
        return bitmap;
    }
}
