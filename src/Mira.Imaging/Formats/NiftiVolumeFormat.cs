using System.Buffers.Binary;
using Mira.Imaging.Nifti;

namespace Mira.Imaging.Formats;

/// <summary>
/// NIfTI-1 or NIfTI-2 (single file or the .hdr of a pair, either gzip'd), recognised by sizeof_hdr (348 or 540, in
/// either byte order) and the magic string ("n+1"/"ni1" at byte 344, "n+2"/"ni2" at byte 4), as nifti1.h and nifti2.h
/// define them; an ANALYZE 7.5 header (sizeof_hdr 348 without the magic) is not NIfTI.
/// </summary>
public sealed class NiftiVolumeFormat : IVolumeFormat
{
    public NiftiVolumeFormat(int version)
    {
        if (version is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(version), version, "NIfTI is version 1 or 2");
        Version = version;
    }

    public int Version { get; }

    public string Name => Version == 1 ? "NIfTI-1" : "NIfTI-2";

    public bool Probe(VolumeProbe probe)
    {
        var b = probe.Content.Span;
        var size = Version == 1 ? 348 : 540;
        if (b.Length < size) return false;
        if (BinaryPrimitives.ReadInt32LittleEndian(b) != size && BinaryPrimitives.ReadInt32BigEndian(b) != size) return false;
        var magic = Version == 1 ? b.Slice(344, 4) : b.Slice(4, 4);
        var digit = (byte)('0' + Version);
        return magic[0] == 'n' && (magic[1] == '+' || magic[1] == 'i') && magic[2] == digit && magic[3] == 0;
    }

    public Volumes.Volume Read(string path, VolumeReadOptions options) => NiftiVolumes.ReadVolume(path, options.ApplyScaling);
}
