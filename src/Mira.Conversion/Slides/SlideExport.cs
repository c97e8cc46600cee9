using System.IO.Compression;
using Mira.Conversion.Tiff;

namespace Mira.Conversion.Slides;

/// <summary>
/// Writes one level of a converted slide (a VL Whole Slide Microscopy Image file) back to a tiled TIFF: Deflate
/// tiles (the DICOM frames, decoded one at a time), RGB or grey, the Orientation tag from the Image Orientation
/// (Slide), the resolution from the pixel spacing. BigTIFF when the result could pass 4 GiB.
/// </summary>
public static class SlideExport
{
    public static void WriteLevel(string dicomPath, string outputPath)
    {
        var level = SlideLevelReader.Open(dicomPath);
        // TIFF tiles are multiples of 16 pixels on a side (TIFF 6.0 §15): frames of other sizes are padded.
        var tileWidth = (level.FrameColumns + 15) / 16 * 16;
        var tileHeight = (level.FrameRows + 15) / 16 * 16;
        var pixelBytes = level.Samples * level.BytesPerSample;
        var bigTiff = (long)level.TotalColumns * level.TotalRows * pixelBytes > 3L << 30;
        var fields = new List<TiffField>
        {
            TiffField.Long(TiffTags.ImageWidth, level.TotalColumns),
            TiffField.Long(TiffTags.ImageLength, level.TotalRows),
            TiffField.Short(TiffTags.BitsPerSample, [.. Enumerable.Repeat((long)level.BytesPerSample * 8, level.Samples)]),
            TiffField.Short(TiffTags.Compression, TiffCompression.AdobeDeflate),
            TiffField.Short(TiffTags.Photometric, level.Samples == 1 ? 1 : 2),
            TiffField.Ascii(TiffTags.ImageDescription, "Exported by Mira from " + Path.GetFileName(dicomPath)),
            TiffField.Short(TiffTags.Orientation, level.Orientation),
            TiffField.Short(TiffTags.SamplesPerPixel, level.Samples),
            TiffField.Short(TiffTags.PlanarConfiguration, 1),
            TiffField.Long(TiffTags.TileWidth, tileWidth),
            TiffField.Long(TiffTags.TileLength, tileHeight),
        };
        if (level.Spacing is { } s && s.Row > 0 && s.Column > 0)
        {
            fields.Add(TiffField.Rational(TiffTags.XResolution, 10 / s.Column));
            fields.Add(TiffField.Rational(TiffTags.YResolution, 10 / s.Row));
            fields.Add(TiffField.Short(TiffTags.ResolutionUnit, 3));
        }
        var partial = outputPath + ".partial";
        try
        {
            using (var stream = new FileStream(partial, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            using (var writer = new TiffWriter(stream, bigTiff))
                writer.WriteDirectory(fields, level.FrameCount, i => Tile(level, i, tileWidth, tileHeight, pixelBytes), tiled: true);
            File.Move(partial, outputPath, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    static byte[] Tile(SlideLevelReader level, int index, int tileWidth, int tileHeight, int pixelBytes)
    {
        var frame = level.DecodeFrame(index);
        var tile = frame;
        if (tileWidth != level.FrameColumns || tileHeight != level.FrameRows)
        {
            tile = new byte[tileWidth * tileHeight * pixelBytes];
            for (var r = 0; r < level.FrameRows; r++)
                frame.AsSpan(r * level.FrameColumns * pixelBytes, level.FrameColumns * pixelBytes).CopyTo(tile.AsSpan(r * tileWidth * pixelBytes));
        }
        var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true)) z.Write(tile);
        return output.ToArray();
    }
}
