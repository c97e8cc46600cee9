using Mira.Imaging.Volumes;

namespace Mira.Inference.Prediction;

/// <summary>Where the time of one prediction went.</summary>
public sealed record PredictionTimings(TimeSpan Preprocess, TimeSpan Inference, TimeSpan Postprocess)
{
    public TimeSpan Total => Preprocess + Inference + Postprocess;
}

/// <summary>The score of one class (after the manifest's activation).</summary>
public sealed record ClassScore(int Index, string Name, double Score);

/// <summary>
/// What a model said about one image, in the image's own grid and geometry.
/// </summary>
/// <param name="LabelMap">label values per voxel (UInt8, or UInt16 above 255); null for a classification</param>
/// <param name="Probability">foreground probability per voxel (Float32) when the output is probabilistic, else null</param>
/// <param name="Scores">class scores for a classification, else null</param>
public sealed record Prediction(Volume? LabelMap, Volume? Probability, IReadOnlyList<ClassScore>? Scores, PredictionTimings Timings);

/// <summary>Limits and choices of <see cref="ModelPredictor"/>.</summary>
public sealed record ModelPredictorOptions
{
    /// <summary>Largest tensor (in elements) given to or taken from the model; larger ones are refused before they are made.</summary>
    public long MaxTensorElements { get; init; } = 1L << 27;

    public static ModelPredictorOptions Default { get; } = new();
}
