using Mira.Dicom;
using Mira.Dicom.Codecs;

namespace Mira.Server.Dicomweb;

/// <summary>Why frames cannot be taken from an instance; the message goes into a problem body.</summary>
public sealed class FrameException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// Frames of Pixel Data for WADO-RS (PS3.18 §10.4.1.1.4 "Frames"): native frames cut by Rows × Columns × Samples per
/// Pixel × Bits Allocated (PS3.5 §8.1.1, §8.2), encapsulated frames by the offset tables (PS3.5 §A.4).
/// </summary>
public static class PixelFrames
{
    /// <summary>
    /// Parses a frame list (PS3.18 §10.4.1.1.4: comma-separated positive integers, 1-based) of at most
    /// <paramref name="maxEntries"/> entries. A frame named again is dropped (the first occurrences keep the order asked
    /// for), so a response never holds a frame twice and costs at most the object's own frames, whatever the URL repeats.
    /// Returns null and a reason when malformed or too long.
    /// </summary>
    public static int[]? ParseList(string text, out string? error, int maxEntries = int.MaxValue)
    {
        error = null;
        var items = text.Split(',');
        if (items.Length > maxEntries)
        {
            error = $"the frame list has {items.Length} entries; at most {maxEntries} are accepted";
            return null;
        }
        var numbers = new List<int>(Math.Min(items.Length, 1024));
        var seen = new HashSet<int>();
        for (var i = 0; i < items.Length; i++)
        {
            var s = items[i].Trim();
            if (s.Length == 0 || !s.All(char.IsAsciiDigit) || !int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                error = $"'{Shorten(text)}' is not a frame list: expected comma-separated frame numbers from 1, e.g. 1,3,5 (item {i + 1}, '{Shorten(items[i])}')";
                return null;
            }
            if (seen.Add(n)) numbers.Add(n);
        }
        return [.. numbers];
    }

    static string Shorten(string s) => s.Length > 64 ? s[..64] + "…" : s;

    /// <summary>The Pixel Data element: (7FE0,0010), Float Pixel Data (7FE0,0008) or Double Float Pixel Data (7FE0,0009).</summary>
    public static DicomElement? PixelDataOf(DicomDataset ds) =>
        ds.Find(DicomTags.PixelData) ?? ds.Find(DicomTags.FloatPixelData) ?? ds.Find(DicomTags.DoubleFloatPixelData);

    /// <summary>Number of Frames (0028,0008), 1 when absent.</summary>
    public static int FrameCount(DicomDataset ds) => Math.Max(1, ds.GetInt32(DicomTags.NumberOfFrames) ?? 1);

    /// <summary>
    /// The frames asked for (1-based) of native Pixel Data, little endian as held. A frame of Bits Allocated 1 starts
    /// wherever the previous one ended (PS3.5 §8.1.1: frames are not padded to a byte), so it is re-packed to start at
    /// bit 0 of its first byte, its unused last bits zero.
    /// </summary>
    public static List<byte[]> Native(DicomDataset ds, DicomElement pixels, IReadOnlyList<int> numbers)
    {
        var rows = ds.GetInt32(DicomTags.Rows) ?? 0;
        var columns = ds.GetInt32(DicomTags.Columns) ?? 0;
        var samples = ds.GetInt32(DicomTags.SamplesPerPixel) ?? 1;
        var bits = pixels.Tag == DicomTags.FloatPixelData ? 32 : pixels.Tag == DicomTags.DoubleFloatPixelData ? 64 : ds.GetInt32(DicomTags.BitsAllocated) ?? 0;
        if (rows <= 0 || columns <= 0 || samples <= 0 || bits <= 0 || (bits != 1 && bits % 8 != 0))
            throw new FrameException(422, $"cannot cut frames: Rows {rows}, Columns {columns}, Samples per Pixel {samples}, Bits Allocated {bits}");
        var frameBits = (long)rows * columns * samples * bits;
        var data = pixels.Bytes.Span;
        var result = new List<byte[]>(numbers.Count);
        foreach (var n in numbers)
        {
            var startBit = (n - 1) * frameBits;
            if ((startBit + frameBits + 7) / 8 > data.Length)
                throw new FrameException(422, $"the stored Pixel Data holds {data.Length} bytes, too few for frame {n} of {frameBits / 8.0:0.###} bytes each");
            result.Add(bits == 1 ? ExtractBits(data, startBit, frameBits) : data.Slice((int)(startBit / 8), (int)(frameBits / 8)).ToArray());
        }
        return result;
    }

    /// <summary>Copies <paramref name="count"/> bits from bit <paramref name="start"/> (LSB first, PS3.5 §8.1.1) to a new array starting at bit 0.</summary>
    public static byte[] ExtractBits(ReadOnlySpan<byte> data, long start, long count)
    {
        var output = new byte[(count + 7) / 8];
        var first = (int)(start / 8);
        var shift = (int)(start % 8);
        for (var j = 0; j < output.Length; j++)
        {
            var lo = data[first + j] >> shift;
            var hi = shift > 0 && first + j + 1 < data.Length ? data[first + j + 1] << (8 - shift) : 0;
            output[j] = (byte)(lo | hi);
        }
        var tail = (int)(count % 8);
        if (tail != 0) output[^1] &= (byte)((1 << tail) - 1);
        return output;
    }

    /// <summary>
    /// The frames asked for of encapsulated Pixel Data, each decoded on its own (<see cref="PixelData.DecodeFrame(int)"/>:
    /// native little-endian layout, a Bits Allocated 1 frame starting at bit 0) within <paramref name="limits"/>; the
    /// frames not asked for are never decoded.
    /// </summary>
    public static List<byte[]> Decoded(DicomDataset ds, TransferSyntax stored, IReadOnlyList<int> numbers, DecodeLimits limits)
    {
        var pixels = PixelData.Create(ds, stored, CodecRegistry.Default, limits);
        var result = new List<byte[]>(numbers.Count);
        foreach (var n in numbers) result.Add(pixels.DecodeFrame(n - 1));
        return result;
    }

    /// <summary>The frames asked for of encapsulated Pixel Data: each frame's fragments joined, without item headers (PS3.18 §8.7.3.3.2).</summary>
    public static List<byte[]> Encapsulated(DicomDataset ds, IReadOnlyList<int> numbers)
    {
        IReadOnlyList<ReadOnlyMemory<byte>> frames;
        try
        {
            frames = ds.GetEncapsulatedFrames() ?? throw new FrameException(422, "the Pixel Data is not encapsulated");
        }
        catch (DicomFormatException e)
        {
            throw new FrameException(422, "the stored Pixel Data cannot be split into frames: " + e.Message);
        }
        var result = new List<byte[]>(numbers.Count);
        foreach (var n in numbers)
        {
            if (n > frames.Count)
                throw new FrameException(422, $"the stored Pixel Data holds {frames.Count} frame(s), not the {FrameCount(ds)} Number of Frames says");
            result.Add(frames[n - 1].ToArray());
        }
        return result;
    }
}
