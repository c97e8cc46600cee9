using System.Buffers.Binary;
using Mira.Dicom;
using Mira.Imaging.Volumes;

namespace Mira.Imaging.Formats;

/// <summary>
/// DICOM: a Part 10 file (128-byte preamble then "DICM", PS3.10 §7.1; also "DICM" without the preamble), a raw data set
/// whose first element is a File Meta or Identifying element in explicit VR little endian (PS3.5 §7.1.2), or a folder
/// holding such files. Read by <see cref="DicomVolumeBuilder"/>, which must find exactly one volume.
/// </summary>
public sealed class DicomVolumeFormat : IVolumeFormat
{
    /// <summary>How many files of a folder are looked at before deciding it holds no DICOM.</summary>
    const int FolderSample = 64;

    public string Name => "DICOM";

    public bool Probe(VolumeProbe probe)
    {
        if (!probe.IsDirectory) return !probe.IsGzip && LooksLikeDicom(probe.Head.Span);
        if (probe.Path is not { } folder) return false;
        try
        {
            foreach (var f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Take(FolderSample))
                if (LooksLikeDicom(VolumeProbe.FromPath(f).Head.Span)) return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable folder or file: not recognised.
        }
        return false;
    }

    /// <summary>"DICM" at byte 128 or 0, or a first element of group 0002 or 0008 with an explicit VR.</summary>
    public static bool LooksLikeDicom(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 132 && b.Slice(128, 4).SequenceEqual("DICM"u8)) return true;
        if (b.Length >= 4 && b[..4].SequenceEqual("DICM"u8)) return true;
        if (b.Length < 8) return false;
        var group = BinaryPrimitives.ReadUInt16LittleEndian(b);
        return group is 0x0002 or 0x0008 && DicomVRInfo.TryParse(b[4], b[5], out _);
    }

    public Volume Read(string path, VolumeReadOptions options)
    {
        var volumes = DicomVolumeBuilder.FromPath(path);
        if (volumes.Count != 1)
            throw new ImagingException($"{path}: holds {volumes.Count} volumes (series {string.Join(", ", volumes.Select(v => v.SeriesNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? v.SeriesInstanceUid).Distinct().Take(5))}); one is needed here (mira convert writes each)");
        return volumes[0].Volume;
    }
}
