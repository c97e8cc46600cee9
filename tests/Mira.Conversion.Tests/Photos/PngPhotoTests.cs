using Mira.Conversion.Photos;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Conversion.Tests.Photos;

public sealed class PngPhotoTests : IDisposable
{
    readonly PhotoWorkspace work = new();
    public void Dispose() => work.Dispose();

    /// <summary>
    /// Writes a PNG of a known pattern with Pillow (mode, size 37 x 23) and prints the SHA-256 of the pixels as numpy
    /// holds them after the conversion DICOM wants (palette and opaque alpha to RGB or grey; 16-bit little endian).
    /// </summary>
    const string MakePng = """
        import sys, hashlib, numpy as np
        from PIL import Image
        mode, path = sys.argv[1], sys.argv[2]
        h, w = 23, 37
        y, x = np.mgrid[0:h, 0:w]
        if mode == 'I;16':
            a = ((x * 1777 + y * 911) % 65536).astype('<u2')
            im = Image.fromarray(a.astype(np.uint16), 'I;16'); ref = a
        elif mode == 'L':
            a = ((x * 7 + y * 11) % 256).astype(np.uint8); im = Image.fromarray(a, 'L'); ref = a
        elif mode == '1':
            a = (((x + y) % 3) == 0); im = Image.fromarray(a.astype(np.uint8) * 255, 'L').convert('1'); ref = a.astype(np.uint8) * 255
        else:
            a = np.stack([(x * 7) % 256, (y * 11) % 256, (x * y) % 256], axis=-1).astype(np.uint8)
            im = Image.fromarray(a, 'RGB'); ref = a
            if mode == 'P':
                im = im.quantize(colors=200); ref = np.asarray(im.convert('RGB'))
            elif mode in ('RGBA', 'LA'):
                im = im.convert(mode); ref = np.asarray(im)[..., :-1] if mode == 'RGBA' else np.asarray(im)[..., 0]
        im.save(path)
        print(hashlib.sha256(np.ascontiguousarray(ref).tobytes()).hexdigest())
        """;

    [Theory]
    [InlineData("L", 1, 8)]
    [InlineData("I;16", 1, 16)]
    [InlineData("RGB", 3, 8)]
    [InlineData("P", 3, 8)]
    [InlineData("RGBA", 3, 8)]
    [InlineData("LA", 1, 8)]
    [InlineData("1", 1, 8)]
    public void A_PNG_is_stored_losslessly_and_decodes_to_Pillows_pixels(string mode, int samples, int bits)
    {
        var png = work.PathOf("pattern.png");
        var expected = PhotoWorkspace.Python(MakePng, mode, png);
        var (path, instance) = work.Convert(png, PhotoWorkspace.Request());
        Assert.Equal(bits == 8 ? PhotoHeader.OphthalmicPhotography8Bit : PhotoHeader.OphthalmicPhotography16Bit, instance.SopClassUid);
        Assert.Equal("1.2.840.10008.1.2.4.80", instance.Syntax.Uid);
        var (pixels, format) = PhotoWorkspace.Decode(path);
        Assert.Equal((23, 37, samples, bits), (format.Rows, format.Columns, format.SamplesPerPixel, format.BitsAllocated));
        Assert.Equal(samples == 1 ? "MONOCHROME2" : "RGB", format.PhotometricInterpretation);
        Assert.Equal(expected, PhotoWorkspace.Sha256(pixels));
        PhotoWorkspace.AssertDciodvfyClean(path);
    }

    [Fact]
    public void An_8_bit_PNG_as_a_VL_photograph_passes_dciodvfy_and_a_16_bit_one_is_refused()
    {
        var png = work.PathOf("grey.png");
        PhotoWorkspace.Python(MakePng, "L", png);
        var (path, instance) = work.Convert(png, PhotoWorkspace.Request(PhotoKind.VisibleLight));
        Assert.Equal(PhotoHeader.VLPhotographic, instance.SopClassUid);
        PhotoWorkspace.AssertDciodvfyClean(path);
        PhotoWorkspace.Python(MakePng, "I;16", png);
        var e = Assert.Throws<ConversionException>(() => new PhotoConverter().Convert(png, PhotoWorkspace.Request(PhotoKind.VisibleLight)).ToList());
        Assert.StartsWith(png + ": 16-bit samples; VL Photographic images have 8 bits", e.Message);
    }

    [Theory]
    [InlineData(1, 8)]
    [InlineData(3, 8)]
    [InlineData(1, 16)]
    [InlineData(3, 16)]
    [InlineData(4, 8)]
    public void PngWriter_rows_read_back_as_written_by_an_independent_decoder(int samples, int bits)
    {
        const int width = 129, height = 67;
        var rowBytes = width * samples * bits / 8;
        var image = new byte[rowBytes * height];
        var random = new Random(samples * 100 + bits);
        for (var y = 0; y < height; y++)
            for (var i = 0; i < rowBytes; i++)
                image[y * rowBytes + i] = (byte)(y < height / 2 ? random.Next(256) : (i * 3 + y) & 0xFF); // noise, then a smooth ramp
        var png = work.PathOf("written.png");
        using (var output = File.Create(png))
        using (var writer = new PngWriter(output, width, height, samples, bits))
        {
            for (var y = 0; y < height; y++) writer.WriteRow(image.AsSpan(y * rowBytes, rowBytes));
            writer.Complete();
        }
        // Pillow 9 reads 16-bit RGB as 8-bit, so the reference is a plain PNG decoder in Python (zlib and the five filters).
        var reference = PhotoWorkspace.Python("""
            import sys, zlib, struct, hashlib
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            pos, idat = 8, b''
            while pos < len(data):
                n, kind = struct.unpack('>I4s', data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]
                assert zlib.crc32(kind + body) == struct.unpack('>I', data[pos + 8 + n:pos + 12 + n])[0]
                if kind == b'IHDR': w, h, depth, colour = struct.unpack('>IIBB', body[:10])
                if kind == b'IDAT': idat += body
                pos += 12 + n
            channels = {0: 1, 4: 2, 2: 3, 6: 4}[colour]; bpp = channels * depth // 8; stride = w * bpp
            raw, prev, out = zlib.decompress(idat), bytearray(stride), bytearray()
            for y in range(h):
                f, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
                for i in range(stride):
                    a = row[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = [0, a, b, (a + b) // 2, a if pa <= pb and pa <= pc else (b if pb <= pc else c)][f]
                    row[i] = (row[i] + pred) & 255
                out += row; prev = row
            if depth == 16: out = b''.join(out[i + 1:i + 2] + out[i:i + 1] for i in range(0, len(out), 2))
            print((w, h), hashlib.sha256(bytes(out)).hexdigest())
            """, png);
        Assert.Equal($"({width}, {height}) {PhotoWorkspace.Sha256(image)}", reference);
        if (samples == 4)
        {
            // Random alpha: the reader refuses the transparent pixels rather than drop them.
            var e = Assert.Throws<ConversionException>(() => PngReader.Decode(File.ReadAllBytes(png), png, ConversionLimits.Default));
            Assert.Contains("is transparent", e.Message);
            return;
        }
        var decoded = PngReader.Decode(File.ReadAllBytes(png), png, ConversionLimits.Default);
        Assert.Equal(image, decoded.Pixels);
    }

    [Fact]
    public void A_PNG_photograph_exported_again_is_the_same_image()
    {
        var png = work.PathOf("colour.png");
        var expected = PhotoWorkspace.Python(MakePng, "RGB", png);
        var (path, _) = work.Convert(png, PhotoWorkspace.Request());
        var again = work.PathOf("again.png");
        using (var output = File.Create(again)) PhotoExport.ToPng(path, output);
        var decoded = PngReader.Decode(File.ReadAllBytes(again), again, ConversionLimits.Default);
        Assert.Equal(expected, PhotoWorkspace.Sha256(decoded.Pixels));
    }

    [Fact]
    public void The_same_PNG_twice_gives_the_same_UIDs()
    {
        var png = work.PathOf("grey.png");
        PhotoWorkspace.Python(MakePng, "L", png);
        var a = new PhotoConverter().Convert(png, PhotoWorkspace.Request()).Single();
        var b = new PhotoConverter().Convert(png, PhotoWorkspace.Request()).Single();
        Assert.Equal(a.SopInstanceUid, b.SopInstanceUid);
        Assert.Equal(a.Header.GetString(DicomTags.SeriesInstanceUID), b.Header.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(a.Header.GetString(DicomTags.StudyInstanceUID), b.Header.GetString(DicomTags.StudyInstanceUID));
    }
}
