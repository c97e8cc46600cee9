namespace Mira.Dicom.Codecs;

/// <summary>
/// How much memory decoding may take, checked against what the header (the Image Pixel module, PS3.3 §C.7.6.3)
/// says before anything is allocated: one decoded frame (every decode), and all frames held decoded at once (decoding
/// a whole object into one array, transcoding it). A codec never allocates for a frame more than the header's size,
/// and the codecs check their stream's own header against it before allocating (a JPEG, JPEG-LS or JPEG 2000 stream
/// that claims another size is refused), so these bound what a hostile object can make a decoder allocate.
/// </summary>
public sealed record DecodeLimits
{
    /// <summary>Largest decoded frame (bytes); 128 MiB by default, as the archive's intake limit.</summary>
    public long MaxFrameBytes { get; init; } = 128L << 20;

    /// <summary>Largest decoded size of all frames held at once (bytes; whole-object decoding and transcoding); 2 GiB by default.</summary>
    public long MaxTotalBytes { get; init; } = 2L << 30;

    /// <summary>The limits used when none are given.</summary>
    public static DecodeLimits Default { get; } = new();

    /// <summary>Throws <see cref="DicomCodecException"/> when one frame of <paramref name="format"/> is over <see cref="MaxFrameBytes"/>.</summary>
    public void CheckFrame(PixelFormat format)
    {
        if (format.FrameLength > MaxFrameBytes)
            throw new DicomCodecException($"a decoded frame of {format.Rows} rows x {format.Columns} columns x {format.SamplesPerPixel} sample(s) x "
                + $"{format.BitsAllocated} bits would take {format.FrameLength} bytes, over the decoding limit of {MaxFrameBytes} bytes per frame");
    }

    /// <summary>Throws <see cref="DicomCodecException"/> when all frames of <paramref name="format"/>, decoded at once, are over <see cref="MaxTotalBytes"/>.</summary>
    public void CheckAll(PixelFormat format)
    {
        CheckFrame(format);
        var total = format.FrameLength * format.NumberOfFrames;
        if (total > MaxTotalBytes)
            throw new DicomCodecException($"{format.NumberOfFrames} decoded frames of {format.FrameLength} bytes would take {total} bytes at once, "
                + $"over the decoding limit of {MaxTotalBytes} bytes; decode them one at a time");
    }
}
