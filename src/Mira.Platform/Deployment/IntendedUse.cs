using Mira.Dicom;
using Mira.Inference.Manifest;

namespace Mira.Platform.Deployment;

/// <summary>
/// The intended-use check before a deployed model runs (a CT model never runs on MR): the series' modality must be the
/// one the manifest's input names, and a volume model (layout NCDHW) needs a series of images with pixel data.
/// </summary>
public static class IntendedUse
{
    /// <summary>Null when the model may run on the series, else why not (logged and recorded with the result).</summary>
    public static string? Refusal(ModelManifest m, DicomDataset first, int instances)
    {
        var modality = first.GetString(DicomTags.Modality);
        if (!string.Equals(modality, m.Input.Modality, StringComparison.OrdinalIgnoreCase))
            return $"{m.Name} {m.Version} is intended for modality {m.Input.Modality}; the series is {modality ?? "of no modality"}";
        if (!first.Contains(DicomTags.Rows) || !first.Contains(DicomTags.Columns))
            return $"{m.Name} {m.Version} reads images; the series' objects have no pixel data (SOP class {first.GetString(DicomTags.SOPClassUID)})";
        if (m.Input.Layout == "NCDHW" && instances < 2 && !first.Contains(DicomTags.NumberOfFrames))
            return $"{m.Name} {m.Version} reads volumes; the series has a single image";
        return null;
    }
}
