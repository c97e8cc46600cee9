using System.Buffers.Binary;
using System.IO.Compression;

namespace Mira.Conversion.Photos;

/// <summary>
/// A decoded PNG in the layout of DICOM native pixel data: samples interleaved, 16-bit samples little endian,
/// grey (1 sample) or RGB (3 samples); palettes expanded to RGB, grey below 8 bits scaled to 8, opaque alpha dropped.
/// </summary>
internal sealed record PngImage(int Width, int Height, int Samples, int BitsPerSample, byte[] Pixels);

/// <summary>
/// Reads PNG files (ISO/IEC 15948, PNG specification second edition) from untrusted input: chunk lengths and CRCs
/// checked, the image size checked against <see cref="ConversionLimits.MaxFrameBytes"/> before anything is allocated.
/// Adam7-interlaced images and images with transparent pixels are refused (DICOM has no alpha channel).
/// </summary>
internal static class PngReader
{
    static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool IsPng(ReadOnlySpan<byte> head) => head.StartsWith(Signature);

    sealed record Header(int Width, int Height, int BitDepth, int ColourType)
    {
        public int Channels => ColourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        public int BitsPerPixel => Channels * BitDepth;
        public int OutputSamples => ColourType is 0 or 4 ? 1 : 3;
        public int OutputBits => BitDepth == 16 ? 16 : 8;
    }

    internal static ConversionException Fail(string where, string what) => new($"{where}: PNG: {what}");

    public static PngImage Decode(byte[] file, string where, ConversionLimits limits)
    {
        if (!IsPng(file)) throw Fail(where, "the file does not start with the PNG signature");
        Header? header = null;
        byte[]? palette = null, transparency = null;
        using var compressed = new MemoryStream();
        var pos = Signature.Length;
        var ended = false;
        while (!ended)
        {
            if (pos + 12 > file.Length) throw Fail(where, $"the file ends at byte {file.Length} inside a chunk header (truncated; no IEND chunk)");
            var dataLength = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos));
            var type = file.AsSpan(pos + 4, 4);
            var typeName = System.Text.Encoding.ASCII.GetString(type);
            if (dataLength > int.MaxValue || pos + 12 + (long)dataLength > file.Length)
                throw Fail(where, $"chunk {typeName} at byte {pos} declares {dataLength} bytes, past the end of the file (truncated)");
            var data = file.AsSpan(pos + 8, (int)dataLength);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos + 8 + (int)dataLength));
            if (PngCrc.Of(type, data) != crc) throw Fail(where, $"the CRC of chunk {typeName} at byte {pos} does not match its contents (damaged file)");
            if (header is null && typeName != "IHDR") throw Fail(where, $"the first chunk is {typeName}, not IHDR");
            switch (typeName)
            {
                case "IHDR":
                    if (header is not null) throw Fail(where, $"a second IHDR chunk at byte {pos}");
                    header = ReadHeader(data, where, limits);
                    break;
                case "PLTE":
                    if (dataLength % 3 != 0 || dataLength == 0 || dataLength > 768) throw Fail(where, $"the PLTE chunk has {dataLength} bytes, not 3 to 768 in threes");
                    palette = data.ToArray();
                    break;
                case "tRNS": transparency = data.ToArray(); break;
                case "IDAT": compressed.Write(data); break;
                case "IEND": ended = true; break;
                default:
                    // A critical chunk (upper-case first letter) that is not understood makes the image unreadable (§5.4).
                    if (char.IsAsciiLetterUpper(typeName[0])) throw Fail(where, $"unknown critical chunk {typeName} at byte {pos}");
                    break;
            }
            pos += 12 + (int)dataLength;
        }
        if (compressed.Length == 0) throw Fail(where, "there is no IDAT chunk (no image data)");
        if (header!.ColourType == 3 && palette is null) throw Fail(where, "a palette image without a PLTE chunk");
        compressed.Position = 0;
        return Unpack(header, compressed, palette, transparency, where);
    }

    static Header ReadHeader(ReadOnlySpan<byte> d, string where, ConversionLimits limits)
    {
        if (d.Length != 13) throw Fail(where, $"the IHDR chunk has {d.Length} bytes, not 13");
        var width = BinaryPrimitives.ReadUInt32BigEndian(d);
        var height = BinaryPrimitives.ReadUInt32BigEndian(d[4..]);
        int depth = d[8], colour = d[9];
        if (width == 0 || height == 0) throw Fail(where, $"the image is {width} x {height}");
        // Rows and Columns are US in DICOM (PS3.3 §C.7.6.3): at most 65535.
        if (width > ushort.MaxValue || height > ushort.MaxValue)
            throw Fail(where, $"the image is {width} x {height}; a DICOM frame has at most 65535 rows and columns");
        var validDepth = colour switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => throw Fail(where, $"colour type {colour} is not defined by the PNG specification"),
        };
        if (!validDepth) throw Fail(where, $"bit depth {depth} is not allowed with colour type {colour}");
        if (d[10] != 0 || d[11] != 0) throw Fail(where, $"compression method {d[10]} / filter method {d[11]} (only 0 is defined)");
        if (d[12] == 1) throw Fail(where, "Adam7-interlaced images are not supported; save the PNG without interlacing");
        if (d[12] != 0) throw Fail(where, $"interlace method {d[12]} is not defined");
        var header = new Header((int)width, (int)height, depth, colour);
        var frameBytes = (long)width * height * header.OutputSamples * (header.OutputBits / 8);
        if (frameBytes > Math.Min(limits.MaxFrameBytes, Array.MaxLength))
            throw Fail(where, $"the image is {width} x {height} ({frameBytes} bytes decoded), more than the {limits.MaxFrameBytes} bytes allowed for one frame");
        return header;
    }

    static PngImage Unpack(Header h, Stream compressed, byte[]? palette, byte[]? transparency, string where)
    {
        var rowBytes = (h.Width * h.BitsPerPixel + 7) / 8;
        var bytesPerPixel = Math.Max(1, h.BitsPerPixel / 8);
        var outRow = h.Width * h.OutputSamples * (h.OutputBits / 8);
        var pixels = new byte[(long)outRow * h.Height];
        var current = new byte[rowBytes + 1];
        var previous = new byte[rowBytes + 1];
        var convert = new PngRowConverter(h.Width, h.BitDepth, h.ColourType, palette, transparency, where);
        using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
        for (var y = 0; y < h.Height; y++)
        {
            try
            {
                zlib.ReadExactly(current);
            }
            catch (EndOfStreamException)
            {
                throw Fail(where, $"the image data ends in row {y} of {h.Height} (truncated)");
            }
            catch (InvalidDataException e)
            {
                throw Fail(where, $"the image data is not a valid zlib stream (row {y}): {e.Message}");
            }
            if (current[0] > 4) throw Fail(where, $"row {y} has filter type {current[0]} (0 to 4 are defined)");
            PngFilters.Unfilter(current[0], current.AsSpan(1), previous.AsSpan(1), bytesPerPixel);
            convert.Convert(current.AsSpan(1), pixels.AsSpan((int)((long)y * outRow), outRow), y);
            (current, previous) = (previous, current);
        }
        return new PngImage(h.Width, h.Height, h.OutputSamples, h.OutputBits, pixels);
    }
}
