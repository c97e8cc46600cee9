namespace Mira.Annotations.Protocols;

/// <summary>The agreement statistics Mira computes between independent reads (all from <c>Mira.Metrics</c>).</summary>
public static class AgreementStatistic
{
    /// <summary>Masks: Dice per label or derived region, the lowest of them decides.</summary>
    public const string Dice = "dice";
    /// <summary>Masks: surface Dice at a tolerance in mm (<see cref="ProtocolWorkflow.ToleranceMm"/>).</summary>
    public const string SurfaceDice = "surface-dice";
    /// <summary>Nominal fields: Cohen's kappa (two readers) or Fleiss' kappa; a case disagrees when the answers differ.</summary>
    public const string Kappa = "kappa";
    /// <summary>Ordinal fields: quadratic-weighted kappa; a case disagrees when the grades are more than the threshold steps apart.</summary>
    public const string WeightedKappa = "weighted-kappa";
    /// <summary>Measurements: ICC(2,1); a case disagrees when the relative difference exceeds the threshold.</summary>
    public const string Icc = "icc";

    public static IReadOnlyList<string> All { get; } = [Dice, SurfaceDice, Kappa, WeightedKappa, Icc];

    public static bool IsKnown(string s) => All.Contains(s, StringComparer.Ordinal);
}

/// <summary>
/// Mira's workflow part of a protocol: the statistic independent reads are compared with, what it applies to (label or
/// region names for masks, a field name for grades, a measurement name), and the case-level threshold beyond which the
/// reads disagree and the task goes to arbitration:
/// <list type="bullet">
/// <item><see cref="AgreementStatistic.Dice"/> / <see cref="AgreementStatistic.SurfaceDice"/>: disagreement when the pairwise value of any
/// target is below <see cref="Threshold"/>;</item>
/// <item><see cref="AgreementStatistic.Kappa"/>: when the answers differ (the threshold is unused);</item>
/// <item><see cref="AgreementStatistic.WeightedKappa"/>: when two grades lie more than <see cref="Threshold"/> steps apart on the field's ordinal scale;</item>
/// <item><see cref="AgreementStatistic.Icc"/>: when |a − b| / mean(a, b) exceeds <see cref="Threshold"/>.</item>
/// </list>
/// </summary>
public sealed record ProtocolWorkflow(
    string Statistic,
    IReadOnlyList<string> AppliesTo,
    double Threshold,
    int Readers = 2,
    double ToleranceMm = 1.0,
    bool AllowStaple = false)
{
    /// <summary>What a protocol's geometry and fields make the natural choice when no workflow is given.</summary>
    public static ProtocolWorkflow DefaultFor(IReadOnlyList<string> geometry, IReadOnlyList<ProtocolLabel> labels, IReadOnlyList<DerivedRegion> regions, IReadOnlyList<ProtocolField> fields)
    {
        if (geometry.Any(ProtocolGeometry.IsMask) || geometry.Contains(ProtocolGeometry.Polygon2d))
        {
            IReadOnlyList<string> targets = regions.Count > 0 ? regions.Select(r => r.Name).ToArray() : labels.Select(l => l.Name).ToArray();
            return new ProtocolWorkflow(AgreementStatistic.Dice, targets, 0.7, AllowStaple: geometry.Contains(ProtocolGeometry.Mask3d));
        }
        var graded = fields.FirstOrDefault(f => f.Required && f.Type == "enum" && !f.IsDerived && f.Values.Count > 2)
            ?? fields.FirstOrDefault(f => f.Type == "enum" && !f.IsDerived);
        return graded is null
            ? new ProtocolWorkflow(AgreementStatistic.Kappa, [], 0)
            : new ProtocolWorkflow(graded.Values.Count > 2 ? AgreementStatistic.WeightedKappa : AgreementStatistic.Kappa, [graded.Name], 0);
    }
}
