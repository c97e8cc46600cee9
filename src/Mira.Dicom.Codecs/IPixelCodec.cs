namespace Mira.Dicom.Codecs;

/// <summary>
/// A codec for the encapsulated Pixel Data of one or more transfer syntaxes (PS3.5 §8.2, Annex A.4).
/// Frames are decoded to the layout of the same frame in Explicit VR Little Endian: samples little endian,
/// colour-by-pixel unless <see cref="PixelFormat.PlanarConfiguration"/> of the decoded result says otherwise.
/// </summary>
public interface IPixelCodec
{
    /// <summary>The transfer syntax UIDs this codec handles.</summary>
    IReadOnlyList<string> TransferSyntaxUids { get; }

    bool CanEncode { get; }

    /// <summary>Whether <see cref="Encode"/> produces a stream valid for <paramref name="transferSyntaxUid"/>.</summary>
    bool CanEncodeTo(string transferSyntaxUid) => CanEncode && TransferSyntaxUids.Contains(transferSyntaxUid);

    /// <summary>
    /// Decodes one frame (the bytes of its fragments, concatenated) into <paramref name="destination"/>,
    /// which is <see cref="PixelFormat.FrameLength"/> bytes long. Returns the format of the decoded frame,
    /// which may differ from <paramref name="format"/> where the codec changes it (e.g. planar configuration
    /// or photometric interpretation). Throws <see cref="DicomCodecException"/> on damaged data.
    /// </summary>
    PixelFormat Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination);

    /// <summary>Encodes one native frame. Throws <see cref="NotSupportedException"/> where <see cref="CanEncode"/> is false.</summary>
    byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format);
}
