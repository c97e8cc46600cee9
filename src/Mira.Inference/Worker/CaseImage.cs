using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging;
using Mira.Imaging.Pet;
using Mira.Imaging.Volumes;
using Mira.Inference.Manifest;

namespace Mira.Inference.Worker;

/// <summary>One case of a worker's input: the volume of its one DICOM series, and its SUVbw factor when the model reads SUV.</summary>
internal sealed record CaseImage(Volume Volume, string SeriesInstanceUid, string? Modality, double? SuvBwFactor)
{
    /// <summary>Builds the case's one series and checks it is what the model reads (Modality (0008,0060), SUV per PetSuv).</summary>
    public static CaseImage Read(string folder, ModelManifest manifest)
    {
        List<DicomVolume> volumes;
        try { volumes = DicomVolumeBuilder.FromPath(folder); }
        catch (ImagingException e) { throw new ModelPackageException(e.Message); }
        if (volumes.Count != 1)
            throw new ModelPackageException($"the case holds {volumes.Count} series/stacks ({string.Join(", ", volumes.Select(v => v.SeriesInstanceUid).Distinct())}); a case is one DICOM series");
        var volume = volumes[0];
        if (volume.Volume.Rank != 3)
            throw new ModelPackageException($"the series is {string.Join('×', volume.Volume.Size)} ({volume.FourthDimension}): a model takes one 3D volume");
        var datasets = Datasets(folder, volume.SeriesInstanceUid);
        var modality = datasets.Select(d => d.TryGetString(DicomTags.Modality, out var m) ? m.Trim() : null).FirstOrDefault(m => m is { Length: > 0 });
        if (modality is not null && modality != manifest.Input.Modality)
            throw new ModelPackageException($"the series is Modality (0008,0060) {modality}; {manifest.Name} reads {manifest.Input.Modality}");
        double? suv = null;
        if (manifest.Input.Intensity.Source == IntensityTransform.SuvBw) suv = SuvBw(datasets);
        return new CaseImage(volume.Volume, volume.SeriesInstanceUid, modality, suv);
    }

    static List<DicomDataset> Datasets(string folder, string seriesUid)
    {
        var result = new List<DicomDataset>();
        foreach (var f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            DicomFile file;
            try { file = DicomFile.Open(f, new DicomReadOptions { StopBeforePixelData = true }); }
            catch (Exception e) when (e is MiraException or IOException or InvalidDataException) { continue; }
            if (file.Dataset.TryGetString(DicomTags.SeriesInstanceUID, out var uid) && uid.Trim() == seriesUid) result.Add(file.Dataset);
        }
        return result;
    }

    /// <summary>
    /// The series' SUVbw factor (QIBA, PS3.3 §C.8.9.1; <see cref="PetSuv"/>). Factors differ per instance only under the
    /// frame-reference-time rule; a volume is scaled by one factor, so a series whose factors differ is refused.
    /// </summary>
    static double SuvBw(List<DicomDataset> datasets)
    {
        var result = PetSuv.Compute(datasets.Select(d => PetSuvInputs.FromDataset(d)).ToArray());
        if (!result.Ok) throw new ModelPackageException($"SUVbw cannot be computed for the series: {result.Refusal}");
        var factors = result.Factors!.Select(f => f.SuvBw).ToArray();
        var first = factors[0];
        if (factors.Any(f => Math.Abs(f - first) > 1e-9 * Math.Abs(first)))
            throw new ModelPackageException($"the series' SUVbw factors differ between instances ({factors.Min():G6} to {factors.Max():G6}); one factor per volume is needed");
        return first;
    }
}
