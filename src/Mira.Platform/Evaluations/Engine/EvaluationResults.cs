using Mira.Metrics;
using Mira.Metrics.Classification;
using Mira.Metrics.Statistics;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>A structure scored in segmentation: one label, or a region (union of labels).</summary>
public sealed record ScoredStructure(string Name, IReadOnlyList<int> Values, bool IsRegion);

/// <summary>Classification outcome of one case.</summary>
public sealed record ClassificationCaseResult(int ReferenceClass, int PredictedClass, IReadOnlyList<double> Scores, double PositiveScore);

/// <summary>
/// The metrics of one case. <see cref="PatientKey"/> and <see cref="Subgroups"/> serve the bootstrap and the subgroup
/// analysis; reports name the case by <see cref="CaseId"/> only.
/// </summary>
/// <param name="Structures">segmentation: one result per <see cref="EvaluationResults.Structures"/> entry, in order.</param>
/// <param name="DetectionScore">segmentation with probabilities: the largest foreground probability of the case.</param>
/// <param name="ReferencePositive">segmentation: whether the reference holds any scored label.</param>
/// <param name="RankingValue">the spec's ranking metric for this case.</param>
public sealed record CaseResult(string CaseId, string PatientKey, IReadOnlyDictionary<string, string> Subgroups,
    IReadOnlyList<SegmentationResult>? Structures, double? DetectionScore, bool? ReferencePositive,
    ClassificationCaseResult? Classification, double? InferenceSeconds, double RankingValue);

/// <summary>The mean of a per-case metric over the cases where it is defined, with its bootstrap interval by patient.</summary>
/// <param name="Undefined">cases where the metric is undefined (NaN or infinite, e.g. HD95 with one empty mask) and left out.</param>
public sealed record MetricSummary(string Metric, int Cases, int Undefined, BootstrapInterval Mean);

/// <summary>One point of a Bland–Altman plot: the mean of the two volumes and their difference (predicted − reference), in mL.</summary>
public sealed record BlandAltmanPoint(string CaseId, double Mean, double Difference);

/// <summary>
/// Bland–Altman agreement of predicted and reference volumes (Bland &amp; Altman, Lancet 1986;1:307–310): mean
/// difference (bias) and 95% limits of agreement bias ± 1.96·SD (SD with n − 1).
/// </summary>
public sealed record BlandAltmanResult(int Cases, double MeanDifference, double StandardDeviation, double LowerLimit, double UpperLimit,
    IReadOnlyList<BlandAltmanPoint> Points);

public sealed record StructureSummary(ScoredStructure Structure, IReadOnlyList<MetricSummary> Metrics, BlandAltmanResult Volumes);

/// <summary>Calibration of probabilities against binary outcomes (<see cref="Calibration"/>).</summary>
/// <param name="Sampling">how the samples were drawn, in words (written to the report).</param>
public sealed record CalibrationSummary(int Samples, string Sampling, double Brier, double ExpectedCalibrationError, int Bins,
    IReadOnlyList<ReliabilityBin> Reliability);

/// <summary>One point of an empirical ROC curve: "score ≥ threshold" is positive.</summary>
public sealed record RocPoint(double Threshold, double FalsePositiveRate, double TruePositiveRate);

/// <summary>A binary score's discrimination: AUC with its bootstrap interval by patient, the ROC curve and operating points.</summary>
public sealed record BinaryScoreSummary(string Score, string Truth, int Positives, int Negatives, BootstrapInterval Auc, IReadOnlyList<RocPoint> Curve,
    IReadOnlyList<OperatingPointResult> OperatingPoints, CalibrationSummary? Calibration);

public sealed record SegmentationSummary(IReadOnlyList<StructureSummary> Structures, CalibrationSummary? VoxelCalibration, BinaryScoreSummary? Detection);

/// <summary>One-vs-rest AUC of one class.</summary>
public sealed record ClassAuc(EvaluationLabel Class, BootstrapInterval Auc);

public sealed record ClassificationSummary(IReadOnlyList<EvaluationLabel> Classes, int PositiveClass, ConfusionMatrix Confusion,
    BootstrapInterval Accuracy, BootstrapInterval Kappa, BootstrapInterval QuadraticKappa, IReadOnlyList<ClassAuc> OneVsRest, BinaryScoreSummary Positive);

/// <summary>A metric per value of one subgroup field, with gaps to the overall figure (<see cref="Subgroups"/>).</summary>
/// <param name="Resampling">"patients" (cluster bootstrap) or "cases" when a patient's cases fall in several groups of this field.</param>
public sealed record SubgroupSummary(string Field, string Metric, string Resampling, IReadOnlyList<SubgroupResult> Rows);

/// <summary>Inference time per case in seconds.</summary>
public sealed record SpeedSummary(int Cases, double Mean, double Median, double P95, double Max, double Total);

/// <summary>A worst case by the ranking metric, named by its pseudonymous case id only.</summary>
public sealed record FailureCase(string CaseId, double Value);

/// <summary>Everything <see cref="EvaluationEngine.Evaluate"/> computes; cases in ordinal order of their ids.</summary>
public sealed record EvaluationResults(EvaluationSpec Spec, int Cases, int Patients, IReadOnlyList<ScoredStructure> Structures,
    IReadOnlyList<CaseResult> PerCase, SegmentationSummary? Segmentation, ClassificationSummary? Classification,
    IReadOnlyList<SubgroupSummary> Subgroups, SpeedSummary? Speed, bool HigherIsBetter, IReadOnlyList<FailureCase> FailureCases);
