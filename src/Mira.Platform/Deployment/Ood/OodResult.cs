namespace Mira.Platform.Deployment.Ood;

/// <summary>How the guard scores; one per deployment (its threshold is the deployment's choice).</summary>
public sealed record OodOptions
{
    /// <summary>A study is flagged "outside validated range" when its score is above this (0 flags any deviation; 1 never flags).</summary>
    public double Threshold { get; init; } = 0.25;

    /// <summary>
    /// The smallest Jensen–Shannon distance to the training mean that is still allowed, whatever the training release's
    /// own spread (a release of a few near-identical series would otherwise allow almost nothing).
    /// </summary>
    public double HistogramDistanceLimit { get; init; } = 0.1;

    /// <summary>Where every training series held the same value, out-of-range is measured in this fraction of that value (10 %).</summary>
    public double RelativeScaleOfFixedValues { get; init; } = 0.1;

    /// <summary>Compare against the 5th–95th percentile of the training series instead of their minimum–maximum.</summary>
    public bool UsePercentileRange { get; init; }

    /// <summary>Parameters not compared (names of <see cref="OodParameters"/>), e.g. <c>extentZ</c> for a model that takes any coverage.</summary>
    public IReadOnlySet<string> Ignored { get; init; } = new HashSet<string>();

    public static OodOptions Default { get; } = new();

    public void Validate()
    {
        if (!(Threshold is >= 0 and <= 1)) throw new OodException($"threshold {Threshold} is not in [0, 1]");
        if (!(HistogramDistanceLimit is > 0 and <= 1)) throw new OodException($"histogram distance limit {HistogramDistanceLimit} is not in (0, 1]");
        if (!(RelativeScaleOfFixedValues > 0)) throw new OodException($"relative scale {RelativeScaleOfFixedValues} is not positive");
    }
}

/// <summary>
/// One compared parameter: its score in [0, 1] (0 within the training range; 1 out by a whole scale or more, or an
/// unseen value), the study's value and the training range as text, and the reason when the score is above 0.
/// </summary>
public sealed record OodComponent(string Parameter, string Kind, double Score, string Value, string TrainingRange, string? Reason);

/// <summary>
/// The guard's verdict on one series: the overall <see cref="Score"/> (the largest component score), whether it is
/// <see cref="OutsideValidatedRange"/> (score above the deployment's threshold), every component, the reasons (most
/// severe first), what could not be compared and why, and both histogram distances. Shown with the result and recorded.
/// </summary>
public sealed record OodResult(
    string SeriesInstanceUid, string Modality, string ProfileSource, double Score, double Threshold, bool OutsideValidatedRange,
    IReadOnlyList<OodComponent> Components, IReadOnlyList<string> Reasons, IReadOnlyList<string> NotCompared,
    double? HistogramJensenShannon, double? HistogramWasserstein1)
{
    /// <summary>The label shown beside a flagged result.</summary>
    public const string Flag = "outside validated range";
}
