using Mira.Conversion.Tiff;
using Mira.Dicom.Codecs;
using Mira.Dicom.Codecs.Jpeg2000;
using Mira.Dicom.Codecs.JpegLs;

namespace Mira.Conversion.Slides;

/// <summary>
/// Produces the frames of one slide image in TILED_FULL order (PS3.3 §C.7.6.17.3: row by row of tiles, left to right),
/// one at a time, reading from the file only then: a copied tile, or a decoded tile (or a band of strips, read only
/// the strips that band needs) encoded JPEG-LS lossless. Memory holds one tile, or one band of strips and one tile.
/// </summary>
public static class SlideFrames
{
    static readonly JpegLsCodec JpegLs = new();

    public static IEnumerable<ReadOnlyMemory<byte>> Enumerate(string path, TiffDirectory dir, SlidePixelPlan plan, ConversionLimits limits, CancellationToken ct)
    {
        using var file = TiffFile.Open(path, limits);
        var d = file.Directories[dir.Index];
        var frames = plan.Mode switch
        {
            SlidePixelMode.CopyJpeg => CopyJpeg(file, d),
            SlidePixelMode.CopyJpeg2000 => CopyJpeg2000(file, d),
            _ when d.IsTiled => DecodeTiles(file, d, plan),
            _ => RetileStrips(file, d, plan),
        };
        foreach (var frame in frames)
        {
            ct.ThrowIfCancellationRequested();
            yield return frame;
        }
    }

    static IEnumerable<ReadOnlyMemory<byte>> CopyJpeg(TiffFile file, TiffDirectory dir)
    {
        var tables = dir.JpegTables ?? [];
        for (var i = 0; i < dir.ChunkCount; i++)
        {
            var tile = file.ReadChunk(dir, i);
            if (tile.Length == 0) throw file.Fail($"directory {dir.Index + 1}: JPEG tile {i + 1} is empty");
            byte[] merged;
            try
            {
                merged = JpegTiles.Merge(tables, tile, false);
                if (dir.Photometric == 2 && dir.SamplesPerPixel == 3 && JpegTiles.Inspect(merged).AdobeTransform < 0)
                    merged = JpegTiles.Merge(tables, tile, true);
            }
            catch (FormatException e) { throw file.Fail($"directory {dir.Index + 1}: JPEG tile {i + 1}: {e.Message}"); }
            yield return merged;
        }
    }

    static IEnumerable<ReadOnlyMemory<byte>> CopyJpeg2000(TiffFile file, TiffDirectory dir)
    {
        for (var i = 0; i < dir.ChunkCount; i++)
        {
            var tile = file.ReadChunk(dir, i);
            if (!J2kHeader.StartsWithCodestream(tile)) throw file.Fail($"directory {dir.Index + 1}: tile {i + 1} is not a JPEG 2000 codestream");
            yield return tile;
        }
    }

    static IEnumerable<ReadOnlyMemory<byte>> DecodeTiles(TiffFile file, TiffDirectory dir, SlidePixelPlan plan)
    {
        var perPlane = (int)(dir.TilesAcross * dir.TilesDown);
        for (var t = 0; t < perPlane; t++)
        {
            var pixels = DecodeChunk(file, dir, t, perPlane, plan.FrameColumns, plan.FrameRows);
            yield return Encode(pixels, plan, dir);
        }
    }

    static IEnumerable<ReadOnlyMemory<byte>> RetileStrips(TiffFile file, TiffDirectory dir, SlidePixelPlan plan)
    {
        var width = (int)dir.Width;
        var height = (int)dir.Height;
        var rps = (int)dir.TileHeight;
        var stripsPerPlane = dir.ChunkCount / (dir.PlanarConfiguration == 2 ? dir.SamplesPerPixel : 1);
        var pixelBytes = plan.Samples * plan.BitsAllocated / 8;
        var rowBytes = width * pixelBytes;
        int cachedStrip = -1;
        byte[] strip = [];
        for (var y0 = 0; y0 < height; y0 += plan.FrameRows)
        {
            var bandRows = Math.Min(plan.FrameRows, height - y0);
            var band = new byte[(long)rowBytes * bandRows];
            for (var y = y0; y < y0 + bandRows;)
            {
                var s = y / rps;
                if (s != cachedStrip)
                {
                    strip = DecodeChunk(file, dir, s, stripsPerPlane, width, Math.Min(rps, height - s * rps));
                    cachedStrip = s;
                }
                var stripEnd = Math.Min((s + 1) * rps, y0 + bandRows);
                var n = stripEnd - y;
                strip.AsSpan((y - s * rps) * rowBytes, n * rowBytes).CopyTo(band.AsSpan((y - y0) * rowBytes));
                y = stripEnd;
            }
            for (var x0 = 0; x0 < width; x0 += plan.FrameColumns)
            {
                var tile = new byte[plan.FrameColumns * plan.FrameRows * pixelBytes];
                tile.AsSpan().Fill(0xFF); // edge tiles are padded white, the colour of an empty brightfield slide
                var copy = Math.Min(plan.FrameColumns, width - x0) * pixelBytes;
                for (var r = 0; r < bandRows; r++)
                    band.AsSpan(r * rowBytes + x0 * pixelBytes, copy).CopyTo(tile.AsSpan(r * plan.FrameColumns * pixelBytes));
                yield return Encode(tile, plan, dir);
            }
        }
    }

    /// <summary>Decodes chunk <paramref name="index"/> (of each plane when planar configuration is 2) into interleaved samples.</summary>
    static byte[] DecodeChunk(TiffFile file, TiffDirectory dir, int index, int perPlane, int width, int rows)
    {
        var bps = TiffChunkDecoder.BytesPerSample(dir);
        if (dir.PlanarConfiguration != 2 || dir.SamplesPerPixel == 1)
            return ReadDecoded(file, dir, index, width, rows, dir.SamplesPerPixel);
        var spp = dir.SamplesPerPixel;
        var result = new byte[width * rows * spp * bps];
        for (var p = 0; p < spp; p++)
        {
            var plane = ReadDecoded(file, dir, p * perPlane + index, width, rows, 1);
            for (var i = 0; i < width * rows; i++)
                plane.AsSpan(i * bps, bps).CopyTo(result.AsSpan((i * spp + p) * bps));
        }
        return result;
    }

    static byte[] ReadDecoded(TiffFile file, TiffDirectory dir, int index, int width, int rows, int samples)
    {
        var stored = file.ReadChunk(dir, index);
        if (stored.Length == 0)
        {
            var empty = new byte[width * rows * samples * TiffChunkDecoder.BytesPerSample(dir)];
            empty.AsSpan().Fill(0xFF);
            return empty;
        }
        return TiffChunkDecoder.Decode(file, dir, stored, width, rows, samples);
    }

    static byte[] Encode(byte[] pixels, SlidePixelPlan plan, TiffDirectory dir)
    {
        if (dir.Photometric == 0) // min-is-white: stored as MONOCHROME2, inverted losslessly
        {
            if (plan.BitsAllocated == 8) for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)~pixels[i];
            else for (var i = 0; i < pixels.Length; i += 2) { pixels[i] = (byte)~pixels[i]; pixels[i + 1] = (byte)~pixels[i + 1]; }
        }
        var format = new PixelFormat(plan.FrameRows, plan.FrameColumns, plan.Samples, plan.BitsAllocated, plan.BitsAllocated, plan.BitsAllocated - 1, 0, 0, plan.Photometric, 1);
        return JpegLs.Encode(pixels, format);
    }
}
