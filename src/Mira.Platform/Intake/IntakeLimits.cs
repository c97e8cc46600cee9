using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Platform.Intake;

/// <summary>
/// What an object may cost once it is decoded, checked when it arrives, from its header alone, before any pixel is
/// decoded or anything is stored: the decoded size of one frame and of all frames (Rows × Columns × Samples per Pixel
/// × Bits Allocated, times Number of Frames: PS3.3 §C.7.6.3, PS3.5 §8.1.1), and how far a Deflated Explicit VR Little
/// Endian data set (PS3.5 §A.5) may inflate. An object over them is refused as Out of Resources (A700, PS3.4 Annex B
/// Table B.2-1; PS3.18 Table 10.5.3-1 for STOW-RS) and nothing of it is kept.
/// </summary>
/// <remarks>
/// Whole-slide images (PS3.3 §A.32.8) have huge total pixel counts but small tiled frames, so the per-frame limit is the
/// tight one and the total is generous; every decoder Mira runs decodes one frame at a time.
/// </remarks>
public sealed record IntakeLimits
{
    /// <summary>Largest decoded frame (bytes): 128 MiB holds an 8000 × 5500 RGB photograph (44 megapixels) or an 8192² 16-bit image.</summary>
    public long MaxDecodedFrameBytes { get; init; } = 128L << 20;

    /// <summary>Largest decoded size of all frames together (bytes): 16 GiB, a whole-slide level of a 1 GiB JPEG part.</summary>
    public long MaxDecodedBytes { get; init; } = 16L << 30;

    /// <summary>Largest size a deflated data set may inflate to, whatever its compressed size (bytes).</summary>
    public long MaxInflatedBytes { get; init; } = 1L << 30;

    /// <summary>Inflated bytes allowed per deflated byte, above <see cref="InflationAllowance"/>.</summary>
    public int MaxInflationRatio { get; init; } = 100;

    /// <summary>Inflated bytes every deflated data set may reach whatever its ratio (runs of zeros deflate about 1000:1).</summary>
    public long InflationAllowance { get; init; } = 64L << 20;

    public static IntakeLimits Default { get; } = new();

    /// <summary>The reading options for untrusted parts, with these inflation limits.</summary>
    public DicomReadOptions ReadOptions => DicomReadOptions.Untrusted with
    {
        MaxInflatedSize = MaxInflatedBytes, MaxInflationRatio = MaxInflationRatio, InflationAllowance = InflationAllowance,
    };

    /// <summary>
    /// Why the pixel data that <paramref name="dataset"/>'s header describes is over these limits, or null when it is
    /// within them (or there is no pixel data). Reads only the Image Pixel module; decodes nothing.
    /// </summary>
    public string? DecodedSizeProblem(DicomDataset dataset)
    {
        var isFloat = !dataset.Contains(DicomTags.PixelData);
        if (isFloat && !dataset.Contains(DicomTags.FloatPixelData) && !dataset.Contains(DicomTags.DoubleFloatPixelData)) return null;
        long Us(DicomTag tag, long fallback) => dataset.GetValues<ushort>(tag) is { Length: > 0 } v ? v[0] : fallback;
        var bits = isFloat ? (dataset.Contains(DicomTags.FloatPixelData) ? 32 : 64) : Us(DicomTags.BitsAllocated, 0);
        var (rows, columns, samples) = (Us(DicomTags.Rows, 0), Us(DicomTags.Columns, 0), Us(DicomTags.SamplesPerPixel, 1));
        var frames = dataset.GetString(DicomTags.NumberOfFrames) is { } nf && long.TryParse(nf.Trim(), out var n) && n > 0 ? n : 1;
        var frameBytes = (rows * columns * samples * bits + 7) / 8; // at most 65535² x 65535 x 64 bits: no overflow
        if (frameBytes > MaxDecodedFrameBytes)
            return $"one decoded frame of {rows} rows x {columns} columns x {samples} sample(s) x {bits} bits would take {frameBytes} bytes, "
                   + $"over the limit of {MaxDecodedFrameBytes} bytes per frame";
        var total = frameBytes > 0 && frames > long.MaxValue / frameBytes ? long.MaxValue : frameBytes * frames;
        if (total > MaxDecodedBytes)
            return $"{frames} decoded frames of {frameBytes} bytes would take {total} bytes, over the limit of {MaxDecodedBytes} bytes per object";
        return null;
    }
}
