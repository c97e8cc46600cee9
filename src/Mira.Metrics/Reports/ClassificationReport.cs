using System.Globalization;
using System.Text;
using System.Text.Json;
using Mira.Metrics.Classification;
using Mira.Metrics.Statistics;

namespace Mira.Metrics.Reports;

/// <summary>Options of <see cref="ClassificationReport.Evaluate"/>.</summary>
/// <param name="Threshold">operating point: score ≥ threshold is positive.</param>
/// <param name="Bins">equal-width calibration bins.</param>
/// <param name="By">subgroup column, or null.</param>
/// <param name="Cluster">column of cluster keys (e.g. patient) for a cluster bootstrap, or null for case resampling.</param>
public sealed record ClassificationOptions(double Threshold = 0.5, int Bins = Calibration.DefaultBins, string? By = null,
    BootstrapOptions? Bootstrap = null, string? Cluster = null)
{
    public BootstrapOptions BootstrapOrDefault => Bootstrap ?? BootstrapOptions.Default;
}

/// <summary>Score-based results of a binary task.</summary>
public sealed record BinaryScoreResults(int Positives, int Negatives, AucInterval AucDeLong, BootstrapInterval AucBootstrap,
    BootstrapInterval AveragePrecision, OperatingPointResult OperatingPoint, double? Brier, double? Ece, IReadOnlyList<ReliabilityBin>? Reliability);

/// <summary>Prediction-based (class/grade) results.</summary>
/// <param name="Classes">the class range min…max of labels and predictions, the positions of the kappa weights.</param>
public sealed record PredictionResults(ConfusionMatrix Confusion, BootstrapInterval Accuracy, BootstrapInterval Kappa,
    BootstrapInterval LinearKappa, BootstrapInterval QuadraticKappa);

/// <summary>Everything <c>mira metrics cls</c> reports.</summary>
public sealed record ClassificationEvaluation(int Cases, ClassificationOptions Options, BinaryScoreResults? Scores, PredictionResults? Predictions,
    IReadOnlyDictionary<string, IReadOnlyList<SubgroupResult>> Subgroups);

/// <summary>
/// Evaluates a <see cref="PredictionTable"/>: with a <c>score</c> column (binary 0/1 labels) AUC with DeLong and
/// bootstrap intervals, AP, sensitivity/specificity/PPV/NPV at the threshold with Wilson intervals, and for scores in
/// [0, 1] Brier, ECE and the reliability curve; with a <c>prediction</c> column the confusion matrix, accuracy,
/// Cohen's kappa, linear and quadratic weighted kappa (classes min…max, so weights follow the grade values); with
/// <see cref="ClassificationOptions.By"/> the main metrics per subgroup with intervals and gaps
/// (<see cref="Statistics.Subgroups"/>). Bootstraps are stratified by label (and subgroup) and seeded.
/// </summary>
public static class ClassificationReport
{
    public static ClassificationEvaluation Evaluate(PredictionTable table, ClassificationOptions? options = null)
    {
        options ??= new ClassificationOptions();
        var boot = options.BootstrapOrDefault;
        var labels = table.Integers("label");
        // Cluster bootstrap: resample whole clusters (patients), unstratified by label (a patient may hold both).
        int[]? clusters = null;
        if (options.Cluster is { } cc)
        {
            var names = table.Strings(cc);
            var ids = names.Distinct(StringComparer.Ordinal).Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i, StringComparer.Ordinal);
            clusters = names.Select(n => ids[n]).ToArray();
        }
        int[]? strata = clusters is null ? labels : null;
        var hasScore = table.Has("score");
        var hasPrediction = table.Has("prediction");
        if (!hasScore && !hasPrediction) throw new FormatException("the CSV needs a 'score' or a 'prediction' column besides 'label'");
        var subgroupMetrics = new List<(string Name, Func<int[], double> Metric)>();

        BinaryScoreResults? scoreResults = null;
        if (hasScore)
        {
            var scores = table.Numbers("score");
            if (labels.Any(l => l is not (0 or 1))) throw new FormatException("a 'score' column needs binary labels 0/1");
            var t = options.Threshold;
            var delong = DeLong.Interval(labels, scores, boot.Confidence);
            var stats = Bootstrap.RunMany(labels.Length, strata, idx =>
            {
                var l = idx.Select(i => labels[i]).ToArray();
                var s = idx.Select(i => scores[i]).ToArray();
                return [RocAuc.Compute(l, s), AveragePrecision.Compute(l, s)];
            }, boot, clusters);
            var probabilities = scores.All(s => s >= 0 && s <= 1);
            scoreResults = new BinaryScoreResults(labels.Count(l => l == 1), labels.Count(l => l == 0), delong, stats[0], stats[1],
                OperatingPoint.AtThreshold(labels, scores, t, boot.Confidence),
                probabilities ? Calibration.Brier(labels, scores) : null,
                probabilities ? Calibration.ExpectedCalibrationError(labels, scores, options.Bins) : null,
                probabilities ? Calibration.ReliabilityCurve(labels, scores, options.Bins) : null);
            subgroupMetrics.Add(("auc", idx => RocAuc.Compute(labels, scores, idx)));
            subgroupMetrics.Add(("sensitivity", idx => Fraction(idx, i => labels[i] == 1, i => scores[i] >= t)));
            subgroupMetrics.Add(("specificity", idx => Fraction(idx, i => labels[i] == 0, i => scores[i] < t)));
        }

        PredictionResults? predictionResults = null;
        if (hasPrediction)
        {
            var predicted = table.Integers("prediction");
            var lo = Math.Min(labels.Min(), predicted.Min());
            var hi = Math.Max(labels.Max(), predicted.Max());
            if ((long)hi - lo > 1000) throw new FormatException($"classes span {lo}…{hi}: too many for a confusion matrix");
            var classes = Enumerable.Range(lo, hi - lo + 1).ToArray();
            double K(int[] idx, KappaWeights w) => Kappa.Cohen(idx.Select(i => labels[i]).ToArray(), idx.Select(i => predicted[i]).ToArray(), w, classes);
            double Acc(int[] idx) => idx.Count(i => labels[i] == predicted[i]) / (double)idx.Length;
            var stats = Bootstrap.RunMany(labels.Length, strata, idx => [Acc(idx), K(idx, KappaWeights.None), K(idx, KappaWeights.Linear), K(idx, KappaWeights.Quadratic)], boot, clusters);
            predictionResults = new PredictionResults(ConfusionMatrix.Compute(labels, predicted, classes), stats[0], stats[1], stats[2], stats[3]);
            subgroupMetrics.Add(("accuracy", Acc));
            subgroupMetrics.Add(("quadratic_kappa", idx => K(idx, KappaWeights.Quadratic)));
        }

        var subgroups = new Dictionary<string, IReadOnlyList<SubgroupResult>>();
        if (options.By is { } by)
        {
            var groups = table.Strings(by);
            foreach (var (name, metric) in subgroupMetrics) subgroups[name] = Statistics.Subgroups.Evaluate(groups, strata, metric, boot, clusters);
        }
        return new ClassificationEvaluation(table.Count, options, scoreResults, predictionResults, subgroups);
    }

    static double Fraction(int[] idx, Func<int, bool> among, Func<int, bool> hit)
    {
        int n = 0, k = 0;
        foreach (var i in idx)
        {
            if (!among(i)) continue;
            n++;
            if (hit(i)) k++;
        }
        return n == 0 ? double.NaN : (double)k / n;
    }

    /// <summary>A human-readable report.</summary>
    public static string ToText(ClassificationEvaluation e)
    {
        var sb = new StringBuilder();
        var boot = e.Options.BootstrapOrDefault;
        var ci = $"{boot.Confidence * 100:0.#}% CI";
        sb.Append($"cases {e.Cases}; bootstrap {boot.Replicates} replicates, seed {boot.Seed}, {(e.Options.Cluster is { } cl ? $"resampling clusters of '{cl}'" : "stratified by label")}\n");
        if (e.Scores is { } s)
        {
            sb.Append($"\nbinary scores: {s.Positives} positive, {s.Negatives} negative\n");
            sb.Append($"  {"AUC",-28}{F(s.AucDeLong.Auc)}  DeLong {ci} {F(s.AucDeLong.Lower)}–{F(s.AucDeLong.Upper)}; bootstrap {F(s.AucBootstrap.Lower)}–{F(s.AucBootstrap.Upper)}\n");
            sb.Append($"  {"average precision",-28}{F(s.AveragePrecision.Estimate)}  bootstrap {ci} {F(s.AveragePrecision.Lower)}–{F(s.AveragePrecision.Upper)}\n");
            var op = s.OperatingPoint;
            sb.Append($"  at threshold {F(op.Threshold)} (score ≥ threshold positive): TP {op.TruePositives} FP {op.FalsePositives} TN {op.TrueNegatives} FN {op.FalseNegatives}\n");
            foreach (var (name, p) in new[] { ("sensitivity", op.Sensitivity), ("specificity", op.Specificity), ("PPV", op.PositivePredictiveValue), ("NPV", op.NegativePredictiveValue), ("accuracy", op.Accuracy) })
                sb.Append($"  {name,-28}{F(p.Value)}  Wilson {ci} {F(p.Lower)}–{F(p.Upper)}  ({p.Successes}/{p.Trials})\n");
            if (s.Brier is { } brier) sb.Append($"  {"Brier score",-28}{F(brier)}\n");
            if (s.Ece is { } ece) sb.Append($"  {"ECE (" + e.Options.Bins + " equal-width bins)",-28}{F(ece)}\n");
            if (s.Reliability is { } curve)
            {
                sb.Append("  reliability: bin, cases, mean predicted, observed fraction\n");
                foreach (var b in curve) sb.Append($"    ({F(b.Lower)}, {F(b.Upper)}]  {b.Count,6}  {F(b.MeanPredicted)}  {F(b.ObservedFraction)}\n");
            }
        }
        if (e.Predictions is { } p2)
        {
            sb.Append("\npredicted classes\n");
            foreach (var (name, v) in new[] { ("accuracy", p2.Accuracy), ("Cohen's kappa", p2.Kappa), ("linear weighted kappa", p2.LinearKappa), ("quadratic weighted kappa", p2.QuadraticKappa) })
                sb.Append($"  {name,-28}{F(v.Estimate)}  bootstrap {ci} {F(v.Lower)}–{F(v.Upper)}\n");
            var m = p2.Confusion;
            sb.Append("  confusion matrix (rows: label, columns: prediction)\n  ").Append(new string(' ', 8));
            foreach (var c in m.Classes) sb.Append($"{c,8}");
            sb.Append('\n');
            for (var i = 0; i < m.Size; i++)
            {
                sb.Append($"  {m.Classes[i],8}");
                for (var j = 0; j < m.Size; j++) sb.Append($"{m.Counts[i, j],8}");
                sb.Append('\n');
            }
        }
        foreach (var (metric, rows) in e.Subgroups)
        {
            sb.Append($"\n{metric} by {e.Options.By}: group, cases, value [{ci}], gap to overall [{ci}]\n");
            foreach (var r in rows)
                sb.Append($"  {r.Group,-16}{r.Cases,7}  {F(r.Value.Estimate)} [{F(r.Value.Lower)}, {F(r.Value.Upper)}]  {G(r.Gap.Estimate)} [{G(r.Gap.Lower)}, {G(r.Gap.Upper)}]\n");
        }
        return sb.ToString();
    }

    static string F(double v) => double.IsNaN(v) ? "nan" : v.ToString("0.0000", CultureInfo.InvariantCulture);
    static string G(double v) => double.IsNaN(v) ? "nan" : v.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);

    /// <summary>The report as JSON (NaN and infinities as null).</summary>
    public static string ToJson(ClassificationEvaluation e, bool indented = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented }))
        {
            var boot = e.Options.BootstrapOrDefault;
            w.WriteStartObject();
            w.WriteNumber("cases", e.Cases);
            w.WriteStartObject("bootstrap");
            w.WriteNumber("replicates", boot.Replicates);
            w.WriteNumber("seed", boot.Seed);
            w.WriteNumber("confidence", boot.Confidence);
            if (e.Options.Cluster is { } cluster) w.WriteString("clusters", cluster);
            else w.WriteString("strata", "label");
            w.WriteEndObject();
            if (e.Scores is { } s)
            {
                w.WriteStartObject("scores");
                w.WriteNumber("positives", s.Positives);
                w.WriteNumber("negatives", s.Negatives);
                w.WriteStartObject("auc");
                Num(w, "value", s.AucDeLong.Auc);
                Num(w, "delong_se", s.AucDeLong.StandardError);
                Num(w, "delong_lower", s.AucDeLong.Lower);
                Num(w, "delong_upper", s.AucDeLong.Upper);
                Num(w, "bootstrap_lower", s.AucBootstrap.Lower);
                Num(w, "bootstrap_upper", s.AucBootstrap.Upper);
                w.WriteEndObject();
                Interval(w, "average_precision", s.AveragePrecision);
                var op = s.OperatingPoint;
                w.WriteStartObject("operating_point");
                Num(w, "threshold", op.Threshold);
                w.WriteNumber("tp", op.TruePositives);
                w.WriteNumber("fp", op.FalsePositives);
                w.WriteNumber("tn", op.TrueNegatives);
                w.WriteNumber("fn", op.FalseNegatives);
                foreach (var (name, p) in new[] { ("sensitivity", op.Sensitivity), ("specificity", op.Specificity), ("ppv", op.PositivePredictiveValue), ("npv", op.NegativePredictiveValue), ("accuracy", op.Accuracy) })
                {
                    w.WriteStartObject(name);
                    Num(w, "value", p.Value);
                    Num(w, "wilson_lower", p.Lower);
                    Num(w, "wilson_upper", p.Upper);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                if (s.Brier is { } brier) Num(w, "brier", brier);
                if (s.Ece is { } ece)
                {
                    Num(w, "ece", ece);
                    w.WriteNumber("ece_bins", e.Options.Bins);
                }
                if (s.Reliability is { } curve)
                {
                    w.WriteStartArray("reliability");
                    foreach (var b in curve)
                    {
                        w.WriteStartObject();
                        Num(w, "lower", b.Lower);
                        Num(w, "upper", b.Upper);
                        w.WriteNumber("cases", b.Count);
                        Num(w, "mean_predicted", b.MeanPredicted);
                        Num(w, "observed_fraction", b.ObservedFraction);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            if (e.Predictions is { } p2)
            {
                w.WriteStartObject("predictions");
                Interval(w, "accuracy", p2.Accuracy);
                Interval(w, "kappa", p2.Kappa);
                Interval(w, "linear_kappa", p2.LinearKappa);
                Interval(w, "quadratic_kappa", p2.QuadraticKappa);
                w.WriteStartArray("classes");
                foreach (var c in p2.Confusion.Classes) w.WriteNumberValue(c);
                w.WriteEndArray();
                w.WriteStartArray("confusion");
                for (var i = 0; i < p2.Confusion.Size; i++)
                {
                    w.WriteStartArray();
                    for (var j = 0; j < p2.Confusion.Size; j++) w.WriteNumberValue(p2.Confusion.Counts[i, j]);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            if (e.Subgroups.Count > 0)
            {
                w.WriteStartObject("subgroups");
                w.WriteString("by", e.Options.By);
                foreach (var (metric, rows) in e.Subgroups)
                {
                    w.WriteStartArray(metric);
                    foreach (var r in rows)
                    {
                        w.WriteStartObject();
                        w.WriteString("group", r.Group);
                        w.WriteNumber("cases", r.Cases);
                        Num(w, "value", r.Value.Estimate);
                        Num(w, "lower", r.Value.Lower);
                        Num(w, "upper", r.Value.Upper);
                        Num(w, "gap", r.Gap.Estimate);
                        Num(w, "gap_lower", r.Gap.Lower);
                        Num(w, "gap_upper", r.Gap.Upper);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    static void Interval(Utf8JsonWriter w, string name, BootstrapInterval b)
    {
        w.WriteStartObject(name);
        Num(w, "value", b.Estimate);
        Num(w, "bootstrap_lower", b.Lower);
        Num(w, "bootstrap_upper", b.Upper);
        w.WriteEndObject();
    }

    static void Num(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
