namespace Mira.Dicom.Codecs.Uncompressed;

/// <summary>
/// Encapsulated Uncompressed Explicit VR Little Endian, 1.2.840.10008.1.2.1.98 (PS3.5 §A.4.11): each frame's native
/// little-endian bytes in its own fragment, padded to an even length.
/// </summary>
public sealed class EncapsulatedUncompressedCodec : IPixelCodec
{
    public const string Uid = "1.2.840.10008.1.2.1.98";

    public IReadOnlyList<string> TransferSyntaxUids { get; } = [Uid];

    public bool CanEncode => true;

    public PixelFormat Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination)
    {
        var length = checked((int)format.FrameLength);
        if (frame.Length < length)
            throw new DicomCodecException($"Encapsulated Uncompressed: fragment of {frame.Length} bytes is shorter than the frame ({length} bytes)");
        frame[..length].CopyTo(destination);
        return format;
    }

    public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        var length = checked((int)format.FrameLength);
        if (frame.Length < length) throw new ArgumentException($"frame holds {frame.Length} bytes, {length} expected", nameof(frame));
        var bytes = new byte[length + (length & 1)];
        frame[..length].CopyTo(bytes);
        return bytes;
    }
}
