using Mira.Imaging.Volumes;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>
/// One test case to score: a pseudonymous case id (the only name a report shows), the patient it belongs to (the unit
/// the bootstrap resamples; never written to a report), subgroup fields, and the reference and prediction.
/// </summary>
/// <remarks>
/// Segmentation: a reference label map (<see cref="Reference"/> or <see cref="ReferencePath"/>), a predicted label map
/// in the same grid (<see cref="Prediction"/> or <see cref="PredictionPath"/>) and optionally a foreground probability
/// map in that grid (<see cref="Probability"/> or <see cref="ProbabilityPath"/>). Classification:
/// <see cref="ReferenceClass"/> and <see cref="ClassScores"/> (one probability per class of the spec's labels, in
/// their order), optionally <see cref="PredictedClass"/> (else the class of the highest score). Paths are read when
/// the case is scored and let go after, so a large test set is never held in memory at once.
/// </remarks>
public sealed record EvaluationCase(string CaseId, string PatientKey)
{
    /// <summary>Subgroup fields (site, device, age_band, sex, grade…): field name → value.</summary>
    public IReadOnlyDictionary<string, string> Subgroups { get; init; } = new Dictionary<string, string>();

    public Volume? Reference { get; init; }
    public string? ReferencePath { get; init; }
    public Volume? Prediction { get; init; }
    public string? PredictionPath { get; init; }
    public Volume? Probability { get; init; }
    public string? ProbabilityPath { get; init; }

    public int? ReferenceClass { get; init; }
    public int? PredictedClass { get; init; }
    public IReadOnlyList<double>? ClassScores { get; init; }

    /// <summary>Wall-clock inference time of this case in seconds, when measured.</summary>
    public double? InferenceSeconds { get; init; }
}

public enum EvaluationTask
{
    Segmentation,
    Classification,
}

/// <summary>A label value of the model's output (segmentation) or a class (classification), with its name.</summary>
public sealed record EvaluationLabel(int Value, string Name);

/// <summary>A scored region made of several label values (BraTS whole tumour = 1 ∪ 2 ∪ 3).</summary>
public sealed record EvaluationRegion(string Name, IReadOnlyList<int> Values);

/// <summary>What to compute and how.</summary>
/// <param name="Task">segmentation or classification.</param>
/// <param name="Labels">the labels (segmentation: each scored on its own) or classes (classification), from the model's manifest or the protocol.</param>
public sealed record EvaluationSpec(EvaluationTask Task, IReadOnlyList<EvaluationLabel> Labels)
{
    /// <summary>Regions scored besides the labels (segmentation).</summary>
    public IReadOnlyList<EvaluationRegion> Regions { get; init; } = [];

    /// <summary>
    /// The per-case metric that ranks cases (failure cases) and that subgroups compare. Segmentation: dice, hd95_mm,
    /// surface_dice, hausdorff_mm, averaged over the scored structures of the case (default dice). Classification:
    /// reference_class_score (the probability given to the true class; the default and only choice).
    /// </summary>
    public string? RankingMetric { get; init; }

    /// <summary><see cref="RankingMetric"/>, or the task's default: dice, or reference_class_score.</summary>
    public string Ranking => RankingMetric ?? (Task == EvaluationTask.Segmentation ? "dice" : "reference_class_score");

    public int BootstrapReplicates { get; init; } = 2000;
    public ulong BootstrapSeed { get; init; } = 20260101;
    public double Confidence { get; init; } = 0.95;

    /// <summary>Operating-point thresholds on the case-level score (detection score or positive-class probability).</summary>
    public IReadOnlyList<double> Thresholds { get; init; } = [0.5];

    /// <summary>Classification: the positive class of the binary views (ROC, operating points, calibration); default the second label.</summary>
    public int? PositiveClass { get; init; }

    /// <summary>Normalised surface distance tolerance in mm.</summary>
    public double SurfaceToleranceMm { get; init; } = 1.0;

    /// <summary>Empty-mask conventions: "default" (one empty: distances undefined) or "brats" (HD95 373.13 mm).</summary>
    public string EmptyMasks { get; init; } = "default";

    public int CalibrationBins { get; init; } = 10;

    /// <summary>Voxel calibration: margin in voxels around the box of reference ∪ prediction.</summary>
    public int CalibrationMarginVoxels { get; init; } = 8;

    /// <summary>Voxel calibration: at most this many voxels per case (an even stride through the box).</summary>
    public int CalibrationVoxelsPerCase { get; init; } = 50_000;

    /// <summary>How many worst cases the report names.</summary>
    public int FailureCases { get; init; } = 5;

    /// <summary>Cases scored at once (each holds its volumes in memory).</summary>
    public int MaxParallelCases { get; init; } = 2;
}
