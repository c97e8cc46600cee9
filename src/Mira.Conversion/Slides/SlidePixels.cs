using Mira.Conversion.Tiff;
using Mira.Dicom;
using Mira.Dicom.Codecs.Jpeg2000;

namespace Mira.Conversion.Slides;

/// <summary>How one slide image's pixels become frames.</summary>
public enum SlidePixelMode
{
    /// <summary>JPEG tiles copied byte for byte, the JPEGTables merged into each (PS3.5 §8.2.1).</summary>
    CopyJpeg,
    /// <summary>JPEG 2000 codestreams copied byte for byte (PS3.5 §8.2.4).</summary>
    CopyJpeg2000,
    /// <summary>Tiles or strips decoded, re-tiled where needed, and stored JPEG-LS lossless (PS3.5 §8.2.3).</summary>
    DecodeToJpegLs,
}

/// <summary>
/// The pixel layout of one slide image as DICOM will hold it: the frame (tile) size, the transfer syntax, the
/// photometric interpretation and whether the source was lossy; <see cref="SlideFrames"/> produces the frames.
/// </summary>
public sealed record SlidePixelPlan(
    SlidePixelMode Mode,
    int FrameColumns,
    int FrameRows,
    int Samples,
    int BitsAllocated,
    string Photometric,
    TransferSyntax Syntax,
    string? LossyMethod)
{
    public static readonly TransferSyntax JpegBaseline = new("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, true, false, true);
    public static readonly TransferSyntax JpegExtended = new("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", true, true, false, true);
    public static readonly TransferSyntax JpegLsLossless = new("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", true, true, false, true);
    public static readonly TransferSyntax Jpeg2000Lossless = new("1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless Only", true, true, false, true);
    public static readonly TransferSyntax Jpeg2000 = new("1.2.840.10008.1.2.4.91", "JPEG 2000", true, true, false, true);

    /// <summary>Striped images up to this size on both sides become one frame; larger ones are re-tiled.</summary>
    public const int SingleFrameMaxSide = 2048;

    /// <summary>The tile size a striped image is re-tiled into.</summary>
    public const int RetileSize = 512;

    public long TilesAcross(TiffDirectory d) => (d.Width + FrameColumns - 1) / FrameColumns;
    public long TilesDown(TiffDirectory d) => (d.Height + FrameRows - 1) / FrameRows;
    public long FrameCount(TiffDirectory d) => TilesAcross(d) * TilesDown(d);

    /// <summary>Chooses how to store <paramref name="dir"/>, looking at its first tile where the tiles would be copied.</summary>
    public static SlidePixelPlan For(TiffFile file, TiffDirectory dir, ConversionLimits limits)
    {
        var where = $"directory {dir.Index + 1}";
        if (dir.PlanarConfiguration == 1 && dir.IsTiled && dir.BitsPerSample == 8 && dir.Compression == TiffCompression.Jpeg && dir.Photometric is 1 or 2 or 6)
        {
            var first = FirstTile(file, dir);
            var info = Inspect(file, dir, JpegTiles.Merge(dir.JpegTables ?? [], first, false));
            if (info.SofMarker is 0xC0 or 0xC1 && info.Precision == 8 && info.Components == dir.SamplesPerPixel && info.Width == dir.TileWidth && info.Height == dir.TileHeight)
            {
                var photometric = info.Components == 1 ? "MONOCHROME2"
                    : dir.Photometric == 2 || info.AdobeTransform == 0 ? "RGB"
                    : info.Subsampled ? "YBR_FULL_422" : "YBR_FULL";
                return new(SlidePixelMode.CopyJpeg, (int)dir.TileWidth, (int)dir.TileHeight, info.Components, 8, photometric,
                    info.SofMarker == 0xC0 ? JpegBaseline : JpegExtended, "ISO_10918_1");
            }
        }
        if (dir.IsTiled && TiffCompression.IsJpeg2000(dir.Compression))
        {
            J2kHeader h;
            try { h = J2kHeader.Parse(FirstTile(file, dir)); }
            catch (Exception e) { throw file.Fail($"{where}: the first JPEG 2000 tile cannot be read ({e.Message})"); }
            if (h.IsJp2) throw file.Fail($"{where}: JPEG 2000 tiles in JP2 files are not supported (codestreams only)");
            var bits = h.Components[0].Precision;
            var photometric = h.Components.Count == 1 ? "MONOCHROME2"
                : h.MultipleComponentTransform ? (h.Reversible ? "YBR_RCT" : "YBR_ICT")
                : dir.Compression == TiffCompression.Jpeg2000Ycbcr ? "YBR_FULL" : "RGB";
            return new(SlidePixelMode.CopyJpeg2000, (int)dir.TileWidth, (int)dir.TileHeight, h.Components.Count, bits > 8 ? 16 : 8, photometric,
                h.Reversible ? Jpeg2000Lossless : Jpeg2000, h.Reversible ? null : "ISO_15444_1");
        }
        if (TiffChunkDecoder.Unsupported(dir) is { } why) throw file.Fail($"{where}: {why} cannot be converted");
        if (dir.Photometric is not (0 or 1 or 2 or 6) || dir.Photometric == 6 && dir.Compression != TiffCompression.Jpeg)
            throw file.Fail($"{where}: photometric interpretation {dir.Photometric} cannot be converted (grey, RGB and JPEG YCbCr are)");
        if (dir.SamplesPerPixel is not (1 or 3))
            throw file.Fail($"{where}: {dir.SamplesPerPixel} samples per pixel cannot be converted (1 or 3; extra samples such as alpha are not)");
        if (dir.Photometric is 0 or 1 && dir.SamplesPerPixel != 1 || dir.Photometric is 2 or 6 && dir.SamplesPerPixel != 3)
            throw file.Fail($"{where}: photometric interpretation {dir.Photometric} with {dir.SamplesPerPixel} samples per pixel");
        int columns, rows;
        if (dir.IsTiled) (columns, rows) = ((int)dir.TileWidth, (int)dir.TileHeight);
        else if (dir.Width <= SingleFrameMaxSide && dir.Height <= SingleFrameMaxSide) (columns, rows) = ((int)dir.Width, (int)dir.Height);
        else (columns, rows) = ((int)Math.Min(RetileSize, dir.Width), (int)Math.Min(RetileSize, dir.Height));
        var bps = TiffChunkDecoder.BytesPerSample(dir);
        var lossy = dir.Compression == TiffCompression.Jpeg ? "ISO_10918_1" : null;
        var plan = new SlidePixelPlan(SlidePixelMode.DecodeToJpegLs, columns, rows, dir.SamplesPerPixel, bps * 8, dir.SamplesPerPixel == 1 ? "MONOCHROME2" : "RGB", JpegLsLossless, lossy);
        var band = dir.IsTiled ? (long)columns * rows : dir.Width * Math.Max(rows, dir.TileHeight);
        if (band * dir.SamplesPerPixel * bps > limits.MaxFrameBytes)
            throw file.Fail($"{where}: a {(dir.IsTiled ? "tile" : "band of strips")} of {band * dir.SamplesPerPixel * bps} bytes is over the limit of {limits.MaxFrameBytes}");
        return plan;
    }

    static byte[] FirstTile(TiffFile file, TiffDirectory dir)
    {
        for (var i = 0; i < dir.ChunkCount; i++)
            if (dir.Chunk(i).Count > 0) return file.ReadChunk(dir, i);
        throw file.Fail($"directory {dir.Index + 1}: every tile is empty");
    }

    static JpegTileInfo Inspect(TiffFile file, TiffDirectory dir, byte[] data)
    {
        try { return JpegTiles.Inspect(data); }
        catch (FormatException e) { throw file.Fail($"directory {dir.Index + 1}: the first JPEG tile cannot be read ({e.Message})"); }
    }
}
