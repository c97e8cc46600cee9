using System.Buffers.Binary;
using System.IO.Compression;
using Mira.Dicom.Codecs;
using Mira.Dicom.Codecs.Jpeg;

namespace Mira.Conversion.Tiff;

/// <summary>
/// Decodes the stored bytes of one tile or strip into samples: uncompressed, LZW, Deflate (8 and 32946), PackBits,
/// ZSTD (50000), and JPEG (7, decoded to RGB or grey, for strips and associated images that must be re-tiled); then
/// undoes horizontal differencing (predictor 2). 16-bit samples come out little endian. The result is
/// <c>width × rows × samples × bytes per sample</c> long, whatever the stored data claims.
/// </summary>
public static class TiffChunkDecoder
{
    static readonly JpegCodec Jpeg = new(JpegColorOutput.ConvertYbrToRgb);

    /// <summary>Bytes per sample of a directory whose samples this decoder supports (8 or 16 bits, unsigned integers).</summary>
    public static int BytesPerSample(TiffDirectory dir) => dir.BitsPerSample == 16 ? 2 : 1;

    /// <summary>Why the decoder cannot decode the directory's chunks, or null.</summary>
    public static string? Unsupported(TiffDirectory dir)
    {
        if (dir.BitsPerSample is not (8 or 16)) return $"{dir.BitsPerSample} bits per sample (8 or 16 supported)";
        if (dir.SampleFormat != 1) return $"sample format {dir.SampleFormat} (unsigned integers supported)";
        if (dir.Predictor is not (1 or 2)) return $"predictor {dir.Predictor} (none or horizontal differencing supported)";
        if (dir.Compression is not (TiffCompression.None or TiffCompression.Lzw or TiffCompression.AdobeDeflate or TiffCompression.Deflate
            or TiffCompression.PackBits or TiffCompression.Zstd or TiffCompression.Jpeg))
            return $"compression {dir.Compression}";
        if (dir.Compression == TiffCompression.Jpeg && dir.BitsPerSample != 8) return "JPEG with more than 8 bits per sample";
        return null;
    }

    /// <summary>Decodes <paramref name="stored"/>, a chunk of <paramref name="width"/> × <paramref name="rows"/> pixels of <paramref name="samples"/> samples each.</summary>
    public static byte[] Decode(TiffFile file, TiffDirectory dir, ReadOnlySpan<byte> stored, int width, int rows, int samples)
    {
        var bps = BytesPerSample(dir);
        var length = checked(width * rows * samples * bps);
        var output = new byte[length];
        try
        {
            switch (dir.Compression)
            {
                case TiffCompression.None: stored[..Math.Min(stored.Length, length)].CopyTo(output); break;
                case TiffCompression.Lzw: TiffLzw.Decode(stored, output); break;
                case TiffCompression.AdobeDeflate or TiffCompression.Deflate: Inflate(stored, output); break;
                case TiffCompression.PackBits: UnpackBits(stored, output); break;
                case TiffCompression.Zstd: Unzstd(stored, output); break;
                case TiffCompression.Jpeg: DecodeJpeg(dir, stored, output, width, rows, samples); return output;
                default: throw new FormatException($"compression {dir.Compression} is not supported");
            }
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or ZstdSharp.ZstdException or DicomCodecException or ArgumentException)
        {
            throw file.Fail($"directory {dir.Index + 1}: a {dir.ChunkName} cannot be decoded ({e.Message})");
        }
        if (bps == 2 && file.BigEndian)
            for (var i = 0; i < length; i += 2) (output[i], output[i + 1]) = (output[i + 1], output[i]);
        if (dir.Predictor == 2) UndoDifferencing(output, width, rows, samples, bps);
        return output;
    }

    static void Inflate(ReadOnlySpan<byte> stored, Span<byte> output)
    {
        using var input = new MemoryStream(stored.ToArray(), writable: false);
        using var z = new ZLibStream(input, CompressionMode.Decompress);
        var done = 0;
        while (done < output.Length)
        {
            var n = z.Read(output[done..]);
            if (n == 0) break;
            done += n;
        }
    }

    /// <summary>As libtiff does, decodes until the chunk is full; a frame that holds more is cut there.</summary>
    static void Unzstd(ReadOnlySpan<byte> stored, Span<byte> output)
    {
        using var input = new MemoryStream(stored.ToArray(), writable: false);
        using var z = new ZstdSharp.DecompressionStream(input);
        var done = 0;
        while (done < output.Length)
        {
            var n = z.Read(output[done..]);
            if (n == 0) break;
            done += n;
        }
    }

    static void UnpackBits(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int i = 0, o = 0;
        while (i < input.Length && o < output.Length)
        {
            var n = (sbyte)input[i++];
            if (n >= 0)
            {
                var count = Math.Min(n + 1, Math.Min(input.Length - i, output.Length - o));
                input.Slice(i, count).CopyTo(output[o..]);
                i += n + 1;
                o += count;
            }
            else if (n != -128)
            {
                if (i >= input.Length) break;
                var count = Math.Min(1 - n, output.Length - o);
                output.Slice(o, count).Fill(input[i++]);
                o += count;
            }
        }
    }

    static void UndoDifferencing(Span<byte> data, int width, int rows, int samples, int bps)
    {
        var rowLength = width * samples;
        for (var r = 0; r < rows; r++)
        {
            if (bps == 1)
            {
                var row = data.Slice(r * rowLength, rowLength);
                for (var i = samples; i < rowLength; i++) row[i] += row[i - samples];
            }
            else
            {
                var row = data.Slice(r * rowLength * 2, rowLength * 2);
                for (var i = samples; i < rowLength; i++)
                {
                    var v = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(row[(2 * i)..]) + BinaryPrimitives.ReadUInt16LittleEndian(row[(2 * (i - samples))..]));
                    BinaryPrimitives.WriteUInt16LittleEndian(row[(2 * i)..], v);
                }
            }
        }
    }

    static void DecodeJpeg(TiffDirectory dir, ReadOnlySpan<byte> stored, Span<byte> output, int width, int rows, int samples)
    {
        var whole = JpegTiles.Merge(dir.JpegTables ?? [], stored, addAdobeRgb: dir.Photometric == 2 && samples == 3);
        var info = JpegTiles.Inspect(whole);
        if (info.Components != samples) throw new FormatException($"the JPEG has {info.Components} components, the directory {samples} samples per pixel");
        var photometric = samples == 1 ? "MONOCHROME2" : "YBR_FULL";
        var format = new PixelFormat(info.Height, info.Width, samples, 8, 8, 7, 0, 0, photometric, 1);
        var decoded = new byte[format.FrameLength];
        Jpeg.Decode(whole, format, decoded);
        // A strip's JPEG may be taller or wider than the chunk (padding to whole blocks); copy what the chunk covers.
        var copyWidth = Math.Min(width, info.Width) * samples;
        for (var r = 0; r < Math.Min(rows, info.Height); r++)
            decoded.AsSpan(r * info.Width * samples, copyWidth).CopyTo(output[(r * width * samples)..]);
    }
}
