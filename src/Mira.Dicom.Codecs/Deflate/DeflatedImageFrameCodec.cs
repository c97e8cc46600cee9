using System.IO.Compression;

namespace Mira.Dicom.Codecs.Deflate;

/// <summary>
/// Deflated Image Frame Compression, 1.2.840.10008.1.2.8.1 (PS3.5 §8.2.16, §A.4.13): each frame's native
/// little-endian bytes (Bits Allocated 1: bit-packed, the frame starting on a byte boundary) compressed on its own
/// with raw Deflate (RFC 1951, no zlib or gzip wrapper), one fragment per frame, an odd-length result padded with
/// one NULL byte.
/// </summary>
public sealed class DeflatedImageFrameCodec : IPixelCodec
{
    public const string Uid = "1.2.840.10008.1.2.8.1";

    public IReadOnlyList<string> TransferSyntaxUids { get; } = [Uid];

    public bool CanEncode => true;

    public PixelFormat Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination)
    {
        var length = checked((int)format.FrameLength);
        if (destination.Length < length)
            throw new ArgumentException($"destination holds {destination.Length} bytes, the frame needs {length}", nameof(destination));
        var target = destination[..length];
        int total;
        try
        {
            // A copy is needed to give DeflateStream a Stream; frames are small next to the decoded result.
            using var inflater = new DeflateStream(new MemoryStream(frame.ToArray(), writable: false), CompressionMode.Decompress);
            total = 0;
            while (total < length)
            {
                var n = inflater.Read(target[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DicomCodecException($"Deflated Image Frame: the Deflate stream is damaged: {e.Message}", e);
        }
        if (total < length)
            throw new DicomCodecException($"Deflated Image Frame: frame inflates to {total} bytes, {length} expected");
        return format;
    }

    public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        var length = checked((int)format.FrameLength);
        if (frame.Length < length) throw new ArgumentException($"frame holds {frame.Length} bytes, {length} expected", nameof(frame));
        var output = new MemoryStream();
        using (var deflater = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
            deflater.Write(frame[..length]);
        if ((output.Length & 1) == 1) output.WriteByte(0);
        return output.ToArray();
    }
}
