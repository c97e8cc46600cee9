using System.Buffers.Binary;
using Mira.Conversion.Slides;
using Mira.Conversion.Tiff;

namespace Mira.Conversion.Tests.Slides;

public sealed class CorruptSlideTests : IDisposable
{
    readonly string folder = SlideTestKit.TempFolder();

    public void Dispose() => Directory.Delete(folder, true);

    /// <summary>A classic little-endian TIFF: header, then one directory at offset 8 with the given entries and next pointer.</summary>
    string Write(string name, (ushort Tag, ushort Type, uint Count, uint Value)[] entries, uint next = 0, int extra = 0)
    {
        var b = new byte[8 + 2 + entries.Length * 12 + 4 + extra];
        "II*\0"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), (ushort)entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var e = b.AsSpan(10 + 12 * i);
            BinaryPrimitives.WriteUInt16LittleEndian(e, entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], entries[i].Type);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], entries[i].Count);
            BinaryPrimitives.WriteUInt32LittleEndian(e[8..], entries[i].Value);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(10 + 12 * entries.Length), next);
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, b);
        return path;
    }

    static (ushort, ushort, uint, uint)[] Tiled(uint width, uint height, uint offset, uint count) =>
    [
        (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
        (322, 3, 1, 16), (323, 3, 1, 16), (324, 4, 1, offset), (325, 4, 1, count),
    ];

    static ConversionException Fails(string path) =>
        Assert.Throws<ConversionException>(() => new SlideConverter().Convert(path, SlideTestKit.Request()).ToList());

    [Fact]
    public void A_directory_chain_that_loops_is_refused_naming_the_file_and_the_loop()
    {
        var path = Write("loop.tif", Tiled(16, 16, 8, 10), next: 8);
        var e = Fails(path);
        Assert.StartsWith("loop.tif: ", e.Message);
        Assert.Contains("loops back to offset 8", e.Message);
        Assert.False(new SlideConverter().Recognises(File.ReadAllBytes(path), path));
    }

    [Fact]
    public void A_tile_past_the_end_of_the_file_is_refused_before_it_is_read()
    {
        var e = Fails(Write("short.tif", Tiled(16, 16, 4000, 256)));
        Assert.StartsWith("short.tif: ", e.Message);
        Assert.Contains("tile 1 (256 bytes at offset 4000) lies past the end of the file", e.Message);
    }

    [Fact]
    public void A_directory_past_the_end_of_the_file_is_refused()
    {
        var e = Fails(Write("next.tif", Tiled(16, 16, 8, 10), next: 1_000_000));
        Assert.Contains("directory 2 at offset 1000000 lies past the end of the file", e.Message);
    }

    [Fact]
    public void An_absurd_image_size_is_refused_from_the_header()
    {
        var e = Fails(Write("huge.tif", Tiled(4_000_000_000, 16, 8, 10)));
        Assert.Contains("huge.tif: directory 1: image size 4000000000 x 16", e.Message);
        var tiles = Fails(Write("tiles.tif", Tiled(1_000_000, 1_000_000, 8, 10)));
        Assert.Contains("tiles.tif: directory 1: 3906250000 tiles", tiles.Message);
    }

    [Fact]
    public void A_tag_value_past_the_end_of_the_file_is_refused()
    {
        var e = Fails(Write("desc.tif", [.. Tiled(16, 16, 8, 10), (270, 2, 5000, 60)]));
        Assert.Contains("the value of tag 270 (5000 bytes at offset 60) lies past the end of the file", e.Message);
    }

    [Fact]
    public void More_directories_than_the_limit_are_refused()
    {
        var path = Path.Combine(folder, "many.tif");
        using (var stream = File.Create(path))
        using (var w = new TiffWriter(stream))
            for (var i = 0; i < 5; i++)
                w.WriteDirectory([TiffField.Long(TiffTags.ImageWidth, 16), TiffField.Long(TiffTags.ImageLength, 16), TiffField.Long(TiffTags.TileWidth, 16),
                    TiffField.Long(TiffTags.TileLength, 16)], 1, _ => new byte[256], tiled: true);
        var request = SlideTestKit.Request(ConversionLimits.Default with { MaxTiffDirectories = 4 });
        var e = Assert.Throws<ConversionException>(() => new SlideConverter().Convert(path, request).ToList());
        Assert.Equal("many.tif: more than 4 image directories", e.Message);
    }

    [Fact]
    public void A_damaged_compressed_tile_is_refused_naming_the_directory()
    {
        var path = Path.Combine(folder, "damaged.tif");
        using (var stream = File.Create(path))
        using (var w = new TiffWriter(stream))
            w.WriteDirectory([TiffField.Long(TiffTags.ImageWidth, 16), TiffField.Long(TiffTags.ImageLength, 16), TiffField.Short(TiffTags.BitsPerSample, 8),
                TiffField.Short(TiffTags.Photometric, 1), TiffField.Short(TiffTags.Compression, TiffCompression.Lzw),
                TiffField.Long(TiffTags.TileWidth, 16), TiffField.Long(TiffTags.TileLength, 16)], 1, _ => new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, tiled: true);
        var instance = new SlideConverter().Convert(path, SlideTestKit.Request()).Single();
        var e = Assert.Throws<ConversionException>(() => Part10Writer.Write(Stream.Null, instance));
        Assert.StartsWith("damaged.tif: directory 1: a tile cannot be decoded (LZW", e.Message);
    }
}
