namespace Mira.Imaging.Presentation;

/// <summary>How the bytes of a <see cref="RenderedImage"/> are laid out.</summary>
public enum RenderedLayout
{
    /// <summary>One byte per pixel, 0 black to 255 white.</summary>
    Gray8,
    /// <summary>Four bytes per pixel: red, green, blue, alpha (always 255).</summary>
    Rgba32,
}

/// <summary>An 8-bit display image, row by row from the top left, no padding between rows.</summary>
public sealed record RenderedImage(int Width, int Height, RenderedLayout Layout, byte[] Pixels)
{
    public int BytesPerPixel => Layout == RenderedLayout.Gray8 ? 1 : 4;

    /// <summary>The gray value, or (for RGBA) the red, green and blue values, of pixel (x, y).</summary>
    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            var i = (y * Width + x) * BytesPerPixel;
            return Layout == RenderedLayout.Gray8 ? (Pixels[i], Pixels[i], Pixels[i]) : (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
    }
}

/// <summary>What the caller asks of the presentation pipeline.</summary>
public sealed record RenderOptions
{
    /// <summary>A window to use instead of the data set's VOI (grayscale images only).</summary>
    public VoiWindow? Window { get; init; }

    /// <summary>
    /// Ignore the data set's windows and VOI LUT and stretch the frame's value range (what happens anyway when the
    /// data set has none); <see cref="Window"/> still wins.
    /// </summary>
    public bool MinMaxWindow { get; init; }

    public static RenderOptions Default { get; } = new();
}
