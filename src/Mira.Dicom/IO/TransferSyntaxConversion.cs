using Mira.Dicom;

namespace Mira.Dicom.IO;

/// <summary>
/// The one place a service (WADO-RS, C-GET, C-MOVE, C-STORE SCU) asks "can I deliver an object stored in syntax Y as syntax X?" (PS3.18 §8.7.3, transfer
/// syntax negotiation; PS3.4 §B.4 for DIMSE) and has it done. The base is <see cref="NativeTransferSyntaxConverter"/>; a converter
/// backed by the pixel codecs (<c>Mira.Dicom.Codecs</c>, <c>IPixelCodec</c>) can replace it in the service collection
/// and add decoding (encapsulated → native) and encoding (native → encapsulated) without touching the endpoints.
/// </summary>
public interface ITransferSyntaxConverter
{
    /// <summary>True when an object stored in <paramref name="from"/> can be delivered in <paramref name="to"/>.</summary>
    bool CanConvert(TransferSyntax from, TransferSyntax to);

    /// <summary>
    /// The data set ready to be encoded in <paramref name="to"/> (the caller writes it with
    /// <c>DicomFileWriter</c>, or takes frames from its Pixel Data). May change <paramref name="dataset"/> in place.
    /// Throws <see cref="NotSupportedException"/> where <see cref="CanConvert"/> is false.
    /// </summary>
    DicomDataset Convert(DicomDataset dataset, TransferSyntax from, TransferSyntax to);
}

/// <summary>
/// Conversions that need no pixel codec: between the native (uncompressed) syntaxes — Implicit VR Little Endian,
/// Explicit VR Little Endian, Deflated Explicit VR Little Endian and Explicit VR Big Endian (PS3.5 §A.1–A.3, A.5) —
/// and from any syntax to itself. Encapsulated Pixel Data cannot be decoded here.
/// </summary>
public sealed class NativeTransferSyntaxConverter : ITransferSyntaxConverter
{
    public bool CanConvert(TransferSyntax from, TransferSyntax to) =>
        from.Uid == to.Uid || (IsNative(from) && IsNative(to));

    static bool IsNative(TransferSyntax ts) => TransferSyntax.Uncompressed.Any(u => u.Uid == ts.Uid);

    /// <summary>
    /// Values are held little endian whatever the source's byte order (the reader swaps OW by 16-bit words, OF/OL by
    /// 32 and OD/OV by 64 bits, OB not at all: PS3.5 §7.3, §A.3), so the writer does the byte order of the target.
    /// What remains is Pixel Data of 32 or 64 bits allocated read from big endian as OW: its samples were swapped as
    /// 16-bit words and need their words reversed (PS3.5 §8.1.1 / §A.3: the sample is the unit).
    /// </summary>
    public DicomDataset Convert(DicomDataset dataset, TransferSyntax from, TransferSyntax to)
    {
        if (!CanConvert(from, to)) throw new NotSupportedException($"cannot convert {from} to {to} without a pixel codec");
        if (from.Uid == to.Uid || from.IsLittleEndian) return dataset;
        if (dataset.Find(DicomTags.PixelData) is { VR: DicomVR.OW } px and not DicomFragmentSequence
            && dataset.GetInt32(DicomTags.BitsAllocated) is (32 or 64) and var bits)
        {
            var bytes = px.Bytes.ToArray();
            ReverseWords(bytes, bits / 8);
            dataset.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, bytes));
        }
        return dataset;
    }

    /// <summary>Reverses the order of the 16-bit words inside each <paramref name="unit"/>-byte sample.</summary>
    public static void ReverseWords(Span<byte> data, int unit)
    {
        for (var s = 0; s + unit <= data.Length; s += unit)
            for (int a = s, b = s + unit - 2; a < b; a += 2, b -= 2)
            {
                (data[a], data[b]) = (data[b], data[a]);
                (data[a + 1], data[b + 1]) = (data[b + 1], data[a + 1]);
            }
    }
}
