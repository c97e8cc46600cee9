using Mira.Dicom.IO;

namespace Mira.Dicom.Codecs;

/// <summary>
/// The frames of an image's Pixel Data (7FE0,0010), Float Pixel Data (7FE0,0008) or Double Float Pixel Data
/// (7FE0,0009), decoded on demand to native little-endian layout: the bytes the same frame would have in Explicit VR
/// Little Endian (samples little endian; the data set's Planar Configuration unless the decoded format says
/// otherwise; Bits Allocated 1 bit-packed, least significant bit first, each frame starting on a byte boundary).
/// </summary>
/// <remarks>
/// Native syntaxes are read directly; encapsulated ones (PS3.5 §A.4) through the codec the <see cref="CodecRegistry"/>
/// (by default <see cref="CodecRegistry.Default"/>) finds for the transfer syntax. Nothing is decoded until a frame is
/// asked for.
/// </remarks>
public sealed class PixelData
{
    /// <summary>Decoded images larger than this are refused by <see cref="DecodeAll(out PixelFormat)"/> (one array).</summary>
    public const long MaxDecodedLength = 0x7FFFFFC7; // Array.MaxLength

    readonly DicomElement element;
    readonly Lazy<ReadOnlyMemory<byte>> nativeValue;
    readonly Lazy<IReadOnlyList<ReadOnlyMemory<byte>>> encapsulatedFrames;

    PixelData(DicomDataset dataset, TransferSyntax syntax, DicomElement element, PixelFormat format, CodecRegistry codecs, DecodeLimits limits)
    {
        Dataset = dataset;
        Codecs = codecs;
        Limits = limits;
        TransferSyntax = syntax;
        this.element = element;
        Format = format;
        nativeValue = new(() => NativePixels.ToLittleEndian(element, format, !syntax.IsLittleEndian));
        encapsulatedFrames = new(() => dataset.GetEncapsulatedFrames() ?? []);
    }

    public DicomDataset Dataset { get; }

    /// <summary>The registry whose codecs decode encapsulated frames.</summary>
    public CodecRegistry Codecs { get; }

    /// <summary>How large a decoded frame, and all frames decoded at once, may be (checked before allocating).</summary>
    public DecodeLimits Limits { get; }
    public TransferSyntax TransferSyntax { get; }

    /// <summary>The Image Pixel module values as stored in the data set.</summary>
    public PixelFormat Format { get; }

    public int FrameCount => Format.NumberOfFrames;

    public bool IsEncapsulated => element is DicomFragmentSequence;

    /// <summary>The codec for encapsulated data, or null for native data (found when first needed).</summary>
    public IPixelCodec? Codec => IsEncapsulated ? Codecs.Get(TransferSyntax) : null;

    /// <summary>
    /// The pixel data of a file, decoded with <paramref name="codecs"/> (default <see cref="CodecRegistry.Default"/>)
    /// within <paramref name="limits"/> (default <see cref="DecodeLimits.Default"/>).
    /// </summary>
    public static PixelData Open(DicomFile file, CodecRegistry? codecs = null, DecodeLimits? limits = null) =>
        Create(file.Dataset, file.TransferSyntax, codecs, limits);

    /// <summary>
    /// Pixel data of a data set read in <paramref name="syntax"/>, decoded with <paramref name="codecs"/> (default
    /// <see cref="CodecRegistry.Default"/>) within <paramref name="limits"/> (default <see cref="DecodeLimits.Default"/>,
    /// checked when a frame is decoded). Throws <see cref="DicomCodecException"/> when there is no pixel data or the
    /// Image Pixel module cannot describe a frame.
    /// </summary>
    public static PixelData Create(DicomDataset dataset, TransferSyntax syntax, CodecRegistry? codecs = null, DecodeLimits? limits = null)
    {
        var element = dataset.Find(DicomTags.PixelData) ?? dataset.Find(DicomTags.FloatPixelData) ?? dataset.Find(DicomTags.DoubleFloatPixelData)
            ?? throw new DicomCodecException("the data set has no Pixel Data, Float Pixel Data or Double Float Pixel Data");
        var format = PixelFormat.From(dataset);
        Validate(format, dataset);
        if (syntax.IsEncapsulated != element is DicomFragmentSequence)
            throw new DicomCodecException(syntax.IsEncapsulated
                ? $"transfer syntax {syntax.Uid} ({syntax.Name}) needs encapsulated Pixel Data, but the value is native"
                : $"transfer syntax {syntax.Uid} ({syntax.Name}) needs native Pixel Data, but the value is encapsulated");
        return new PixelData(dataset, syntax, element, format, codecs ?? CodecRegistry.Default, limits ?? DecodeLimits.Default);
    }

    static void Validate(PixelFormat f, DicomDataset ds)
    {
        var missing = new List<string>();
        if (!ds.Contains(DicomTags.Rows)) missing.Add("Rows");
        if (!ds.Contains(DicomTags.Columns)) missing.Add("Columns");
        if (!ds.Contains(DicomTags.BitsAllocated) && !f.IsFloat) missing.Add("BitsAllocated");
        if (missing.Count > 0) throw new DicomCodecException("cannot read pixel data: missing " + string.Join(", ", missing));
        if (f.Rows <= 0 || f.Columns <= 0) throw new DicomCodecException($"cannot read pixel data: {f.Rows} rows × {f.Columns} columns");
        if (f.SamplesPerPixel is < 1 or > 4) throw new DicomCodecException($"cannot read pixel data: Samples per Pixel {f.SamplesPerPixel}");
        if (f.BitsAllocated is not (1 or 8 or 16 or 32 or 64))
            throw new DicomCodecException($"cannot read pixel data: Bits Allocated {f.BitsAllocated} (1, 8, 16, 32 or 64 supported)");
        if (f.IsFloat && f.BitsAllocated is not (32 or 64))
            throw new DicomCodecException($"cannot read float pixel data with Bits Allocated {f.BitsAllocated}");
        if (NativePixels.IsYbr422(f) && f.Columns % 2 != 0)
            throw new DicomCodecException($"YBR_FULL_422 needs an even number of columns, not {f.Columns} (PS3.3 §C.7.6.3.1.2)");
    }

    /// <summary>The encapsulated bytes of frame <paramref name="index"/> (its fragments, concatenated).</summary>
    public ReadOnlyMemory<byte> GetEncapsulatedFrame(int index)
    {
        if (!IsEncapsulated) throw new InvalidOperationException("the pixel data is native, not encapsulated");
        CheckIndex(index);
        var frames = encapsulatedFrames.Value;
        if (index >= frames.Count)
            throw new DicomCodecException($"frame {index + 1} of {FrameCount} is missing: the encapsulated Pixel Data holds {frames.Count} frame(s)");
        return frames[index];
    }

    /// <summary>
    /// What the header of encapsulated frame <paramref name="index"/> says, checked against the transfer syntax and
    /// <see cref="Format"/>, without decoding it (<see cref="CodecRegistry.Identify"/>).
    /// </summary>
    public FrameIdentity IdentifyFrame(int index) => Codecs.Identify(GetEncapsulatedFrame(index).Span, TransferSyntax, Format);

    /// <summary>Decodes frame <paramref name="index"/> (from 0) into a new array.</summary>
    public byte[] DecodeFrame(int index) => DecodeFrame(index, out _);

    /// <summary>Decodes frame <paramref name="index"/> into a new array; <paramref name="decoded"/> is its format.</summary>
    public byte[] DecodeFrame(int index, out PixelFormat decoded)
    {
        var buffer = new byte[FrameLengthChecked()];
        decoded = DecodeFrame(index, buffer);
        return buffer;
    }

    /// <summary>Decodes frame <paramref name="index"/> into <paramref name="destination"/> (at least <see cref="PixelFormat.FrameLength"/> bytes); returns the decoded format.</summary>
    public PixelFormat DecodeFrame(int index, Span<byte> destination)
    {
        CheckIndex(index);
        var length = FrameLengthChecked();
        if (destination.Length < length)
            throw new ArgumentException($"destination holds {destination.Length} bytes, a frame needs {length}", nameof(destination));
        if (IsEncapsulated)
        {
            var codec = Codecs.Get(TransferSyntax);
            var frame = GetEncapsulatedFrame(index);
            try
            {
                return codec.Decode(frame.Span, Format, destination[..length]);
            }
            catch (DicomCodecException e) when (FrameCount > 1)
            {
                throw new DicomCodecException($"frame {index + 1} of {FrameCount}: {e.Message}", e);
            }
        }
        var value = nativeValue.Value.Span;
        var needed = (NativePixels.StoredFrameBits(Format) * FrameCount + 7) / 8;
        if (value.Length < needed)
            throw new DicomCodecException($"{element.Tag} holds {value.Length} bytes; {FrameCount} frame(s) of {Format.Rows}×{Format.Columns}×{Format.SamplesPerPixel}, {Format.BitsAllocated} bits allocated, need {needed}");
        return NativePixels.CopyFrame(value, Format, index, destination);
    }

    /// <summary>
    /// Decodes every frame, one after the other (each <see cref="PixelFormat.FrameLength"/> bytes; Bits Allocated 1
    /// frames each start on a byte boundary); <paramref name="decoded"/> is the format of the decoded frames.
    /// </summary>
    public byte[] DecodeAll(out PixelFormat decoded)
    {
        Limits.CheckAll(Format);
        var frameLength = FrameLengthChecked();
        var total = (long)frameLength * FrameCount;
        if (total > MaxDecodedLength)
            throw new DicomCodecException($"{FrameCount} decoded frames of {frameLength} bytes do not fit in one array; decode them one at a time");
        var all = GC.AllocateUninitializedArray<byte>((int)total);
        decoded = Format;
        for (var i = 0; i < FrameCount; i++)
            decoded = DecodeFrame(i, all.AsSpan(i * frameLength, frameLength));
        return all;
    }

    public byte[] DecodeAll() => DecodeAll(out _);

    int FrameLengthChecked()
    {
        Limits.CheckFrame(Format);
        return Format.FrameLength <= MaxDecodedLength ? (int)Format.FrameLength
            : throw new DicomCodecException($"a frame of {Format.FrameLength} bytes is too large");
    }

    void CheckIndex(int index)
    {
        if ((uint)index >= (uint)FrameCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"frame {index} is outside 0..{FrameCount - 1}");
    }
}
