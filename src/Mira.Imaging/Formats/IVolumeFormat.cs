namespace Mira.Imaging.Formats;

/// <summary>
/// A volume file format, recognised by its content and read into a <see cref="Volumes.Volume"/>. A new format is one
/// class implementing this, and one line in <see cref="VolumeFormats.CreateBuiltIn"/> (or a
/// <see cref="VolumeFormats.Register"/> call by the module that brings it).
/// </summary>
public interface IVolumeFormat
{
    /// <summary>The format's name in messages, e.g. "NIfTI-1", "MetaImage", "DICOM".</summary>
    string Name { get; }

    /// <summary>True when <paramref name="probe"/> (the start of a file, or a folder) is in this format. Must not throw.</summary>
    bool Probe(VolumeProbe probe);

    /// <summary>Reads the file (or folder) as one volume; throws <see cref="ImagingException"/> naming <paramref name="path"/>.</summary>
    Volumes.Volume Read(string path, VolumeReadOptions options);
}

/// <summary>How <see cref="IVolumeFormat.Read"/> reads.</summary>
public sealed record VolumeReadOptions
{
    /// <summary>
    /// Apply the file's stored-value scaling (NIfTI scl_slope/scl_inter); false keeps the stored values, e.g. for
    /// label masks.
    /// </summary>
    public bool ApplyScaling { get; init; } = true;

    public static VolumeReadOptions Default { get; } = new();
}
