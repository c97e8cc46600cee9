using System.Text.Json;
using Mira.Conversion.Slides;
using Mira.Conversion.Tiff;
using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Conversion.Tests.Slides;

public sealed class SlideCorpusTests
{
    public static TheoryData<string> WsiFiles() => [.. Corpus.Files.Where(f => f.Path.StartsWith("wsi/", StringComparison.Ordinal)).Select(f => f.Path)];

    static string OracleSha(string corpusPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Corpus.Root, "oracle", "images", corpusPath + ".json")));
        return doc.RootElement.GetProperty("pixel_pillow").GetProperty("sha256").GetString()!;
    }

    [Fact]
    public void The_corpus_has_whole_slide_TIFFs() => Assert.True(WsiFiles().Count >= 4);

    [Theory]
    [MemberData(nameof(WsiFiles))]
    public void Every_corpus_slide_is_recognised_and_every_object_passes_dciodvfy(string path)
    {
        var source = Corpus.Get(path).FullPath;
        Assert.IsType<SlideConverter>(ImageConverters.CreateBuiltIn().Detect(source));
        var folder = SlideTestKit.TempFolder();
        try
        {
            var objects = SlideTestKit.ConvertAll(source, folder);
            using var tiff = TiffFile.Open(source, ConversionLimits.Default);
            Assert.Equal(tiff.Directories.Count, objects.Count);
            Assert.Single(objects.Select(o => o.Instance.Header.GetString(DicomTags.SeriesInstanceUID)).Distinct());
            Assert.Single(objects.Select(o => o.Instance.Header.GetString(DicomTags.FrameOfReferenceUID)).Distinct());
            Assert.Equal(["ORIGINAL", "PRIMARY", "VOLUME", "NONE"], objects[0].Instance.Header.GetStrings(DicomTags.ImageType));
            foreach (var (instance, file) in objects.Skip(1))
                Assert.Equal(["DERIVED", "PRIMARY", "VOLUME", "RESAMPLED"], instance.Header.GetStrings(DicomTags.ImageType));
            foreach (var (instance, file) in objects)
            {
                Assert.Equal("TILED_FULL", instance.Header.GetString(DicomTags.DimensionOrganizationType));
                var errors = SlideTestKit.DciodvfyErrors(file);
                Assert.True(errors.Count == 0, string.Join("\n", errors));
            }
        }
        finally { Directory.Delete(folder, true); }
    }

    [Theory]
    [InlineData("wsi/large_image/test_orient1.tif", 1)]
    [InlineData("wsi/large_image/test_orient6.tif", 6)]
    public void Jpeg_tiles_are_copied_byte_for_byte_with_the_tables_merged_and_decode_to_what_Pillow_sees(string path, int orientation)
    {
        var source = Corpus.Get(path).FullPath;
        var folder = SlideTestKit.TempFolder();
        try
        {
            var objects = SlideTestKit.ConvertAll(source, folder);
            using var tiff = TiffFile.Open(source, ConversionLimits.Default);
            for (var level = 0; level < objects.Count; level++)
            {
                var dir = tiff.Directories[level];
                var tables = dir.JpegTables!;
                Assert.Equal("1.2.840.10008.1.2.4.50", objects[level].Instance.Syntax.Uid);
                var file = DicomFile.Open(objects[level].File);
                var pixels = PixelData.Open(file);
                Assert.Equal(dir.ChunkCount, pixels.FrameCount);
                for (var t = 0; t < dir.ChunkCount; t++)
                {
                    var tile = tiff.ReadChunk(dir, t);
                    // SOI, the tables' segments (without their SOI and EOI), the rest of the tile.
                    byte[] expected = [.. tile[..2], .. tables[2..^2], .. tile[2..]];
                    var frame = pixels.GetEncapsulatedFrame(t).ToArray();
                    Assert.Equal(expected, frame.Length == expected.Length + 1 ? frame[..^1] : frame);
                    Assert.Equal(dir.TileWidth * dir.TileHeight, pixels.DecodeFrame(t).Length);
                }
            }
            var baseLevel = SlideLevelReader.Open(objects[0].File);
            Assert.Equal(orientation, baseLevel.Orientation);
            var matrix = SlideTestKit.Assemble(baseLevel);
            if (orientation == 6) matrix = SlideTestKit.ApplyOrientation6(matrix, (int)baseLevel.TotalColumns, (int)baseLevel.TotalRows, 1);
            Assert.Equal(OracleSha(path), SlideTestKit.Sha256(matrix));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Theory]
    [InlineData("wsi/large_image/grey10kx5k.tif")]
    [InlineData("wsi/large_image/yb10kx5k.zstd.tiff")]
    public void Lossless_levels_decode_to_exactly_the_source_pixels(string path)
    {
        var source = Corpus.Get(path).FullPath;
        var folder = SlideTestKit.TempFolder();
        try
        {
            var objects = SlideTestKit.ConvertAll(source, folder);
            Assert.All(objects, o => Assert.Equal("1.2.840.10008.1.2.4.80", o.Instance.Syntax.Uid));
            Assert.All(objects, o => Assert.Equal("00", o.Instance.Header.GetString(DicomTags.LossyImageCompression)));
            var level = SlideLevelReader.Open(objects[0].File);
            Assert.Equal((10000L, 5000L), (level.TotalColumns, level.TotalRows));
            Assert.Equal(OracleSha(path), SlideTestKit.Sha256(SlideTestKit.Assemble(level)));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void The_striped_deflate_slide_is_re_tiled_into_512_pixel_tiles_with_padded_edges()
    {
        var source = Corpus.Get("wsi/large_image/grey10kx5k.tif").FullPath;
        var instance = new SlideConverter().Convert(source, SlideTestKit.Request()).Single();
        Assert.Equal(512, instance.Header.GetInt32(DicomTags.Rows));
        Assert.Equal(512, instance.Header.GetInt32(DicomTags.Columns));
        Assert.Equal(20 * 10, ((EncapsulatedFrames)instance.Pixels).Count);
        Assert.Equal(["0.3527777778", "0.3527777778"], instance.Header.GetSequence(DicomTags.SharedFunctionalGroupsSequence)!.Items[0]
            .GetSequence(DicomTags.PixelMeasuresSequence)!.Items[0].GetStrings(DicomTags.PixelSpacing));
    }

    [Fact]
    public void Orientation_6_is_expressed_in_the_image_orientation_not_by_re_encoding()
    {
        var one = new SlideConverter().Convert(Corpus.Get("wsi/large_image/test_orient1.tif").FullPath, SlideTestKit.Request()).First();
        var six = new SlideConverter().Convert(Corpus.Get("wsi/large_image/test_orient6.tif").FullPath, SlideTestKit.Request()).First();
        Assert.Equal(["0", "-1", "0", "-1", "0", "0"], one.Header.GetStrings(DicomTags.ImageOrientationSlide));
        Assert.Equal(["-1", "0", "0", "0", "1", "0"], six.Header.GetStrings(DicomTags.ImageOrientationSlide));
        Assert.Equal(one.Header.GetInt32(DicomTags.TotalPixelMatrixColumns), six.Header.GetInt32(DicomTags.TotalPixelMatrixColumns));
    }
}
