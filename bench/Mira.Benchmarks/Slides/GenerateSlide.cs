using System.Globalization;
using Mira.Conversion.Tiff;

namespace Mira.Benchmarks.Slides;

/// <summary>
/// <c>gen-slide TILES_DIR OUT.tif WIDTH HEIGHT</c>: a pyramidal BigTIFF of JPEG tiles for the conversion benchmark
/// (bench/compare-conversion.sh). The tiles are the 512 x 512 JPEG files of TILES_DIR (written by Pillow), used in turn
/// at every level (the levels' pixels need not agree for a throughput measurement); levels halve down to below 1024.
/// </summary>
public static class GenerateSlide
{
    const int Tile = 512;

    public static int Run(string[] args)
    {
        if (args.Length != 4) { Console.Error.WriteLine("usage: gen-slide TILES_DIR OUT.tif WIDTH HEIGHT"); return 2; }
        var tiles = Directory.GetFiles(args[0], "*.jpg").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        if (tiles.Length == 0) { Console.Error.WriteLine($"{args[0]}: no .jpg tiles"); return 2; }
        var (width, height) = (long.Parse(args[2], CultureInfo.InvariantCulture), long.Parse(args[3], CultureInfo.InvariantCulture));
        using var output = File.Create(args[1]);
        using var writer = new TiffWriter(output, bigTiff: true);
        var level = 0;
        for (var (w, h) = (width, height); ; (w, h) = (w / 2, h / 2), level++)
        {
            var count = (int)(((w + Tile - 1) / Tile) * ((h + Tile - 1) / Tile));
            var fields = new List<TiffField>
            {
                TiffField.Long(TiffTags.NewSubfileType, level == 0 ? 0 : 1),
                TiffField.Long(TiffTags.ImageWidth, w),
                TiffField.Long(TiffTags.ImageLength, h),
                TiffField.Short(TiffTags.BitsPerSample, 8, 8, 8),
                TiffField.Short(TiffTags.Compression, TiffCompression.Jpeg),
                TiffField.Short(TiffTags.Photometric, 6),
                TiffField.Short(TiffTags.SamplesPerPixel, 3),
                TiffField.Short(TiffTags.PlanarConfiguration, 1),
                TiffField.Long(TiffTags.TileWidth, Tile),
                TiffField.Long(TiffTags.TileLength, Tile),
            };
            writer.WriteDirectory(fields, count, i => tiles[(i + level) % tiles.Length], tiled: true);
            Console.WriteLine($"level {level}: {w} x {h}, {count} tiles");
            if (w < 1024 || h < 1024) break;
        }
        return 0;
    }
}
