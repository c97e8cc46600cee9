using Mira.Conversion;
using Mira.Conversion.Photos;

namespace Mira.Conversion.Tests.Photos;

/// <summary>TIFF photographs (a fundus camera's export): told from slides, decoded, oriented, stored losslessly.</summary>
public sealed class TiffPhotoTests : IDisposable
{
    readonly PhotoWorkspace work = new();

    public void Dispose() => work.Dispose();

    /// <summary>
    /// Writes a 37 x 23 pattern TIFF (mode, compression, orientation) with Pillow and prints the sha256 of the picture as
    /// displayed: the rows written, oriented with numpy from TIFF 6.0's definitions of tag 274 (Pillow 9.4 is no reference
    /// here: reading such a TIFF back, its libtiff path applies some orientations itself and exif_transpose then turns
    /// the picture again).
    /// </summary>
    const string MakeTiff = """
        import sys, hashlib, numpy as np
        from PIL import Image
        mode, compression, orientation, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
        y, x = np.mgrid[0:23, 0:37]
        grey = ((x * 7 + y * 11) % 256).astype(np.uint8)
        a = grey if mode == 'L' else np.stack([grey, (x * 5 % 256).astype(np.uint8), (y * 9 % 256).astype(np.uint8)], -1)
        Image.fromarray(a).save(path, compression=compression, tiffinfo={274: orientation})
        t = lambda m: m.transpose((1, 0) + tuple(range(2, m.ndim)))
        shown = {1: a, 2: a[:, ::-1], 3: a[::-1, ::-1], 4: a[::-1], 5: t(a), 6: np.rot90(a, -1), 7: t(a[::-1, ::-1]), 8: np.rot90(a, 1)}[orientation]
        print(hashlib.sha256(np.ascontiguousarray(shown).tobytes()).hexdigest())
        """;

    [Theory]
    [InlineData("L", "tiff_lzw", 1)]
    [InlineData("RGB", "tiff_adobe_deflate", 1)]
    [InlineData("RGB", "raw", 6)]
    [InlineData("L", "packbits", 8)]
    [InlineData("RGB", "tiff_lzw", 3)]
    [InlineData("L", "raw", 5)]
    [InlineData("RGB", "raw", 7)]
    [InlineData("L", "tiff_lzw", 2)]
    [InlineData("L", "tiff_lzw", 4)]
    public void A_TIFF_photograph_is_stored_losslessly_as_it_is_meant_to_be_seen(string mode, string compression, int orientation)
    {
        var tiff = work.PathOf("photo.tif");
        var expected = PhotoWorkspace.Python(MakeTiff, mode, compression, orientation.ToString(System.Globalization.CultureInfo.InvariantCulture), tiff);
        var converters = ImageConverters.CreateBuiltIn();
        var converter = converters.Detect(tiff);
        Assert.IsType<TiffPhotoConverter>(converter);
        var instance = Assert.Single(converter!.Convert(tiff, PhotoWorkspace.Request()));
        var path = work.PathOf("photo.dcm");
        using (var output = File.Create(path)) Part10Writer.Write(output, instance);
        Assert.Equal(PhotoHeader.OphthalmicPhotography8Bit, instance.SopClassUid);
        var (pixels, format) = PhotoWorkspace.Decode(path);
        var transposed = orientation >= 5;
        Assert.Equal(transposed ? (37, 23) : (23, 37), (format.Rows, format.Columns));
        Assert.Equal(expected, PhotoWorkspace.Sha256(pixels));
        PhotoWorkspace.AssertDciodvfyClean(path);
    }

    [Fact]
    public void A_tiled_pyramid_is_a_slide_not_a_photograph()
    {
        var slide = Path.Combine(Mira.Testing.Corpus.Root, "wsi/large_image/test_orient1.tif");
        Assert.IsNotType<TiffPhotoConverter>(ImageConverters.CreateBuiltIn().Detect(slide));
    }
}
