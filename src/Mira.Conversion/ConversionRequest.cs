namespace Mira.Conversion;

/// <summary>What the person importing says about a file: who and what it is, and the choices a format leaves open.</summary>
public sealed record ConversionRequest
{
    /// <summary>Patient, study and specimen attributes (sidecar or placeholders).</summary>
    public required ConversionSubject Subject { get; init; }

    /// <summary>NIfTI: "MR" or "CT" (--modality); null lets the converter choose (MR, the usual research case).</summary>
    public string? Modality { get; init; }

    public ConversionLimits Limits { get; init; } = ConversionLimits.Default;
}

/// <summary>Bounds on what one untrusted source may cost (checked from headers, before anything is allocated).</summary>
public sealed record ConversionLimits
{
    /// <summary>The largest decoded frame, tile or slice held in memory at once.</summary>
    public long MaxFrameBytes { get; init; } = 256L << 20;

    /// <summary>The largest NIfTI voxel array (it is read whole).</summary>
    public long MaxVolumeBytes { get; init; } = 2L << 30;

    /// <summary>The most frames (tiles, slices) one object may have.</summary>
    public int MaxFrames { get; init; } = 1_000_000;

    /// <summary>The most image directories a TIFF may have.</summary>
    public int MaxTiffDirectories { get; init; } = 1024;

    public static ConversionLimits Default { get; } = new();
}
