using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Dicom.Codecs;

/// <summary>
/// Transfer syntax conversion backed by the pixel codecs of a <see cref="CodecRegistry"/> (by default
/// <see cref="CodecRegistry.Default"/>): an object whose Pixel Data a
/// registered codec decodes can be delivered in any native syntax (PS3.18 §8.7.3: Explicit VR Little Endian is the
/// syntax every origin server must be able to send), and native or decodable objects can be re-encoded in a syntax
/// whose codec encodes it (RLE, JPEG lossless, JPEG-LS). Lossy encoding is never chosen here: a codec that only
/// encodes lossless streams does not claim the lossy syntaxes. Conversions between native syntaxes need no codec
/// (<see cref="NativeTransferSyntaxConverter"/>).
/// </summary>
public sealed class CodecTransferSyntaxConverter(CodecRegistry codecs, DecodeLimits? limits = null) : ITransferSyntaxConverter
{
    readonly NativeTransferSyntaxConverter native = new();

    /// <summary>A converter over <see cref="CodecRegistry.Default"/>.</summary>
    public CodecTransferSyntaxConverter() : this(CodecRegistry.Default) { }

    /// <summary>How large the decoded frames of a conversion may be (<see cref="DecodeLimits.Default"/> unless given).</summary>
    public DecodeLimits Limits { get; } = limits ?? DecodeLimits.Default;

    public bool CanConvert(TransferSyntax from, TransferSyntax to)
    {
        if (native.CanConvert(from, to)) return true;
        var decodable = !from.IsEncapsulated || codecs.Find(from.Uid) is not null;
        if (!decodable) return false;
        if (!to.IsEncapsulated) return true;
        return codecs.Find(to.Uid) is { } encoder && encoder.CanEncodeTo(to.Uid);
    }

    public DicomDataset Convert(DicomDataset dataset, TransferSyntax from, TransferSyntax to)
    {
        if (native.CanConvert(from, to)) return native.Convert(dataset, from, to);
        if (!CanConvert(from, to)) throw new NotSupportedException($"no codec converts {from} to {to}");
        if (dataset.Find(DicomTags.PixelData) is null && dataset.Find(DicomTags.FloatPixelData) is null && dataset.Find(DicomTags.DoubleFloatPixelData) is null)
            return dataset; // nothing to re-encode (the writer changes only the encoding of the data set)
        // Big-endian sources are first made little endian (values are held little endian; only 32/64-bit OW needs work).
        if (!from.IsLittleEndian) dataset = native.Convert(dataset, from, TransferSyntax.ExplicitVRLittleEndian);
        var source = PixelData.Create(dataset, from.IsEncapsulated ? from : TransferSyntax.ExplicitVRLittleEndian, codecs, Limits);
        var littleEndian = to.IsLittleEndian ? to : TransferSyntax.ExplicitVRLittleEndian;
        return PixelDataTranscoder.Transcode(source, littleEndian);
    }
}
