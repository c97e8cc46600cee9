namespace Mira.Dicom.IO;

/// <summary>
/// Limits and choices for reading. Untrusted input (network, uploads) should use <see cref="Untrusted"/>:
/// caps on nesting depth, element length and total size keep a hostile object from exhausting memory.
/// </summary>
public sealed record DicomReadOptions
{
    /// <summary>Maximum nesting of sequences.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Largest value length accepted for one element (bytes).</summary>
    public long MaxElementLength { get; init; } = 0xFFFFFFFE;

    /// <summary>Largest number of bytes the reader will consume (for streams of unknown length).</summary>
    public long MaxTotalSize { get; init; } = long.MaxValue;

    /// <summary>Values longer than this stay in a seekable source and load on demand.</summary>
    public int LazyThreshold { get; init; } = 256 * 1024;

    /// <summary>Stop at Pixel Data (7FE0,0010), Float or Double Float Pixel Data in the top-level data set.</summary>
    public bool StopBeforePixelData { get; init; }

    /// <summary>
    /// Keep what a truncated input holds (values, items and sequences cut short at its end), with warnings and
    /// <see cref="DicomFile.IsTruncated"/> set; when false, truncation is a <see cref="DicomFormatException"/>.
    /// </summary>
    public bool AllowTruncated { get; init; } = true;

    /// <summary>
    /// Largest size a Deflated Explicit VR Little Endian data set (PS3.5 §A.5) may inflate to, whatever its compressed
    /// size; reading stops with <see cref="DicomReadProblemCode.InflationLimit"/> as soon as it would pass it.
    /// </summary>
    public long MaxInflatedSize { get; init; } = long.MaxValue;

    /// <summary>
    /// Inflated bytes allowed per compressed byte of a deflated data set (0: no ratio limit). Deflate reaches about
    /// 1000:1 on runs of zeros, so honest blank images get <see cref="InflationAllowance"/> whatever their ratio.
    /// </summary>
    public int MaxInflationRatio { get; init; }

    /// <summary>Inflated bytes every deflated data set may reach whatever its ratio (still at most <see cref="MaxInflatedSize"/>).</summary>
    public long InflationAllowance { get; init; } = 64L << 20;

    /// <summary>
    /// The inflated size a deflated data set of <paramref name="compressedLength"/> bytes (null: unknown) may reach:
    /// the larger of <see cref="InflationAllowance"/> and <see cref="MaxInflationRatio"/> times the compressed size,
    /// capped at <see cref="MaxInflatedSize"/>.
    /// </summary>
    public long InflatedLimit(long? compressedLength)
    {
        if (MaxInflationRatio <= 0 || compressedLength is not { } compressed) return MaxInflatedSize;
        var byRatio = compressed > long.MaxValue / MaxInflationRatio ? long.MaxValue : compressed * MaxInflationRatio;
        return Math.Min(MaxInflatedSize, Math.Max(InflationAllowance, byRatio));
    }

    public static DicomReadOptions Default { get; } = new();

    public static DicomReadOptions Untrusted { get; } = new()
    {
        MaxDepth = 32,
        MaxElementLength = 1L << 30,
        MaxTotalSize = 4L << 30,
        MaxInflatedSize = 1L << 30,
        MaxInflationRatio = 100,
        AllowTruncated = false,
    };
}

/// <summary>
/// A problem met while reading leniently: what kind (<see cref="Code"/>, for code to decide by), where, and what was done
/// about it (<see cref="Message"/>, for people).
/// </summary>
public sealed record DicomReadWarning(DicomReadProblemCode Code, DicomTag? Tag, long Offset, string Message)
{
    public override string ToString() => Tag is { } t ? $"{Message} ({t}, offset {Offset})" : $"{Message} (offset {Offset})";
}
