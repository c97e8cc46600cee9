using Mira.Dicom;

namespace Mira.Conversion;

/// <summary>
/// One DICOM object a converter made from a non-DICOM source: every attribute but Pixel Data in <see cref="Header"/>
/// (SOP Common, the image modules, and the patient and study attributes from <see cref="ConversionSubject"/>), the
/// transfer syntax the pixels are in, and the pixels themselves, produced only when written (a slide level tile by
/// tile). <see cref="Part10Writer"/> writes it as a Part 10 file.
/// </summary>
public sealed class ConvertedInstance
{
    public ConvertedInstance(DicomDataset header, TransferSyntax syntax, PixelPayload pixels, string description)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(syntax);
        ArgumentNullException.ThrowIfNull(pixels);
        if (header.Contains(DicomTags.PixelData)) throw new ArgumentException("the header must not hold Pixel Data; give it as the payload", nameof(header));
        if (pixels is EncapsulatedFrames != syntax.IsEncapsulated)
            throw new ArgumentException($"{syntax.Uid} and a {pixels.GetType().Name} payload do not go together", nameof(pixels));
        (Header, Syntax, Pixels, Description) = (header, syntax, pixels, description);
    }

    public DicomDataset Header { get; }
    public TransferSyntax Syntax { get; }
    public PixelPayload Pixels { get; }

    /// <summary>What it is, for people: "level 0, 10000 x 5000, 50 tiles of JPEG copied", "slice 12 of 35".</summary>
    public string Description { get; }

    public string SopInstanceUid => Header.GetString(DicomTags.SOPInstanceUID) ?? throw new InvalidOperationException("no SOP Instance UID");
    public string SopClassUid => Header.GetString(DicomTags.SOPClassUID) ?? throw new InvalidOperationException("no SOP Class UID");
}

/// <summary>The pixels of a <see cref="ConvertedInstance"/>.</summary>
public abstract class PixelPayload;

/// <summary>
/// Native (uncompressed) pixels: <see cref="Length"/> bytes, written by <see cref="WriteTo"/> (which may produce them in
/// pieces). VR OW when Bits Allocated is over 8, else OB; Float Pixel Data (OF) when <see cref="Float"/>, Double
/// Float Pixel Data (OD) when <see cref="DoubleFloat"/>.
/// </summary>
public sealed class NativePixels(long length, Action<Stream, CancellationToken> writeTo, bool floatPixels = false, bool doubleFloatPixels = false) : PixelPayload
{
    public static NativePixels From(ReadOnlyMemory<byte> bytes, bool floatPixels = false) =>
        new(bytes.Length, (s, _) => s.Write(bytes.Span), floatPixels);

    public long Length { get; } = length;
    public bool Float { get; } = floatPixels && !doubleFloatPixels;

    /// <summary>64-bit floating point pixels: Double Float Pixel Data (7FE0,0009), PS3.3 §C.7.6.24.</summary>
    public bool DoubleFloat { get; } = doubleFloatPixels;

    /// <summary>Writes exactly <see cref="Length"/> bytes.</summary>
    public void WriteTo(Stream output, CancellationToken ct) => writeTo(output, ct);
}

/// <summary>
/// Encapsulated frames (PS3.5 §A.4), one fragment per frame, enumerated once, in order, when written: a converter may
/// read and encode each frame only then, so that memory holds one frame at a time.
/// </summary>
public sealed class EncapsulatedFrames(int count, IEnumerable<ReadOnlyMemory<byte>> frames) : PixelPayload
{
    public int Count { get; } = count;
    public IEnumerable<ReadOnlyMemory<byte>> Frames { get; } = frames;
}
