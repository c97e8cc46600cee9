namespace Mira.Conversion;

/// <summary>What the person importing says about a file: who and what it is, and the choices a format leaves open.</summary>
public sealed record ConversionRequest
{
    /// <summary>Patient, study and specimen attributes (sidecar or placeholders).</summary>
    public required ConversionSubject Subject { get; init; }

    /// <summary>NIfTI: "MR" or "CT" (--modality); null lets the converter choose (MR, the usual research case).</summary>
    public string? Modality { get; init; }

    /// <summary>Photographs: the SOP class they become (Ophthalmic Photography, the default, or VL Photographic).</summary>
    public PhotoKind PhotoKind { get; init; } = PhotoKind.Ophthalmic;

    /// <summary>
    /// Photographs: the physical distance between pixel centres in mm (row spacing, column spacing), when the sidecar
    /// says it (PixelSpacing); null leaves Pixel Spacing out, as for an uncalibrated image.
    /// </summary>
    public (double Row, double Column)? PixelSpacingMm { get; init; }

    /// <summary>
    /// Photographs: whether the pixels may hold burned-in text (Burned In Annotation, PS3.3 §C.7.6.1). True unless the
    /// person importing says otherwise: cameras stamp names and dates, and YES sends the image to de-identification's review.
    /// </summary>
    public bool BurnedInAnnotation { get; init; } = true;

    public ConversionLimits Limits { get; init; } = ConversionLimits.Default;

    /// <summary>
    /// The request for files of <paramref name="subject"/>: photographs are Ophthalmic Photography when the subject
    /// says which eye and when (<see cref="ConversionSubject.DescribesAnEye"/>), else VL Photographic; the sidecar's
    /// Pixel Spacing is carried.
    /// </summary>
    public static ConversionRequest For(ConversionSubject subject, string? modality) => new()
    {
        Subject = subject,
        Modality = modality,
        PhotoKind = subject.DescribesAnEye ? PhotoKind.Ophthalmic : PhotoKind.VisibleLight,
        PixelSpacingMm = subject.PixelSpacingMm,
    };
}

/// <summary>What a photograph is stored as.</summary>
public enum PhotoKind
{
    /// <summary>Ophthalmic Photography 8 Bit (16 Bit for 16-bit sources) Image Storage: a fundus or anterior-segment photograph (PS3.3 §A.39, §A.40).</summary>
    Ophthalmic,

    /// <summary>VL Photographic Image Storage: any other visible-light photograph (PS3.3 §A.32.4).</summary>
    VisibleLight,
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
