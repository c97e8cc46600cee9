using Mira.Dicom;

namespace Mira.Dicom.Codecs;

/// <summary>
/// The Image Pixel module attributes a codec needs to decode or encode one frame (PS3.3 §C.7.6.3).
/// </summary>
public sealed record PixelFormat(
    int Rows,
    int Columns,
    int SamplesPerPixel,
    int BitsAllocated,
    int BitsStored,
    int HighBit,
    int PixelRepresentation,
    int PlanarConfiguration,
    string PhotometricInterpretation,
    int NumberOfFrames)
{
    public bool IsSigned => PixelRepresentation == 1;

    /// <summary>
    /// True for Float Pixel Data (7FE0,0008) and Double Float Pixel Data (7FE0,0009): IEEE 754 samples of
    /// 32 or 64 bits (PS3.3 §C.7.6.24); <see cref="PixelRepresentation"/> does not apply.
    /// </summary>
    public bool IsFloat { get; init; }

    /// <summary>Bytes of one sample in the decoded layout (1 for BitsAllocated 1 and 8, 2 for 16, 4 for 32, 8 for 64).</summary>
    public int BytesPerSample => BitsAllocated <= 8 ? 1 : BitsAllocated / 8;

    /// <summary>
    /// Bytes of one decoded frame in native little-endian layout. BitsAllocated 1 frames are bit-packed
    /// (PS3.5 §8.1.1): ceil(Rows × Columns × Samples / 8).
    /// </summary>
    public long FrameLength => BitsAllocated == 1
        ? ((long)Rows * Columns * SamplesPerPixel + 7) / 8
        : (long)Rows * Columns * SamplesPerPixel * BytesPerSample;

    public static PixelFormat From(DicomDataset ds)
    {
        int Us(DicomTag tag, int fallback) => ds.GetValues<ushort>(tag) is { Length: > 0 } v ? v[0] : fallback;
        // Float and Double Float Pixel Data have an implied Bits Allocated of 32 and 64 (PS3.3 §C.7.6.24).
        var isFloat = !ds.Contains(DicomTags.PixelData) && (ds.Contains(DicomTags.FloatPixelData) || ds.Contains(DicomTags.DoubleFloatPixelData));
        var bitsAllocated = Us(DicomTags.BitsAllocated, isFloat ? (ds.Contains(DicomTags.FloatPixelData) ? 32 : 64) : 0);
        var bitsStored = Us(DicomTags.BitsStored, bitsAllocated);
        var frames = ds.GetString(DicomTags.NumberOfFrames) is { } nf && int.TryParse(nf.Trim(), out var n) && n > 0 ? n : 1;
        return new PixelFormat(
            Us(DicomTags.Rows, 0),
            Us(DicomTags.Columns, 0),
            Us(DicomTags.SamplesPerPixel, 1),
            bitsAllocated,
            bitsStored,
            Us(DicomTags.HighBit, bitsStored - 1),
            Us(DicomTags.PixelRepresentation, 0),
            Us(DicomTags.PlanarConfiguration, 0),
            (ds.GetString(DicomTags.PhotometricInterpretation) ?? "MONOCHROME2").Trim(),
            frames) { IsFloat = isFloat };
    }
}
