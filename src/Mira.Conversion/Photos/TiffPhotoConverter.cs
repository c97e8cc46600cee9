using Mira.Conversion.Slides;
using Mira.Conversion.Tiff;

namespace Mira.Conversion.Photos;

/// <summary>
/// A TIFF photograph (a fundus camera's export): one image, not tiled, not a pyramid, at most 8192 pixels on a side —
/// what <see cref="SlideLayout.IsSlide"/> calls not a slide. Its strips are decoded (LZW, Deflate, PackBits, ZSTD,
/// JPEG, none; horizontal differencing undone), the TIFF Orientation applied (TIFF 6.0 tag 274: the object holds the
/// picture as it is meant to be seen, since a DICOM photograph has no orientation of its own), and the pixels stored
/// losslessly through <see cref="PhotoObjects.FromNative"/>.
/// </summary>
public sealed class TiffPhotoConverter : IImageConverter
{
    public string Name => "photograph";

    public bool Recognises(ReadOnlySpan<byte> head, string path)
    {
        if (!TiffFile.HasTiffSignature(head)) return false;
        try
        {
            using var file = TiffFile.Open(path, ConversionLimits.Default);
            return !SlideLayout.Of(file).IsSlide;
        }
        catch (Exception e) when (e is ConversionException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public IEnumerable<ConvertedInstance> Convert(string path, ConversionRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = Path.GetFileName(path);
        byte[] pixels;
        int rows, columns, samples, bits;
        using (var file = TiffFile.Open(path, request.Limits))
        {
            var dir = file.Directories[0];
            if (TiffChunkDecoder.Unsupported(dir) is { } why) throw new ConversionException($"{name}: {why}");
            if (dir.PlanarConfiguration != 1) throw new ConversionException($"{name}: separate colour planes (PlanarConfiguration 2) are not supported for photographs");
            samples = dir.SamplesPerPixel;
            if (!(dir.Photometric == 1 && samples == 1) && !(dir.Photometric is 2 or 6 && samples == 3))
                throw new ConversionException($"{name}: photometric interpretation {dir.Photometric} with {samples} sample(s); photographs are grey (BlackIsZero) or RGB without alpha");
            if (dir.Photometric == 6 && dir.Compression != TiffCompression.Jpeg)
                throw new ConversionException($"{name}: YCbCr samples outside JPEG compression are not supported for photographs");
            (columns, rows, bits) = ((int)dir.Width, (int)dir.Height, dir.BitsPerSample);
            var bytes = (long)columns * rows * samples * (bits / 8);
            if (bytes > request.Limits.MaxFrameBytes)
                throw new ConversionException($"{name}: a {columns} x {rows} image of {samples} x {bits}-bit samples needs {bytes} bytes, over the limit of {request.Limits.MaxFrameBytes}");
            var stored = new byte[bytes];
            var rowBytes = columns * samples * (bits / 8);
            var stripRows = (int)dir.TileHeight;
            for (var strip = 0; strip < dir.ChunkCount; strip++)
            {
                ct.ThrowIfCancellationRequested();
                var first = strip * stripRows;
                if (first >= rows) break;
                var count = Math.Min(stripRows, rows - first);
                var decoded = TiffChunkDecoder.Decode(file, dir, file.ReadChunk(dir, strip), columns, count, samples);
                decoded.AsSpan(0, count * rowBytes).CopyTo(stored.AsSpan(first * rowBytes));
            }
            (pixels, rows, columns) = Orient(stored, rows, columns, samples * (bits / 8), dir.Orientation, name);
        }
        yield return PhotoObjects.FromNative(pixels, rows, columns, samples, bits, path, ConversionUids.HashFile(path), "TIFF", request);
    }

    /// <summary>The picture as displayed, from the stored rows and the TIFF Orientation (1 to 8).</summary>
    internal static (byte[] Pixels, int Rows, int Columns) Orient(byte[] s, int h, int w, int pixel, int orientation, string name)
    {
        if (orientation == 1) return (s, h, w);
        if (orientation is < 1 or > 8) throw new ConversionException($"{name}: TIFF orientation {orientation} is not one of 1 to 8");
        var transposed = orientation >= 5;
        var (rows, columns) = transposed ? (w, h) : (h, w);
        var d = new byte[s.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
            {
                var (sr, sc) = orientation switch
                {
                    2 => (r, w - 1 - c),
                    3 => (h - 1 - r, w - 1 - c),
                    4 => (h - 1 - r, c),
                    5 => (c, r),
                    6 => (h - 1 - c, r),
                    7 => (h - 1 - c, w - 1 - r),
                    _ => (c, w - 1 - r), // 8
                };
                s.AsSpan((sr * w + sc) * pixel, pixel).CopyTo(d.AsSpan((r * columns + c) * pixel));
            }
        return (d, rows, columns);
    }
}
