using System.Buffers.Binary;
using Mira.Conversion.Photos;

namespace Mira.Conversion.Tests.Photos;

public sealed class BadPhotoTests : IDisposable
{
    readonly PhotoWorkspace work = new();
    public void Dispose() => work.Dispose();

    /// <summary>A valid 8 x 4 grey PNG written by <see cref="PngWriter"/>.</summary>
    static byte[] SmallPng()
    {
        using var output = new MemoryStream();
        using (var writer = new PngWriter(output, 8, 4, 1, 8))
        {
            for (var y = 0; y < 4; y++) writer.WriteRow(Enumerable.Range(0, 8).Select(x => (byte)(x * 30 + y)).ToArray());
            writer.Complete();
        }
        return output.ToArray();
    }

    ConversionException Refused(byte[] content, ConversionRequest? request = null)
    {
        var path = work.PathOf("bad.png");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<ConversionException>(() => new PhotoConverter().Convert(path, request ?? PhotoWorkspace.Request()).ToList());
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    [Fact]
    public void A_valid_small_PNG_converts()
    {
        var path = work.PathOf("ok.png");
        File.WriteAllBytes(path, SmallPng());
        Assert.Single(new PhotoConverter().Convert(path, PhotoWorkspace.Request()));
    }

    [Fact]
    public void A_truncated_PNG_is_refused_as_truncated()
    {
        var png = SmallPng();
        Assert.Contains("truncated", Refused(png[..(png.Length - 20)]).Message);
        Assert.Contains("truncated", Refused(png[..40]).Message);
    }

    [Fact]
    public void A_PNG_with_a_damaged_chunk_is_refused_by_its_CRC()
    {
        var png = SmallPng();
        png[45] ^= 0x5A; // inside the IDAT data (the chunk starts at byte 33, its data at 41)
        Assert.Contains("the CRC of chunk IDAT at byte 33 does not match", Refused(png).Message);
    }

    [Fact]
    public void A_huge_IHDR_is_refused_before_anything_is_allocated()
    {
        var png = SmallPng();
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 60000); // width
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 60000); // height
        FixCrc(png, 8);
        Assert.Contains("60000 x 60000 (3600000000 bytes decoded), more than the 268435456 bytes allowed", Refused(png).Message);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 70000);
        FixCrc(png, 8);
        Assert.Contains("at most 65535 rows and columns", Refused(png).Message);
    }

    [Fact]
    public void An_interlaced_PNG_is_refused_clearly()
    {
        var png = SmallPng();
        png[28] = 1; // IHDR interlace method
        FixCrc(png, 8);
        Assert.Contains("Adam7-interlaced images are not supported", Refused(png).Message);
    }

    [Fact]
    public void A_PNG_with_transparent_pixels_is_refused_naming_the_pixel()
    {
        var path = work.PathOf("alpha.png");
        PhotoWorkspace.Python("""
            import sys, numpy as np
            from PIL import Image
            a = np.full((5, 6, 4), 200, np.uint8); a[..., 3] = 255; a[3, 2, 3] = 10
            Image.fromarray(a, 'RGBA').save(sys.argv[1])
            """, path);
        var e = Assert.Throws<ConversionException>(() => new PhotoConverter().Convert(path, PhotoWorkspace.Request()).ToList());
        Assert.Equal(path + ": PNG: the pixel at column 2, row 3 is transparent (alpha 10 of 255); DICOM images have no alpha channel: flatten the image onto a background first", e.Message);
    }

    [Fact]
    public void A_progressive_JPEG_is_refused_clearly()
    {
        var path = work.PathOf("progressive.jpg");
        PhotoWorkspace.Python("""
            import sys, numpy as np
            from PIL import Image
            Image.fromarray(np.zeros((16, 16, 3), np.uint8), 'RGB').save(sys.argv[1], progressive=True)
            """, path);
        var e = Assert.Throws<ConversionException>(() => new PhotoConverter().Convert(path, PhotoWorkspace.Request()).ToList());
        Assert.StartsWith(path + ": JPEG: progressive (SOF2) JPEG is not supported", e.Message);
    }

    [Fact]
    public void A_truncated_JPEG_is_refused_as_truncated()
    {
        var jpeg = File.ReadAllBytes(Mira.Testing.Corpus.Get("photos/fundus/Fundus_photograph_of_normal_right_eye_600px.jpg").FullPath);
        var path = work.PathOf("cut.jpg");
        File.WriteAllBytes(path, jpeg[..100]);
        var e = Assert.Throws<ConversionException>(() => new PhotoConverter().Convert(path, PhotoWorkspace.Request()).ToList());
        Assert.StartsWith(path + ": JPEG: ", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    static void FixCrc(byte[] png, int chunk)
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(chunk));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(chunk + 8 + length), PngCrc.Of(png.AsSpan(chunk + 4, 4), png.AsSpan(chunk + 8, length)));
    }
}
