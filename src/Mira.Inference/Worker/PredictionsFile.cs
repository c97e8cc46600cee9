using System.Text.Json;
using Mira.Inference.Packages;

namespace Mira.Inference.Worker;

/// <summary>Writes <c>predictions.json</c> (docs/models.md, "Worker file protocol"); times in milliseconds.</summary>
internal static class PredictionsFile
{
    public static void Write(string path, ModelPackage package, ModelWorkerResult result)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            var m = package.Manifest;
            w.WriteStartObject();
            w.WriteStartObject("model");
            w.WriteString("name", m.Name);
            w.WriteString("version", m.Version);
            w.WriteString("sha256", package.Sha256);
            w.WriteString("task", m.Task);
            w.WriteString("protocol", m.Protocol);
            w.WriteString("output", m.Output.Kind);
            w.WriteEndObject();
            w.WriteStartArray("cases");
            foreach (var c in result.Cases) Case(w, c);
            w.WriteEndArray();
            w.WriteStartObject("totals");
            w.WriteNumber("cases", result.Cases.Count);
            w.WriteNumber("succeeded", result.Cases.Count - result.Failed);
            w.WriteNumber("failed", result.Failed);
            w.WriteNumber("sessionMs", Ms(result.Session));
            w.WriteNumber("loadMs", Ms(Sum(result, c => c.Load)));
            w.WriteNumber("preprocessMs", Ms(Sum(result, c => c.Timings?.Preprocess ?? TimeSpan.Zero)));
            w.WriteNumber("inferenceMs", Ms(Sum(result, c => c.Timings?.Inference ?? TimeSpan.Zero)));
            w.WriteNumber("postprocessMs", Ms(Sum(result, c => c.Timings?.Postprocess ?? TimeSpan.Zero)));
            w.WriteNumber("wallMs", Ms(result.Wall));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, buffer.ToArray());
        File.Move(temp, path, overwrite: true);
    }

    static void Case(Utf8JsonWriter w, CaseResult c)
    {
        w.WriteStartObject();
        w.WriteString("case", c.Case);
        w.WriteString("status", c.Succeeded ? "ok" : "failed");
        if (c.Error is not null) w.WriteString("error", c.Error);
        if (c.SeriesInstanceUid is not null) w.WriteString("seriesInstanceUid", c.SeriesInstanceUid);
        if (c.LabelMapFile is not null) w.WriteString("labelMap", c.LabelMapFile);
        if (c.ProbabilityFile is not null) w.WriteString("probability", c.ProbabilityFile);
        if (c.SuvBwFactor is { } suv) w.WriteNumber("suvBwFactor", suv);
        if (c.LabelVoxels is not null)
        {
            w.WriteStartObject("labelVoxels");
            foreach (var (value, count) in c.LabelVoxels) w.WriteNumber(value.ToString(System.Globalization.CultureInfo.InvariantCulture), count);
            w.WriteEndObject();
        }
        if (c.Scores is not null)
        {
            w.WriteStartArray("scores");
            foreach (var s in c.Scores)
            {
                w.WriteStartObject();
                w.WriteNumber("index", s.Index);
                w.WriteString("name", s.Name);
                w.WriteNumber("score", s.Score);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartObject("timings");
        w.WriteNumber("loadMs", Ms(c.Load));
        if (c.Timings is { } t)
        {
            w.WriteNumber("preprocessMs", Ms(t.Preprocess));
            w.WriteNumber("inferenceMs", Ms(t.Inference));
            w.WriteNumber("postprocessMs", Ms(t.Postprocess));
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    static TimeSpan Sum(ModelWorkerResult r, Func<CaseResult, TimeSpan> f) => r.Cases.Aggregate(TimeSpan.Zero, (a, c) => a + f(c));

    static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds, 3);
}
