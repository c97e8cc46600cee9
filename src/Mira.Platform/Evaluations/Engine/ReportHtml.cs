using System.Globalization;
using System.Text;
using Mira.Metrics.Statistics;
using Mira.Platform.Evaluations.Engine.Plots;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>
/// <c>report.html</c>: one self-contained page (inline CSS and SVG, no script, no external resource, a Content
/// Security Policy that forbids fetching anything), written as well-formed XML so that it parses as XHTML too. Cases
/// are named by pseudonymous case id only.
/// </summary>
public static class ReportHtml
{
    public static byte[] Write(EvaluationResults r, ReportProvenance p)
    {
        p.Validate();
        var h = new StringBuilder();
        var task = r.Spec.Task == EvaluationTask.Segmentation ? "segmentation" : "classification";
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>");
        h.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"/>");
        h.Append($"<title>Evaluation of {E(p.ModelName)} {E(p.ModelVersion)} on {E(p.ReleaseId)}</title><style>{Css}</style></head><body>\n");
        h.Append($"<h1>Evaluation of {E(p.ModelName)} {E(p.ModelVersion)}</h1>\n<table class=\"meta\">");
        foreach (var (k, v) in new[] { ("Model", $"{p.ModelName} {p.ModelVersion}"), ("Model package SHA-256", p.ModelPackageSha256), ("Dataset release", p.ReleaseId),
            ("Release hash", p.ReleaseHash), ("Split", p.Split), ("Task", task), ("Cases / patients", $"{r.Cases} / {r.Patients}"),
            ("Evaluated", ReportJson.Created(p)), ("Evaluator", $"Mira {p.EvaluatorVersion}") })
            h.Append($"<tr><th>{E(k)}</th><td>{E(v)}</td></tr>");
        h.Append("</table>\n");
        var ci = $"{Pct(r.Spec.Confidence)} CI";
        h.Append($"<p class=\"note\">Intervals are {ci}s from a percentile bootstrap of {r.Spec.BootstrapReplicates} replicates (seed {r.Spec.BootstrapSeed}) that resamples " +
            "patients, so the cases of one patient stay together. The figures describe this test set only; subgroups with few cases have wide intervals. " +
            "Cases are named by pseudonymous case id only. The signature (signature.json) covers every file of this folder.</p>\n");
        if (r.Segmentation is { } s) Segmentation(h, r, s, ci);
        if (r.Classification is { } c) Classification(h, c, ci);
        Subgroups(h, r, ci);
        Speed(h, r);
        Failures(h, r);
        PerCase(h, r);
        h.Append("</body></html>\n");
        return Encoding.UTF8.GetBytes(h.ToString());
    }

    const string Css = "body{font-family:sans-serif;margin:24px;max-width:1200px;color:#222}table{border-collapse:collapse;margin:8px 0 16px}" +
        "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}td.n{text-align:right;font-variant-numeric:tabular-nums}" +
        ".meta th{background:#f3f3f3}.note{color:#555;font-size:13px}.plots{display:flex;flex-wrap:wrap;gap:12px}h2{margin-top:28px;border-bottom:1px solid #ddd}";

    static void Segmentation(StringBuilder h, EvaluationResults r, SegmentationSummary s, string ci)
    {
        h.Append($"<h2>Summary</h2>\n<p class=\"note\">Mean over cases with the {E(ci)}. HD95: max of the two directed 95th percentiles of boundary distances; " +
            $"surface Dice at {F(r.Spec.SurfaceToleranceMm)} mm; empty-mask conventions: {E(r.Spec.EmptyMasks)}. Cases where a metric is undefined are left out of its mean and counted.</p>\n");
        h.Append("<table><tr><th>structure</th>");
        foreach (var m in EvaluationEngine.SegmentationMetricNames) h.Append($"<th>{E(m)}</th>");
        h.Append("</tr>");
        foreach (var st in s.Structures)
        {
            h.Append($"<tr><th>{E(st.Structure.Name)}{(st.Structure.IsRegion ? $" (labels {string.Join(", ", st.Structure.Values)})" : "")}</th>");
            foreach (var m in st.Metrics)
                h.Append($"<td class=\"n\">{F(m.Mean.Estimate)} [{F(m.Mean.Lower)}, {F(m.Mean.Upper)}]{(m.Undefined > 0 ? $" ({m.Undefined} undefined)" : "")}</td>");
            h.Append("</tr>");
        }
        h.Append("</table>\n<h2>Volumes</h2>\n<table><tr><th>structure</th><th>cases</th><th>bias (mL)</th><th>SD (mL)</th><th>limits of agreement (mL)</th></tr>");
        foreach (var st in s.Structures)
            h.Append($"<tr><th>{E(st.Structure.Name)}</th><td class=\"n\">{st.Volumes.Cases}</td><td class=\"n\">{F(st.Volumes.MeanDifference)}</td><td class=\"n\">{F(st.Volumes.StandardDeviation)}</td><td class=\"n\">{F(st.Volumes.LowerLimit)} to {F(st.Volumes.UpperLimit)}</td></tr>");
        h.Append("</table>\n<div class=\"plots\">");
        foreach (var st in s.Structures) h.Append(BlandAltmanPlot.Render(st.Structure.Name, st.Volumes));
        h.Append("</div>\n");
        if (s.Detection is { } d)
        {
            h.Append("<h2>Case-level detection</h2>\n");
            Binary(h, d, ci);
            h.Append($"<div class=\"plots\">{RocPlot.Render("Detection ROC", d)}</div>\n");
        }
        if (s.VoxelCalibration is { } cal)
        {
            h.Append("<h2>Voxel calibration</h2>\n");
            Calibration(h, cal);
        }
        else h.Append("<p class=\"note\">The model gave no probability maps: no calibration or detection ROC.</p>\n");
    }

    static void Classification(StringBuilder h, ClassificationSummary c, string ci)
    {
        h.Append($"<h2>Summary</h2>\n<table><tr><th>metric</th><th>value [{E(ci)}]</th></tr>");
        foreach (var (name, b) in new[] { ("accuracy", c.Accuracy), ("Cohen's kappa", c.Kappa), ("quadratic weighted kappa", c.QuadraticKappa) }
            .Concat(c.OneVsRest.Select(a => ($"AUC {a.Class.Name} vs rest", a.Auc))))
            h.Append($"<tr><th>{E(name)}</th><td class=\"n\">{Iv(b)}</td></tr>");
        h.Append("</table>\n<h3>Confusion matrix (rows: reference, columns: predicted)</h3>\n<table><tr><th></th>");
        foreach (var k in c.Classes) h.Append($"<th>{E(k.Name)}</th>");
        h.Append("</tr>");
        for (var i = 0; i < c.Confusion.Size; i++)
        {
            h.Append($"<tr><th>{E(c.Classes[i].Name)}</th>");
            for (var j = 0; j < c.Confusion.Size; j++) h.Append($"<td class=\"n\">{c.Confusion.Counts[i, j]}</td>");
            h.Append("</tr>");
        }
        h.Append("</table>\n<h2>Positive class</h2>\n");
        Binary(h, c.Positive, ci);
        h.Append($"<div class=\"plots\">{RocPlot.Render("ROC", c.Positive)}");
        if (c.Positive.Calibration is { } cal) h.Append(ReliabilityPlot.Render("Reliability", cal));
        h.Append("</div>\n");
        if (c.Positive.Calibration is { } cal2) Calibration(h, cal2, plot: false);
    }

    static void Binary(StringBuilder h, BinaryScoreSummary b, string ci)
    {
        h.Append($"<p>Score: {E(b.Score)}; truth: {E(b.Truth)}; {b.Positives} positive, {b.Negatives} negative cases. AUC {Iv(b.Auc)} ({E(ci)}).</p>\n");
        h.Append("<table><tr><th>threshold (score ≥ t)</th><th>TP</th><th>FP</th><th>TN</th><th>FN</th><th>sensitivity</th><th>specificity</th><th>PPV</th><th>NPV</th></tr>");
        foreach (var op in b.OperatingPoints)
            h.Append($"<tr><td class=\"n\">{F(op.Threshold)}</td><td class=\"n\">{op.TruePositives}</td><td class=\"n\">{op.FalsePositives}</td><td class=\"n\">{op.TrueNegatives}</td><td class=\"n\">{op.FalseNegatives}</td>" +
                $"<td class=\"n\">{W(op.Sensitivity)}</td><td class=\"n\">{W(op.Specificity)}</td><td class=\"n\">{W(op.PositivePredictiveValue)}</td><td class=\"n\">{W(op.NegativePredictiveValue)}</td></tr>");
        h.Append("</table><p class=\"note\">Proportions with Wilson intervals.</p>\n");
    }

    static void Calibration(StringBuilder h, CalibrationSummary c, bool plot = true)
    {
        h.Append($"<p>Brier score {F(c.Brier)}; ECE {F(c.ExpectedCalibrationError)} ({c.Bins} equal-width bins); {c.Samples} samples: {E(c.Sampling)}.</p>\n");
        if (plot) h.Append($"<div class=\"plots\">{ReliabilityPlot.Render("Reliability", c)}</div>\n");
    }

    static void Subgroups(StringBuilder h, EvaluationResults r, string ci)
    {
        if (r.Subgroups.Count == 0) return;
        h.Append($"<h2>Subgroups</h2>\n<p class=\"note\">Gap: subgroup − overall, with its {E(ci)} over the same replicates (Mira.Metrics Subgroups).{RankingNote(r)}</p>\n");
        foreach (var g in r.Subgroups)
        {
            h.Append($"<h3>{E(g.Metric)} by {E(g.Field)}</h3>\n<table><tr><th>group</th><th>cases</th><th>value [{E(ci)}]</th><th>gap [{E(ci)}]</th></tr>");
            foreach (var row in g.Rows)
                h.Append($"<tr><th>{E(row.Group)}</th><td class=\"n\">{row.Cases}</td><td class=\"n\">{Iv(row.Value)}</td><td class=\"n\">{Iv(row.Gap)}</td></tr>");
            h.Append($"</table>\n<div class=\"plots\">{ForestPlot.Render(g)}</div>\n");
        }
    }

    static void Speed(StringBuilder h, EvaluationResults r)
    {
        if (r.Speed is not { } s) return;
        h.Append($"<h2>Speed</h2>\n<p>Inference seconds per case over {s.Cases} cases: mean {F(s.Mean)}, median {F(s.Median)}, 95th percentile {F(s.P95)}, max {F(s.Max)}; total {F(s.Total)} s.</p>\n");
    }

    static void Failures(StringBuilder h, EvaluationResults r)
    {
        h.Append($"<h2>Failure cases</h2>\n<p class=\"note\">The {r.FailureCases.Count} worst cases by {E(r.Spec.Ranking)} ({(r.HigherIsBetter ? "lowest" : "highest")} first), by pseudonymous case id.{RankingNote(r)}</p>\n<table><tr><th>case</th><th>{E(r.Spec.Ranking)}</th></tr>");
        foreach (var f in r.FailureCases) h.Append($"<tr><td>{E(f.CaseId)}</td><td class=\"n\">{F(f.Value)}</td></tr>");
        h.Append("</table>\n");
    }

    static void PerCase(StringBuilder h, EvaluationResults r)
    {
        h.Append("<h2>Per case</h2>\n<table><tr><th>case</th>");
        if (r.Spec.Task == EvaluationTask.Segmentation)
            foreach (var st in r.Structures) h.Append($"<th>{E(st.Name)} dice</th><th>{E(st.Name)} HD95 (mm)</th><th>{E(st.Name)} ref / pred (mL)</th>");
        else h.Append("<th>reference</th><th>predicted</th><th>score of reference class</th>");
        h.Append("<th>seconds</th></tr>");
        foreach (var c in r.PerCase)
        {
            h.Append($"<tr><td>{E(c.CaseId)}</td>");
            if (c.Structures is { } s)
                foreach (var x in s) h.Append($"<td class=\"n\">{F(x.Dice)}</td><td class=\"n\">{F(x.Hd95MaxOfDirectedMm)}</td><td class=\"n\">{F(x.ReferenceVolumeMm3 / 1000)} / {F(x.PredictionVolumeMm3 / 1000)}</td>");
            if (c.Classification is { } k) h.Append($"<td class=\"n\">{k.ReferenceClass}</td><td class=\"n\">{k.PredictedClass}</td><td class=\"n\">{F(c.RankingValue)}</td>");
            h.Append($"<td class=\"n\">{(c.InferenceSeconds is { } sec ? F(sec) : "–")}</td></tr>");
        }
        h.Append("</table>\n");
    }

    static string RankingNote(EvaluationResults r) => r.Spec.Task == EvaluationTask.Segmentation && r.Structures.Count > 1
        ? $" A case's {E(r.Spec.Ranking)} here is its mean over {string.Join(", ", r.Structures.Select(s => E(s.Name)))}."
        : "";

    static string E(string s) => SvgPlot.Escape(s);
    static string F(double v) => double.IsNaN(v) ? "–" : double.IsPositiveInfinity(v) ? "∞" : v.ToString("0.####", CultureInfo.InvariantCulture);
    static string Pct(double v) => (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
    static string Iv(BootstrapInterval b) => $"{F(b.Estimate)} [{F(b.Lower)}, {F(b.Upper)}]";
    static string W(Proportion p) => $"{F(p.Value)} [{F(p.Lower)}, {F(p.Upper)}]";
}
