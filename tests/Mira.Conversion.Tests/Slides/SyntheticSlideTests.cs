using System.Buffers.Binary;
using System.IO.Compression;
using Mira.Conversion.Slides;
using Mira.Conversion.Tiff;
using Mira.Dicom;

namespace Mira.Conversion.Tests.Slides;

public sealed class SyntheticSlideTests : IDisposable
{
    readonly string folder = SlideTestKit.TempFolder();

    public void Dispose() => Directory.Delete(folder, true);

    static byte[] Pattern(int width, int height, int samples, int seed)
    {
        var b = new byte[width * height * samples];
        for (var i = 0; i < b.Length; i++) b[i] = (byte)((i * 7 + seed * 13 + i / (width * samples) * 3) % 253);
        return b;
    }

    static byte[] Crop(byte[] image, int width, int samples, int x0, int y0, int w, int h)
    {
        var tile = new byte[w * h * samples];
        for (var r = 0; r < h; r++)
            for (var c = 0; c < w; c++)
                for (var s = 0; s < samples; s++)
                {
                    var x = x0 + c;
                    var y = y0 + r;
                    var height = image.Length / (width * samples);
                    tile[(r * w + c) * samples + s] = x < width && y < height ? image[(y * width + x) * samples + s] : (byte)0;
                }
        return tile;
    }

    static IEnumerable<TiffField> Common(int width, int height, int samples, string description, long subfile, int compression) =>
    [
        TiffField.Long(TiffTags.NewSubfileType, subfile),
        TiffField.Long(TiffTags.ImageWidth, width),
        TiffField.Long(TiffTags.ImageLength, height),
        TiffField.Short(TiffTags.BitsPerSample, [.. Enumerable.Repeat(8L, samples)]),
        TiffField.Short(TiffTags.Compression, compression),
        TiffField.Short(TiffTags.Photometric, samples == 3 ? 2 : 1),
        TiffField.Ascii(TiffTags.ImageDescription, description),
        TiffField.Short(TiffTags.SamplesPerPixel, samples),
        TiffField.Short(TiffTags.PlanarConfiguration, 1),
    ];

    static void Tiled(TiffWriter w, byte[] image, int width, int height, int tile, string description, long subfile)
    {
        var across = (width + tile - 1) / tile;
        var down = (height + tile - 1) / tile;
        w.WriteDirectory([.. Common(width, height, 3, description, subfile, TiffCompression.AdobeDeflate),
            TiffField.Long(TiffTags.TileWidth, tile), TiffField.Long(TiffTags.TileLength, tile)], across * down,
            i => Deflate(Crop(image, width, 3, i % across * tile, i / across * tile, tile, tile)), tiled: true);
    }

    static void Striped(TiffWriter w, byte[] image, int width, int height, string description, long subfile) =>
        w.WriteDirectory([.. Common(width, height, 3, description, subfile, TiffCompression.None), TiffField.Long(TiffTags.RowsPerStrip, 16)],
            (height + 15) / 16, i => Crop(image, width, 3, 0, i * 16, width, Math.Min(16, height - i * 16)), tiled: false);

    static byte[] Deflate(byte[] data)
    {
        var m = new MemoryStream();
        using (var z = new ZLibStream(m, CompressionLevel.Fastest, true)) z.Write(data);
        return m.ToArray();
    }

    [Fact]
    public void An_svs_like_file_gives_its_levels_label_and_overview_with_the_magnification_and_microns_per_pixel()
    {
        var path = Path.Combine(folder, "slide.svs");
        var level0 = Pattern(1024, 768, 3, 1);
        var level1 = Pattern(512, 384, 3, 2);
        var label = Pattern(200, 150, 3, 3);
        var macro = Pattern(400, 150, 3, 4);
        const string aperio = "Aperio Image Library v12.0.5 \r\n1024x768 [0,0 1024x768] (256x256) JPEG/RGB Q=70|AppMag = 20|MPP = 0.4990|Date = 01/02/24";
        using (var stream = File.Create(path))
        using (var w = new TiffWriter(stream))
        {
            Tiled(w, level0, 1024, 768, 256, aperio, 0);
            Striped(w, Pattern(256, 192, 3, 5), 256, 192, "Aperio Image Library v12.0.5 \r\n1024x768 -> 256x192 - |AppMag = 20|MPP = 0.4990", 0);
            Tiled(w, level1, 512, 384, 256, "Aperio Image Library v12.0.5 \r\n1024x768 -> 512x384 - |AppMag = 20|MPP = 0.4990", 0);
            Striped(w, label, 200, 150, "Aperio Image Library v12.0.5\r\nlabel 200x150", 1);
            Striped(w, macro, 400, 150, "Aperio Image Library v12.0.5\r\nmacro 400x150", 9);
        }
        Assert.IsType<SlideConverter>(ImageConverters.CreateBuiltIn().Detect(path));
        var request = new ConversionRequest
        {
            Subject = ConversionSubject.FromValues([new("PatientID", "P-7"), new("ContainerIdentifier", "S24-0001-A1"), new("SpecimenIdentifier", "S24-0001-A")], "sidecar"),
        };
        var objects = SlideTestKit.ConvertAll(path, folder, request);
        Assert.Equal(4, objects.Count); // the SVS thumbnail is neither a level, a label nor an overview
        string[] Type(int i) => objects[i].Instance.Header.GetStrings(DicomTags.ImageType);
        Assert.Equal(["ORIGINAL", "PRIMARY", "VOLUME", "NONE"], Type(0));
        Assert.Equal(["DERIVED", "PRIMARY", "VOLUME", "RESAMPLED"], Type(1));
        Assert.Equal(["ORIGINAL", "PRIMARY", "LABEL", "NONE"], Type(2));
        Assert.Equal(["ORIGINAL", "PRIMARY", "OVERVIEW", "NONE"], Type(3));
        string[] Spacing(int i) => objects[i].Instance.Header.GetSequence(DicomTags.SharedFunctionalGroupsSequence)!.Items[0]
            .GetSequence(DicomTags.PixelMeasuresSequence)!.Items[0].GetStrings(DicomTags.PixelSpacing);
        Assert.Equal(["0.000499", "0.000499"], Spacing(0));
        Assert.Equal(["0.000998", "0.000998"], Spacing(1));
        var path0 = objects[0].Instance.Header.GetSequence(DicomTags.OpticalPathSequence)!.Items[0];
        Assert.Equal("20", path0.GetString(DicomTags.ObjectiveLensPower));
        Assert.Equal(SrgbIccProfile.Bytes.Length + (SrgbIccProfile.Bytes.Length & 1), path0.Find(DicomTags.ICCProfile)!.Bytes.Length);
        Assert.Equal("S24-0001-A1", objects[0].Instance.Header.GetString(DicomTags.ContainerIdentifier));
        Assert.Equal("S24-0001-A", objects[0].Instance.Header.GetSequence(DicomTags.SpecimenDescriptionSequence)!.Items[0].GetString(DicomTags.SpecimenIdentifier));
        Assert.Equal("YES", objects[2].Instance.Header.GetString(DicomTags.SpecimenLabelInImage));
        foreach (var (_, file) in objects)
        {
            var errors = SlideTestKit.DciodvfyErrors(file);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
        Assert.Equal(level0, SlideTestKit.Assemble(SlideLevelReader.Open(objects[0].File)));
        Assert.Equal(level1, SlideTestKit.Assemble(SlideLevelReader.Open(objects[1].File)));
        Assert.Equal(label, SlideTestKit.Assemble(SlideLevelReader.Open(objects[2].File)));
        Assert.Equal(macro, SlideTestKit.Assemble(SlideLevelReader.Open(objects[3].File)));
    }

    [Fact]
    public void Without_a_sidecar_the_specimen_is_a_marked_placeholder()
    {
        var path = Path.Combine(folder, "plain.tif");
        using (var stream = File.Create(path))
        using (var w = new TiffWriter(stream)) Tiled(w, Pattern(300, 200, 3, 1), 300, 200, 128, "", 0);
        var header = new SlideConverter().Convert(path, SlideTestKit.Request()).Single().Header;
        Assert.StartsWith("PLACEHOLDER", header.GetString(DicomTags.ContainerIdentifier));
        Assert.StartsWith("PLACEHOLDER", header.GetSequence(DicomTags.SpecimenDescriptionSequence)!.Items[0].GetString(DicomTags.SpecimenShortDescription));
        Assert.Contains("ASSUMED", header.GetString(DicomTags.ImageComments));
    }

    [Fact]
    public void A_big_endian_BigTIFF_with_16_bit_differenced_deflate_tiles_converts_losslessly()
    {
        const int width = 300, height = 200, tile = 128;
        var image = new ushort[width * height];
        for (var i = 0; i < image.Length; i++) image[i] = (ushort)(i * 37 % 65521);
        var path = Path.Combine(folder, "big.tif");
        var across = (width + tile - 1) / tile;
        using (var stream = File.Create(path))
        using (var w = new TiffWriter(stream, bigTiff: true, bigEndian: true))
            w.WriteDirectory([
                TiffField.Long(TiffTags.ImageWidth, width), TiffField.Long(TiffTags.ImageLength, height), TiffField.Short(TiffTags.BitsPerSample, 16),
                TiffField.Short(TiffTags.Compression, TiffCompression.Deflate), TiffField.Short(TiffTags.Photometric, 1), TiffField.Short(TiffTags.SamplesPerPixel, 1),
                TiffField.Short(TiffTags.Predictor, 2), TiffField.Long(TiffTags.TileWidth, tile), TiffField.Long(TiffTags.TileLength, tile)],
                across * 2, t =>
                {
                    var data = new byte[tile * tile * 2];
                    for (var r = 0; r < tile; r++)
                    {
                        ushort previous = 0;
                        for (var c = 0; c < tile; c++)
                        {
                            var (x, y) = (t % across * tile + c, t / across * tile + r);
                            var v = x < width && y < height ? image[y * width + x] : (ushort)0;
                            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan((r * tile + c) * 2), (ushort)(v - previous));
                            previous = v;
                        }
                    }
                    return Deflate(data);
                }, tiled: true);
        var objects = SlideTestKit.ConvertAll(path, folder);
        var errors = SlideTestKit.DciodvfyErrors(objects[0].File);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var level = SlideLevelReader.Open(objects[0].File);
        var expected = new byte[image.Length * 2];
        for (var i = 0; i < image.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(expected.AsSpan(2 * i), image[i]);
        Assert.Equal(expected, SlideTestKit.Assemble(level));
    }

    [Theory]
    [InlineData("tiff_lzw")]
    [InlineData("packbits")]
    [InlineData("tiff_adobe_deflate")]
    [InlineData("raw")]
    public void Striped_slides_written_by_Pillow_decode_to_Pillows_pixels(string compression)
    {
        var path = Path.Combine(folder, compression + ".tif");
        var shaFile = path + ".sha";
        // Wider than 8192 pixels: a slide, not a photograph. Pillow (libtiff) writes the strips.
        SlideTestKit.Python($$"""
            import numpy as np, hashlib
            from PIL import Image
            y, x = np.mgrid[0:600, 0:9000]
            a = np.stack([(x * 3 + y) % 256, (x // 7 + y * 5) % 256, (x ^ y) % 256], axis=-1).astype('uint8')
            Image.fromarray(a).save('{{path}}', compression='{{compression}}')
            b = np.asarray(Image.open('{{path}}'))
            open('{{shaFile}}', 'w').write(hashlib.sha256(b.tobytes()).hexdigest())
            """.Replace("            ", ""));
        Assert.IsType<SlideConverter>(ImageConverters.CreateBuiltIn().Detect(path));
        var objects = SlideTestKit.ConvertAll(path, folder);
        var level = SlideLevelReader.Open(objects[0].File);
        Assert.Equal(File.ReadAllText(shaFile), SlideTestKit.Sha256(SlideTestKit.Assemble(level)));
    }

    [Fact]
    public void A_small_single_image_striped_TIFF_is_a_photograph_not_a_slide()
    {
        var path = Path.Combine(folder, "photo.tif");
        using (var stream = File.Create(path))
        using (var w = new TiffWriter(stream)) Striped(w, Pattern(640, 480, 3, 1), 640, 480, "", 0);
        Assert.False(new SlideConverter().Recognises(File.ReadAllBytes(path).AsSpan(0, 8), path));
    }

    [Fact]
    public void An_exported_level_reads_back_as_the_same_pixels_and_orientation()
    {
        var source = Mira.Testing.Corpus.Get("wsi/large_image/test_orient6.tif").FullPath;
        var objects = SlideTestKit.ConvertAll(source, folder);
        var exported = Path.Combine(folder, "level0.tif");
        SlideExport.WriteLevel(objects[0].File, exported);
        using var tiff = TiffFile.Open(exported, ConversionLimits.Default);
        var dir = tiff.Directories.Single();
        Assert.Equal((120L, 180L, 6), (dir.Width, dir.Height, dir.Orientation));
        var sub = Path.Combine(folder, "again");
        Directory.CreateDirectory(sub);
        var again = SlideTestKit.ConvertAll(exported, sub);
        Assert.Equal(SlideTestKit.Assemble(SlideLevelReader.Open(objects[0].File)), SlideTestKit.Assemble(SlideLevelReader.Open(again[0].File)));
    }
}
