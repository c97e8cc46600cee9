namespace Mira.Inference.Manifest;

/// <summary>The parsed <c>mira-model.json</c> of a model package (schema: <c>mira-model.schema.json</c>, docs/models.md).</summary>
/// <param name="Name">lower-case words joined by hyphens</param>
/// <param name="Version">semantic version; a (name, version) pair is immutable once registered</param>
/// <param name="Task">segmentation, classification or detection (<see cref="ModelTasks"/>)</param>
/// <param name="Protocol">the annotation protocol id the output follows (e.g. petct-tumour-metabolism)</param>
/// <param name="Json">the manifest text as read</param>
public sealed record ModelManifest(string Name, string Version, string Task, string Protocol, string? Description,
    ModelInput Input, ModelOutput Output, ModelCard Card, string Json);

public static class ModelTasks
{
    public const string Segmentation = "segmentation";
    public const string Classification = "classification";
    public const string Detection = "detection";
}

/// <summary>How an image becomes the input tensor.</summary>
/// <param name="Name">the ONNX input's name; null when the model has exactly one input</param>
/// <param name="Modality">DICOM Modality (0008,0060) of the series the model reads (PT, MR, CT…)</param>
/// <param name="Layout">NCDHW (the whole volume at once) or NCHW (slice by slice)</param>
/// <param name="Dtype">float32</param>
/// <param name="Spacing">null: the image grid as it is; else the voxel spacing (mm, along i, j, k) it is resampled to</param>
public sealed record ModelInput(string? Name, string Modality, string Layout, string Dtype, double[]? Spacing, IntensityTransform Intensity);

/// <summary>
/// Voxel value → tensor value: <c>clip(v, Clip[0], Clip[1]) × Scale + Offset</c>, where v is the modality value
/// (Rescale Slope/Intercept applied: HU for CT) or, for <c>suvbw</c>, the modality value × the series' SUVbw factor.
/// </summary>
public sealed record IntensityTransform(string Source, double[]? Clip, double Scale, double Offset)
{
    public const string Modality = "modality";
    public const string SuvBw = "suvbw";

    public float Apply(double v)
    {
        if (Clip is { } c) v = Math.Clamp(v, c[0], c[1]);
        return (float)(v * Scale + Offset);
    }
}

/// <summary>How the output tensor is read back.</summary>
/// <param name="Kind">labelmap, probabilities or scores (<see cref="OutputKinds"/>)</param>
/// <param name="Labels">the label values (labelmap, probabilities); empty for scores</param>
/// <param name="Threshold">probabilities: foreground when its probability is at least this</param>
/// <param name="Classes">scores: the class of each output index; empty otherwise</param>
/// <param name="Activation">scores: none, softmax or sigmoid applied to the raw output</param>
public sealed record ModelOutput(string? Name, string Kind, IReadOnlyList<OutputLabel> Labels, double? Threshold,
    IReadOnlyList<OutputClass> Classes, string Activation);

public static class OutputKinds
{
    public const string LabelMap = "labelmap";
    public const string Probabilities = "probabilities";
    public const string Scores = "scores";
}

public sealed record CodedValue(string Scheme, string Code, string Meaning);

public sealed record OutputLabel(int Value, string Name, CodedValue Code);

public sealed record OutputClass(int Index, string Name, CodedValue? Code);

public sealed record CardMetric(string Name, double Value, string? Dataset, double? Threshold, string? Notes);

/// <summary>The model card: what the model is for and not for, what it was trained on and how well it does.</summary>
public sealed record ModelCard(string Summary, bool Baseline, string IntendedUse, IReadOnlyList<string> IntendedUsers,
    IReadOnlyList<string> OutOfScopeUse, IReadOnlyList<string> TrainingReleases, string? TrainingData,
    IReadOnlyList<CardMetric> Metrics, string Calibration, IReadOnlyList<string> KnownFailureModes, string Licence,
    IReadOnlyList<string> Authors, string? RegulatoryClass, IReadOnlyList<string> References);
