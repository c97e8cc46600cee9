namespace Mira.Dicom.Codecs.JpegLs;

/// <summary>How the components of a colour image are arranged in the JPEG-LS scans (T.87 §A.8, ILV).</summary>
public enum JpegLsInterleaveMode
{
    /// <summary>ILV 0: one scan per component.</summary>
    None = 0,
    /// <summary>ILV 1: one scan, line by line for each component.</summary>
    Line = 1,
    /// <summary>ILV 2: one scan, pixel by pixel.</summary>
    Sample = 2,
}

/// <summary>Preset coding parameters written in an LSE marker segment (T.87 §C.2.4.1.1); 0 means the default.</summary>
public sealed record JpegLsPresetParameters(int MaxVal = 0, int T1 = 0, int T2 = 0, int T3 = 0, int Reset = 0);

/// <summary>Encoder settings for <see cref="JpegLsCodec"/>.</summary>
public sealed record JpegLsOptions
{
    public static JpegLsOptions Default { get; } = new();

    /// <summary>
    /// NEAR, the maximum absolute error of each reconstructed sample (0 = lossless). A value above 0 is only valid
    /// with the JPEG-LS Near-Lossless transfer syntax (1.2.840.10008.1.2.4.81).
    /// </summary>
    public int NearLossless { get; init; }

    /// <summary>
    /// Interleave mode for images with more than one sample per pixel. DICOM requires Planar Configuration 0 for
    /// JPEG-LS colour images whatever the interleave (PS3.5 §8.2.3, Table 8.2.3-1); sample interleaving is the default.
    /// </summary>
    public JpegLsInterleaveMode Interleave { get; init; } = JpegLsInterleaveMode.Sample;

    /// <summary>Lines per restart interval (DRI marker, T.87 §C.2.5); 0 writes no restart markers.</summary>
    public int RestartInterval { get; init; }

    /// <summary>Non-default coding parameters to use and to signal in an LSE segment; null uses the defaults.</summary>
    public JpegLsPresetParameters? Preset { get; init; }
}
