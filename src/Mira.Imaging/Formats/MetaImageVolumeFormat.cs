using Mira.Imaging.MetaImage;

namespace Mira.Imaging.Formats;

/// <summary>MetaImage (ITK MetaIO, .mha/.mhd), recognised by its text header (<see cref="MetaImageHeader.Probe"/>).</summary>
public sealed class MetaImageVolumeFormat : IVolumeFormat
{
    public string Name => "MetaImage";

    public bool Probe(VolumeProbe probe) => !probe.IsGzip && MetaImageHeader.Probe(probe.Content.Span);

    public Volumes.Volume Read(string path, VolumeReadOptions options) => MetaImageFile.Read(path);
}
