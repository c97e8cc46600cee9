using Mira.Imaging.Formats;

namespace Mira.Conversion.Nifti;

/// <summary>
/// NIfTI-1 and NIfTI-2 volumes (single files or .hdr/.img pairs, plain or gzip, told by content) as one DICOM series:
/// integer voxels as MR (default) or CT Image Storage, one instance per slice and time point (<see cref="ClassicSlices"/>);
/// float voxels as a Parametric Map (<see cref="ParametricMaps"/>). Geometry from the NIfTI affine (sform when its code
/// is above 0, else qform; RAS+ to LPS+), so that DICOM → volume gives back the same voxels on the same grid.
/// Refused with the file and the reason (<see cref="NiftiSource"/>): CIFTI, colour and complex datatypes, more than 4
/// dimensions, a .hdr without its .img, files over <see cref="ConversionLimits"/>.
/// </summary>
public sealed class NiftiConverter : IImageConverter
{
    static readonly NiftiVolumeFormat V1 = new(1), V2 = new(2);

    public string Name => "NIfTI";

    public bool Recognises(ReadOnlySpan<byte> head, string path)
    {
        try
        {
            var probe = VolumeProbe.FromBytes(head);
            return V1.Probe(probe) || V2.Probe(probe);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return false;
        }
    }

    public IEnumerable<ConvertedInstance> Convert(string path, ConversionRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = NiftiSource.Open(path, request.Limits);
        var modality = (request.Modality ?? "MR").Trim().ToUpperInvariant();
        if (modality is not ("MR" or "CT")) throw new ConversionException($"{source.Name}: modality '{request.Modality}' is not MR or CT");
        return Instances(source, modality, request, ct);
    }

    static IEnumerable<ConvertedInstance> Instances(NiftiSource source, string modality, ConversionRequest request, CancellationToken ct)
    {
        var uids = new ConversionUids(source.Sha256(), request.Subject);
        var series = new ConvertedSeries(source, request, uids, modality);
        var voxels = source.ReadVoxels();
        var encoding = VoxelEncoding.Choose(source.Header.DataType, voxels, source.Name);
        if (encoding.Kind != PixelKind.Integer16)
        {
            yield return ParametricMaps.Create(series, encoding, voxels);
            yield break;
        }
        foreach (var slice in ClassicSlices.Create(series, encoding, voxels, ct)) yield return slice;
    }
}
