using System.Globalization;
using System.Text.Json;
using Mira.Metrics;
using Mira.Metrics.Classification;
using Mira.Metrics.Statistics;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>
/// <c>report.json</c>: every figure of an evaluation in a fixed order (same results and provenance → same bytes;
/// numbers in .NET's shortest round-trip form, undefined values null). Cases appear by pseudonymous case id only:
/// no patient key, no subgroup value of a single case.
/// </summary>
public static class ReportJson
{
    public const string Format = "mira-evaluation-report/1";

    public static byte[] Write(EvaluationResults r, ReportProvenance p)
    {
        p.Validate();
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            WriteProvenance(w, p);
            WriteSpec(w, r);
            w.WriteNumber("cases", r.Cases);
            w.WriteNumber("patients", r.Patients);
            if (r.Segmentation is { } s) WriteSegmentation(w, s);
            if (r.Classification is { } c) WriteClassification(w, c);
            w.WriteStartArray("subgroups");
            foreach (var g in r.Subgroups) WriteSubgroup(w, g);
            w.WriteEndArray();
            if (r.Speed is { } sp)
            {
                w.WriteStartObject("speed_seconds_per_case");
                w.WriteNumber("cases", sp.Cases);
                Num(w, "mean", sp.Mean);
                Num(w, "median", sp.Median);
                Num(w, "p95", sp.P95);
                Num(w, "max", sp.Max);
                Num(w, "total", sp.Total);
                w.WriteEndObject();
            }
            else w.WriteNull("speed_seconds_per_case");
            w.WriteStartObject("failure_cases");
            w.WriteString("metric", r.Spec.Ranking);
            w.WriteString("worst_is", r.HigherIsBetter ? "lowest" : "highest");
            w.WriteStartArray("cases");
            foreach (var f in r.FailureCases)
            {
                w.WriteStartObject();
                w.WriteString("case_id", f.CaseId);
                Num(w, "value", f.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            WritePerCase(w, r);
            w.WriteEndObject();
        }
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    static void WriteProvenance(Utf8JsonWriter w, ReportProvenance p)
    {
        w.WriteStartObject("provenance");
        w.WriteString("release_id", p.ReleaseId);
        w.WriteString("release_hash", p.ReleaseHash);
        w.WriteString("split", p.Split);
        w.WriteString("model_name", p.ModelName);
        w.WriteString("model_version", p.ModelVersion);
        w.WriteString("model_package_sha256", p.ModelPackageSha256);
        w.WriteString("evaluator_version", p.EvaluatorVersion);
        w.WriteString("created", Created(p));
        w.WriteEndObject();
    }

    internal static string Created(ReportProvenance p) => p.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    static void WriteSpec(Utf8JsonWriter w, EvaluationResults r)
    {
        var s = r.Spec;
        w.WriteStartObject("spec");
        w.WriteString("task", s.Task == EvaluationTask.Segmentation ? "segmentation" : "classification");
        w.WriteStartArray("labels");
        foreach (var l in s.Labels)
        {
            w.WriteStartObject();
            w.WriteNumber("value", l.Value);
            w.WriteString("name", l.Name);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("regions");
        foreach (var g in r.Structures.Where(x => x.IsRegion))
        {
            w.WriteStartObject();
            w.WriteString("name", g.Name);
            w.WriteStartArray("values");
            foreach (var v in g.Values) w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("ranking_metric", s.Ranking);
        w.WriteString("ranking_value", s.Task == EvaluationTask.Segmentation ? "mean over the case's scored labels and regions" : "probability given to the reference class");
        w.WriteStartObject("bootstrap");
        w.WriteNumber("replicates", s.BootstrapReplicates);
        w.WriteNumber("seed", s.BootstrapSeed);
        Num(w, "confidence", s.Confidence);
        w.WriteString("resampling", "patients");
        w.WriteString("interval", "percentile");
        w.WriteEndObject();
        w.WriteStartArray("thresholds");
        foreach (var t in s.Thresholds) w.WriteNumberValue(t);
        w.WriteEndArray();
        if (s.Task == EvaluationTask.Segmentation)
        {
            Num(w, "surface_dice_tolerance_mm", s.SurfaceToleranceMm);
            w.WriteString("empty_masks", s.EmptyMasks);
            w.WriteString("hd95", "max of the two directed 95th percentiles of boundary-voxel distances");
        }
        else w.WriteNumber("positive_class", r.Classification!.PositiveClass);
        w.WriteNumber("calibration_bins", s.CalibrationBins);
        w.WriteEndObject();
    }

    static void WriteSegmentation(Utf8JsonWriter w, SegmentationSummary s)
    {
        w.WriteStartObject("segmentation");
        w.WriteStartArray("structures");
        foreach (var st in s.Structures)
        {
            w.WriteStartObject();
            w.WriteString("name", st.Structure.Name);
            w.WriteBoolean("region", st.Structure.IsRegion);
            w.WriteStartArray("values");
            foreach (var v in st.Structure.Values) w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteStartObject("mean");
            foreach (var m in st.Metrics)
            {
                w.WriteStartObject(m.Metric);
                w.WriteNumber("cases", m.Cases);
                w.WriteNumber("undefined", m.Undefined);
                Interval(w, m.Mean);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            var ba = st.Volumes;
            w.WriteStartObject("bland_altman_ml");
            w.WriteNumber("cases", ba.Cases);
            Num(w, "mean_difference", ba.MeanDifference);
            Num(w, "sd_difference", ba.StandardDeviation);
            Num(w, "lower_limit", ba.LowerLimit);
            Num(w, "upper_limit", ba.UpperLimit);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (s.VoxelCalibration is { } cal) WriteCalibration(w, "voxel_calibration", cal);
        else w.WriteNull("voxel_calibration");
        if (s.Detection is { } d) WriteBinary(w, "case_detection", d);
        else w.WriteNull("case_detection");
        w.WriteEndObject();
    }

    static void WriteClassification(Utf8JsonWriter w, ClassificationSummary c)
    {
        w.WriteStartObject("classification");
        w.WriteStartObject("accuracy");
        Interval(w, c.Accuracy);
        w.WriteEndObject();
        w.WriteStartObject("kappa");
        Interval(w, c.Kappa);
        w.WriteEndObject();
        w.WriteStartObject("quadratic_kappa");
        Interval(w, c.QuadraticKappa);
        w.WriteEndObject();
        w.WriteStartArray("one_vs_rest_auc");
        foreach (var a in c.OneVsRest)
        {
            w.WriteStartObject();
            w.WriteNumber("class", a.Class.Value);
            w.WriteString("name", a.Class.Name);
            Interval(w, a.Auc);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("confusion");
        w.WriteString("rows", "reference");
        w.WriteString("columns", "predicted");
        w.WriteStartArray("classes");
        foreach (var k in c.Confusion.Classes) w.WriteNumberValue(k);
        w.WriteEndArray();
        w.WriteStartArray("counts");
        for (var i = 0; i < c.Confusion.Size; i++)
        {
            w.WriteStartArray();
            for (var j = 0; j < c.Confusion.Size; j++) w.WriteNumberValue(c.Confusion.Counts[i, j]);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        WriteBinary(w, "positive_class", c.Positive);
        w.WriteEndObject();
    }

    static void WriteBinary(Utf8JsonWriter w, string name, BinaryScoreSummary b)
    {
        w.WriteStartObject(name);
        w.WriteString("score", b.Score);
        w.WriteString("truth", b.Truth);
        w.WriteNumber("positives", b.Positives);
        w.WriteNumber("negatives", b.Negatives);
        w.WriteStartObject("auc");
        Interval(w, b.Auc);
        w.WriteEndObject();
        w.WriteStartArray("roc");
        foreach (var pt in b.Curve)
        {
            w.WriteStartArray();
            Val(w, pt.Threshold);
            Val(w, pt.FalsePositiveRate);
            Val(w, pt.TruePositiveRate);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteStartArray("operating_points");
        foreach (var op in b.OperatingPoints) WriteOperatingPoint(w, op);
        w.WriteEndArray();
        if (b.Calibration is { } cal) WriteCalibration(w, "calibration", cal);
        w.WriteEndObject();
    }

    static void WriteOperatingPoint(Utf8JsonWriter w, OperatingPointResult op)
    {
        w.WriteStartObject();
        Num(w, "threshold", op.Threshold);
        w.WriteNumber("tp", op.TruePositives);
        w.WriteNumber("fp", op.FalsePositives);
        w.WriteNumber("tn", op.TrueNegatives);
        w.WriteNumber("fn", op.FalseNegatives);
        foreach (var (n, pr) in new[] { ("sensitivity", op.Sensitivity), ("specificity", op.Specificity), ("ppv", op.PositivePredictiveValue), ("npv", op.NegativePredictiveValue) })
        {
            w.WriteStartObject(n);
            Num(w, "value", pr.Value);
            Num(w, "wilson_lower", pr.Lower);
            Num(w, "wilson_upper", pr.Upper);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    static void WriteCalibration(Utf8JsonWriter w, string name, CalibrationSummary c)
    {
        w.WriteStartObject(name);
        w.WriteNumber("samples", c.Samples);
        w.WriteString("sampling", c.Sampling);
        Num(w, "brier", c.Brier);
        Num(w, "ece", c.ExpectedCalibrationError);
        w.WriteNumber("bins", c.Bins);
        w.WriteStartArray("reliability");
        foreach (var b in c.Reliability)
        {
            w.WriteStartObject();
            Num(w, "lower", b.Lower);
            Num(w, "upper", b.Upper);
            w.WriteNumber("count", b.Count);
            Num(w, "mean_predicted", b.MeanPredicted);
            Num(w, "observed_fraction", b.ObservedFraction);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    static void WriteSubgroup(Utf8JsonWriter w, SubgroupSummary g)
    {
        w.WriteStartObject();
        w.WriteString("field", g.Field);
        w.WriteString("metric", g.Metric);
        w.WriteString("resampling", g.Resampling);
        w.WriteStartArray("groups");
        foreach (var row in g.Rows)
        {
            w.WriteStartObject();
            w.WriteString("group", row.Group);
            w.WriteNumber("cases", row.Cases);
            Interval(w, row.Value);
            Num(w, "gap", row.Gap.Estimate);
            Num(w, "gap_lower", row.Gap.Lower);
            Num(w, "gap_upper", row.Gap.Upper);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    static void WritePerCase(Utf8JsonWriter w, EvaluationResults r)
    {
        w.WriteStartArray("per_case");
        foreach (var c in r.PerCase)
        {
            w.WriteStartObject();
            w.WriteString("case_id", c.CaseId);
            if (c.Structures is { } st)
            {
                w.WriteStartObject("structures");
                for (var i = 0; i < st.Count; i++)
                {
                    w.WriteStartObject(r.Structures[i].Name);
                    foreach (var m in EvaluationEngine.SegmentationMetricNames) Num(w, m, EvaluationEngine.Metric(st[i], m));
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            if (c.DetectionScore is { } d) Num(w, "detection_score", d);
            if (c.ReferencePositive is { } rp) w.WriteBoolean("reference_positive", rp);
            if (c.Classification is { } k)
            {
                w.WriteNumber("reference_class", k.ReferenceClass);
                w.WriteNumber("predicted_class", k.PredictedClass);
                w.WriteStartArray("scores");
                foreach (var s in k.Scores) Val(w, s);
                w.WriteEndArray();
            }
            Num(w, "ranking_value", c.RankingValue);
            if (c.InferenceSeconds is { } sec) Num(w, "inference_seconds", sec);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    static void Interval(Utf8JsonWriter w, BootstrapInterval b)
    {
        Num(w, "value", b.Estimate);
        Num(w, "lower", b.Lower);
        Num(w, "upper", b.Upper);
        w.WriteNumber("valid_replicates", b.Valid);
    }

    static void Num(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    static void Val(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteNullValue();
    }
}
