using System.Security.Cryptography;
using System.Text;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Segmentation;
using Mira.Dicom;
using Mira.Dicom.Values;
using Mira.Inference.Manifest;
using Mira.Storage.Index;

namespace Mira.Platform.Deployment;

/// <summary>
/// A model's label map as a DICOM Segmentation (IHE AI Results: SEG), on the source series' grid and referencing its
/// images (Source Image per frame, Referenced Series Sequence), marked as made by the model: Segment Algorithm Type
/// AUTOMATIC with the model's name, the Segmentation Algorithm Identification Sequence (family (123110, DCM, "Artificial
/// Intelligence"), name, version, the package's SHA-256 as parameters), Content Label AI_RESULT and a series description
/// that names the model. UIDs come from the inference's key, so the same inference again writes the same object.
/// </summary>
public static class InferenceResults
{
    public const string ContentLabel = "AI_RESULT";

    /// <summary>(91723000, SCT, "Anatomical structure"): the category of a label whose model's protocol does not define it.</summary>
    static readonly CodedConcept AnatomicalStructure = new("SCT", "91723000", "Anatomical structure", "model default");

    static readonly string[] Palette = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6"];

    /// <summary>
    /// The key of one inference: a hash of the rule, the model package and the sorted SOP Instance UIDs of the input (the
    /// same inference again has the same key; another instance of the series makes another).
    /// </summary>
    public static string Key(string deployment, string modelSha256, IEnumerable<StoredInstance> inputs)
    {
        var text = new StringBuilder().Append("mira-deployment\n").Append(deployment).Append('\n').Append(modelSha256).Append('\n');
        foreach (var sop in inputs.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal)) text.Append(sop).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>A UID derived from the inference key (PS3.5 §B.2, 2.25 form).</summary>
    public static string Uid(string key, string what) => DicomUid.FromHash(SHA256.HashData(Encoding.UTF8.GetBytes($"{key}\n{what}")));

    /// <summary>
    /// The labels a model writes, as a protocol: a built-in protocol's label of the same name and value where the model
    /// names that protocol (its codes and colour), else the manifest's code as the segment type in category
    /// "Anatomical structure".
    /// </summary>
    public static Protocol ProtocolOf(ModelManifest m)
    {
        var known = BuiltInProtocols.Find(m.Protocol);
        var labels = m.Output.Labels.Select((l, i) =>
            known?.LabelByName(l.Name) is { } pl && pl.Value == l.Value
                ? pl
                : new ProtocolLabel(l.Name, l.Code.Meaning, l.Value, Palette[i % Palette.Length], [ProtocolGeometry.Mask3d], AnatomicalStructure,
                    new CodedConcept(l.Code.Scheme, l.Code.Code, l.Code.Meaning, "model manifest"), null, $"{m.Name} label {l.Name}",
                    new Dictionary<string, int>())).ToList();
        return new Protocol(m.Protocol, $"{m.Name} {m.Version}", "model", "active", [m.Input.Modality], [], [ProtocolGeometry.Mask3d], "labelmap",
            labels, [], [], [], ProtocolWorkflow.DefaultFor([ProtocolGeometry.Mask3d], labels, [], []), "{}");
    }

    /// <summary>The worker's label map (NIfTI on the series grid, the model's label values), read once for the SEG and the SR.</summary>
    public static LabelMasks ReadLabelMap(string labelMapPath, ImageGrid grid, ModelManifest manifest) => LabelMapNifti.Read(labelMapPath, grid, ProtocolOf(manifest));

    /// <summary>
    /// The measurement report of a result (IHE AIR: Comprehensive 3D SR, TID 1500): the volume of every label the model
    /// found, each referencing its segment of the Segmentation, with the model as the observer (TID 1004 device: UID from
    /// the package hash, name and version) and the source images in the image library.
    /// </summary>
    public static (byte[] Part10, string SeriesUid, string SopUid) MeasurementReport(string key, ModelManifest manifest, string modelSha256,
        IReadOnlyList<DicomDataset> sourceHeaders, ImageGrid grid, LabelMasks masks, string segSeriesUid, string segSopUid)
    {
        var protocol = ProtocolOf(manifest);
        var voxel = grid.ColumnSpacing * grid.RowSpacing * (grid.SliceSpacing > 0 ? grid.SliceSpacing : 1);
        var seriesUid = Uid(key, "sr-series");
        var sopUid = Uid(key, "sr");
        var bytes = Mira.Annotations.Reports.MeasurementReportWriter.WriteBytes(new Mira.Annotations.Reports.MeasurementReportRequest
        {
            Protocol = protocol, Author = manifest.Name, SeriesInstanceUid = seriesUid, SopInstanceUid = sopUid, SeriesNumber = 901,
            SeriesDescription = $"AI {manifest.Name} {manifest.Version} measurements", ContentDateTime = DateTimeOffset.UtcNow,
            ReferencedInstances = sourceHeaders, Polygons = [],
            Device = new Mira.Annotations.Reports.DeviceObserver(DicomUid.FromHash(Convert.FromHexString(modelSha256)), manifest.Name, "Mira model registry",
                $"{manifest.Name} {manifest.Version}"),
            Volumes = new Mira.Annotations.Reports.RegionVolumes(masks, voxel) { SegmentationSopInstanceUid = segSopUid, SegmentationSeriesInstanceUid = segSeriesUid },
        });
        return (bytes, seriesUid, sopUid);
    }

    /// <summary>
    /// The Segmentation of a predicted label map (<paramref name="labelMapPath"/>, the worker's NIfTI on the series grid);
    /// null when the model found no voxel of any label (there is no segment to write: PS3.3 §C.8.20.2 needs one).
    /// </summary>
    public static (byte[] Part10, string SeriesUid, string SopUid)? Segmentation(string key, ModelManifest manifest, string modelSha256,
        ImageGrid grid, LabelMasks masks, bool outsideValidatedRange = false)
    {
        var protocol = ProtocolOf(manifest);
        if (masks.Labels.All(l => !masks[l].Contains(true))) return null;
        var seriesUid = Uid(key, "seg-series");
        var sopUid = Uid(key, "seg");
        var description = $"AI {manifest.Name} {manifest.Version}";
        var seg = SegmentationWriter.Write(new SegmentationRequest
        {
            Grid = grid, Protocol = protocol, Masks = masks, Type = SegmentationType.Binary, SeriesInstanceUid = seriesUid, SopInstanceUid = sopUid,
            SeriesNumber = 900, ContentLabel = ContentLabel, AlgorithmType = "AUTOMATIC", AlgorithmName = manifest.Name,
            Algorithm = new AlgorithmIdentification(AlgorithmIdentification.ArtificialIntelligence, manifest.Name, manifest.Version,
                $"package sha256={modelSha256}", "Mira model registry"),
            // Content Description is a LO (64 characters): the flag first, so it is never cut off.
            ContentDescription = (outsideValidatedRange ? "OUTSIDE VALIDATED RANGE; " : "") + $"AI-generated by {manifest.Name} {manifest.Version} (not reviewed)",
            SeriesDescription = description,
        });
        return (SegmentationWriter.ToPart10(seg), seriesUid, sopUid);
    }
}
