using Mira.Inference.Prediction;

namespace Mira.Inference.Worker;

/// <summary>One case of a worker run: its outputs, or the error that stopped it.</summary>
/// <param name="LabelVoxels">voxel count per non-zero label value</param>
public sealed record CaseResult(string Case, string? SeriesInstanceUid, string? Error, string? LabelMapFile, string? ProbabilityFile,
    IReadOnlyDictionary<int, long>? LabelVoxels, IReadOnlyList<ClassScore>? Scores, double? SuvBwFactor, TimeSpan Load, PredictionTimings? Timings)
{
    public bool Succeeded => Error is null;
}

/// <summary>A whole worker run (what predictions.json holds).</summary>
public sealed record ModelWorkerResult(string Model, string Version, string PackageSha256, IReadOnlyList<CaseResult> Cases, TimeSpan Session, TimeSpan Wall)
{
    public int Failed => Cases.Count(c => !c.Succeeded);
}
