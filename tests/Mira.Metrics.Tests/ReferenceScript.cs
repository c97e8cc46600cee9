using System.Globalization;
using System.Text;
using System.Text.Json;
using Mira.Testing;

namespace Mira.Metrics.Tests;

/// <summary>Runs <c>Reference/classification_reference.py</c> (scikit-learn, numpy, scipy) on a CSV written to a temporary file.</summary>
static class ReferenceScript
{
    public static JsonElement Run(string mode, string csv)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mira-metrics-{mode}-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, csv);
        try
        {
            var script = Path.Combine(AppContext.BaseDirectory, "Reference", "classification_reference.py");
            using var doc = JsonDocument.Parse(ExternalTool.Run(BenchMasks.Python, script, mode, path));
            return doc.RootElement.Clone();
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static string Csv(string header, IEnumerable<IEnumerable<double>> rows)
    {
        var sb = new StringBuilder();
        if (header.Length > 0) sb.Append(header).Append('\n');
        foreach (var r in rows) sb.Append(string.Join(',', r.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
        return sb.ToString();
    }

    /// <summary>|expected − actual| ≤ rel·max(1, |expected|).</summary>
    public static void Close(double expected, double actual, double rel = 1e-12, string what = "")
    {
        Assert.True(Math.Abs(expected - actual) <= rel * Math.Max(1, Math.Abs(expected)),
            $"{what}: expected {expected:R}, got {actual:R} (difference {actual - expected:E3})");
    }
}
