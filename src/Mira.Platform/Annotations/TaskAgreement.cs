using System.Globalization;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Metrics;
using Mira.Metrics.Agreement;

namespace Mira.Platform.Annotations;

/// <summary>
/// The agreement of one case's independent reads under the protocol's <see cref="ProtocolWorkflow"/>:
/// <see cref="Values"/> holds, per target (a label, derived region or field named by the workflow), the pairwise value
/// that decides: the lowest Dice (or surface Dice) over reader pairs; for grades the largest distance in steps of the
/// field's ordinal scale (<see cref="AgreementStatistic.WeightedKappa"/>) or 1 / 0 for identical / different answers
/// (<see cref="AgreementStatistic.Kappa"/>); for measurements the largest relative difference |a − b| / mean(a, b)
/// (<see cref="AgreementStatistic.Icc"/>). <see cref="Disagree"/> is the case-level rule of <see cref="ProtocolWorkflow"/>.
/// </summary>
public sealed record TaskAgreement(string Statistic, string Measure, IReadOnlyDictionary<string, double> Values, bool Disagree, double Threshold)
{
    public const string DiceMeasure = "dice", SurfaceDiceMeasure = "surface-dice", StepsMeasure = "steps-apart", SameMeasure = "same-answer",
        RelativeDifferenceMeasure = "relative-difference";

    /// <summary>Computes the agreement of two or more reads.</summary>
    /// <exception cref="AnnotationRefusedException">The reads cannot be compared (different grids, a target the protocol does not define).</exception>
    public static TaskAgreement Compute(Protocol protocol, IReadOnlyList<AnnotationContent> reads)
    {
        var w = protocol.Workflow;
        if (reads.Count < 2) return new(w.Statistic, MeasureOf(w.Statistic), new Dictionary<string, double>(), false, w.Threshold);
        var values = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var target in w.AppliesTo)
            values[target] = w.Statistic switch
            {
                AgreementStatistic.Dice or AgreementStatistic.SurfaceDice => MaskAgreement(protocol, w, target, reads),
                AgreementStatistic.WeightedKappa => StepsApart(protocol, target, reads),
                AgreementStatistic.Kappa => SameAnswer(target, reads),
                AgreementStatistic.Icc => RelativeDifference(protocol, target, reads),
                _ => throw AnnotationRefusedException.Invalid($"protocol {protocol.Id}: unknown agreement statistic '{w.Statistic}'"),
            };
        var disagree = w.Statistic switch
        {
            AgreementStatistic.Dice or AgreementStatistic.SurfaceDice => values.Values.Any(v => v < w.Threshold),
            AgreementStatistic.Kappa => values.Values.Any(v => v < 1),
            _ => values.Values.Any(v => v > w.Threshold),
        };
        return new(w.Statistic, MeasureOf(w.Statistic), values, disagree, w.Threshold);
    }

    static string MeasureOf(string statistic) => statistic switch
    {
        AgreementStatistic.Dice => DiceMeasure,
        AgreementStatistic.SurfaceDice => SurfaceDiceMeasure,
        AgreementStatistic.WeightedKappa => StepsMeasure,
        AgreementStatistic.Kappa => SameMeasure,
        _ => RelativeDifferenceMeasure,
    };

    /// <summary>The label values a target names: a derived region (BraTS TC = NETC ∪ ET) or a single label.</summary>
    public static IReadOnlyList<int> LabelsOf(Protocol protocol, string target) =>
        protocol.DerivedRegions.FirstOrDefault(r => r.Name == target)?.From
        ?? (protocol.LabelByName(target) is { } l ? [l.Value] : throw AnnotationRefusedException.Invalid($"protocol {protocol.Id} has no label or region '{target}'"));

    /// <summary>A target's region in one read, as a <see cref="BinaryMask"/> with the read's spacing.</summary>
    public static BinaryMask RegionMask(Protocol protocol, string target, AnnotationContent read)
    {
        var m = read.Masks ?? throw AnnotationRefusedException.Invalid($"target '{target}' needs masks, a read holds a form");
        return new BinaryMask(m.Columns, m.Rows, m.Slices, m.Region(LabelsOf(protocol, target)), read.Spacing[0], read.Spacing[1], read.Spacing[2]);
    }

    static double MaskAgreement(Protocol protocol, ProtocolWorkflow w, string target, IReadOnlyList<AnnotationContent> reads)
    {
        var masks = reads.Select(r => RegionMask(protocol, target, r)).ToArray();
        if (masks.Any(m => m.Nx != masks[0].Nx || m.Ny != masks[0].Ny || m.Nz != masks[0].Nz))
            throw AnnotationRefusedException.Invalid($"target '{target}': the reads' masks are on different grids");
        var min = double.PositiveInfinity;
        if (w.Statistic == AgreementStatistic.Dice)
        {
            var dice = ReaderAgreement.DiceMatrix(masks);
            for (var a = 0; a < masks.Length; a++)
                for (var b = a + 1; b < masks.Length; b++) min = Math.Min(min, dice[a, b]);
            return min;
        }
        for (var a = 0; a < masks.Length; a++)
            for (var b = a + 1; b < masks.Length; b++)
            {
                // Two empty masks agree; one empty against a drawn one has no surface to compare: no agreement.
                var (ca, cb) = (masks[a].Count, masks[b].Count);
                var v = ca == 0 && cb == 0 ? 1 : ca == 0 || cb == 0 ? 0 : SegmentationMetrics.Compute(masks[a], masks[b], w.ToleranceMm).SurfaceDice;
                min = Math.Min(min, v);
            }
        return min;
    }

    static double StepsApart(Protocol protocol, string field, IReadOnlyList<AnnotationContent> reads)
    {
        var f = protocol.FieldByName(field) ?? throw AnnotationRefusedException.Invalid($"protocol {protocol.Id} has no field '{field}'");
        var positions = reads.Select(r => r.Form?[field] is { } v ? f.IndexOf(v) : -1).ToArray();
        // A read that leaves the graded field unanswered is as far from the others as the scale allows.
        if (positions.Any(p => p < 0)) return Math.Max(1, f.Values.Count - 1);
        return positions.Max() - positions.Min();
    }

    static double SameAnswer(string field, IReadOnlyList<AnnotationContent> reads)
    {
        var answers = reads.Select(r => r.Form is { } form && form.Values.TryGetValue(field, out var v) ? string.Join("\u001f", v.Order(StringComparer.Ordinal)) : null).ToArray();
        return answers.All(a => a is not null && a == answers[0]) ? 1 : 0;
    }

    /// <summary>
    /// A measurement's largest relative difference between two reads: a number field of that name in the form, or, for
    /// masks and a volume in mL, the volume (voxel count × voxel volume) of each region the measurement applies to.
    /// </summary>
    static double RelativeDifference(Protocol protocol, string measurement, IReadOnlyList<AnnotationContent> reads)
    {
        if (reads.All(r => r.Masks is not null))
        {
            var m = protocol.Measurements.FirstOrDefault(x => x.Name == measurement);
            if (m is null || m.Unit != "mL")
                throw AnnotationRefusedException.Invalid($"measurement '{measurement}' of protocol {protocol.Id} is not a volume in mL: masks cannot give it");
            var regions = m.AppliesTo.Where(t => protocol.LabelByName(t) is not null || protocol.DerivedRegions.Any(r => r.Name == t)).ToArray();
            if (regions.Length == 0) throw AnnotationRefusedException.Invalid($"measurement '{measurement}' applies to no label or region of protocol {protocol.Id}");
            return regions.Max(region => Worst([.. reads.Select(r => r.Masks!.Region(LabelsOf(protocol, region)).LongCount(v => v) * r.Spacing[0] * r.Spacing[1] * r.Spacing[2] / 1000)]));
        }
        return Worst([.. reads.Select(r => r.Form?[measurement] is { } v && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN)]);
    }

    static double Worst(double[] xs)
    {
        if (xs.Any(double.IsNaN)) return double.PositiveInfinity;
        var worst = 0.0;
        for (var a = 0; a < xs.Length; a++)
            for (var b = a + 1; b < xs.Length; b++)
            {
                var mean = (Math.Abs(xs[a]) + Math.Abs(xs[b])) / 2;
                worst = Math.Max(worst, mean == 0 ? 0 : Math.Abs(xs[a] - xs[b]) / mean);
            }
        return worst;
    }

    /// <summary>
    /// The consensus of agreeing reads: for masks, per label, STAPLE's consensus where the workflow allows it
    /// (<see cref="ProtocolWorkflow.AllowStaple"/>, three readers or more: with two, STAPLE's estimate is the readers' own
    /// disagreement and majority is as good) or else the strict majority of readers per voxel; for forms, per field, the
    /// answer most readers gave (ties: the first in the protocol's order of values, else the first reader's).
    /// </summary>
    public static (AnnotationContent Content, string Method) Consensus(Protocol protocol, IReadOnlyList<AnnotationContent> reads)
    {
        if (reads.Count == 0) throw new ArgumentException("no reads", nameof(reads));
        if (reads.All(r => r.Masks is not null))
        {
            var first = reads[0].Masks!;
            var staple = protocol.Workflow.AllowStaple && reads.Count >= 3;
            var result = new LabelMasks(first.Columns, first.Rows, first.Slices);
            foreach (var label in reads.SelectMany(r => r.Masks!.Labels).Distinct().Order())
            {
                var masks = reads.Select(r => new BinaryMask(first.Columns, first.Rows, first.Slices, r.Masks![label], r.Spacing[0], r.Spacing[1], r.Spacing[2])).ToArray();
                bool[] mask;
                if (staple) mask = Staple.Compute(masks).Consensus.Voxels;
                else
                {
                    mask = new bool[first.Length];
                    for (var i = 0; i < mask.Length; i++)
                    {
                        var votes = 0;
                        foreach (var m in masks) if (m.Voxels[i]) votes++;
                        mask[i] = 2 * votes > masks.Length;
                    }
                }
                result.Set(label, mask);
            }
            var identical = reads.Skip(1).All(r => r.Masks!.SameAs(first));
            return (AnnotationContent.Of(result, reads[0].Spacing), identical ? "identical" : staple ? "staple" : "majority");
        }
        if (reads.Any(r => r.Form is null)) throw AnnotationRefusedException.Invalid("the reads mix masks and forms: no consensus");
        var fields = reads.SelectMany(r => r.Form!.Values.Keys).Distinct(StringComparer.Ordinal);
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var same = true;
        foreach (var field in fields)
        {
            var answers = reads.Select(r => r.Form!.Values.TryGetValue(field, out var v) ? v : null).Where(v => v is not null).Select(v => v!).ToArray();
            var keyed = answers.GroupBy(a => string.Join("\u001f", a)).ToArray();
            if (keyed.Length > 1 || answers.Length < reads.Count) same = false;
            var f = protocol.FieldByName(field);
            var best = keyed.OrderByDescending(g => g.Count())
                .ThenBy(g => f is null || g.First().Count == 0 ? int.MaxValue : Math.Max(-1, f.IndexOf(g.First()[0])) is var i and >= 0 ? i : int.MaxValue)
                .First();
            values[field] = best.First();
        }
        return (AnnotationContent.Of(FormAnswers.FromValues(values, protocol)), same ? "identical" : "majority");
    }

    /// <summary>The statistic and each target's value, for logs.</summary>
    public override string ToString() =>
        $"{Statistic}: {string.Join(", ", Values.Select(kv => kv.Key + "=" + kv.Value.ToString("0.####", CultureInfo.InvariantCulture)))}{(Disagree ? " (disagree)" : "")}";
}
