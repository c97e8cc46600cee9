namespace Mira.Dicom.IO;

/// <summary>Choices for writing. Writing is strict: invalid values are refused unless <see cref="KeepInvalidValues"/>.</summary>
public sealed record DicomWriteOptions
{
    /// <summary>Write values that break their VR's rules as they are instead of refusing them.</summary>
    public bool KeepInvalidValues { get; init; }

    /// <summary>Write sequences and items with explicit lengths instead of undefined length and delimiters (PS3.5 §7.5).</summary>
    public bool DefinedLengthSequences { get; init; }

    /// <summary>Recompute and keep group length elements (gggg,0000) that the data set carries; otherwise drop them (retired, PS3.5 §7.2).</summary>
    public bool KeepGroupLengths { get; init; } = true;

    public static DicomWriteOptions Default { get; } = new();
}
