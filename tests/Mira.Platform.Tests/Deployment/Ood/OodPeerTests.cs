using System.Globalization;
using System.Text.Json;
using Mira.Platform.Deployment.Ood;
using Mira.Testing;

namespace Mira.Platform.Tests.Deployment.Ood;

/// <summary>The histogram distances and the profile's percentiles against SciPy and NumPy on the same numbers (python3-scipy).</summary>
public class OodPeerTests
{
    const string Python = "/usr/bin/python3";

    const string Script = """
        import json, sys
        import numpy as np
        from scipy.spatial.distance import jensenshannon
        from scipy.stats import wasserstein_distance
        d = json.load(open(sys.argv[1]))
        c = np.array(d["centres"])
        out = []
        for p, q in d["pairs"]:
            out.append([float(jensenshannon(p, q, base=2)), float(wasserstein_distance(c, c, p, q))])
        v = np.array(d["values"])
        print(json.dumps({"distances": out, "percentiles": [float(np.percentile(v, q)) for q in (5, 50, 95)]}))
        """;

    [Fact]
    public void Jensen_Shannon_and_Wasserstein_distances_equal_scipy_and_percentiles_equal_numpy()
    {
        ExternalTool.Require("python3", "python3-scipy");
        var profile = OodScorerTests.Profile();
        var mean = profile.Modalities["CT"].MeanHistogram;
        var spec = profile.Modalities["CT"].HistogramSpec;
        var studies = new[]
        {
            OodScorerTests.Features(new SeriesSpec { Key = "p1", Seed = 31 }).Histogram!,
            OodScorerTests.Features(new SeriesSpec { Key = "p2", Seed = 32, Shift = 300 }).Histogram!,
            OodScorerTests.Features(new SeriesSpec { Key = "p3", Seed = 33, Shift = -150 }).Histogram!,
        };
        // Unnormalised and disjoint histograms too: both sides normalise, and disjoint ones are at distance 1.
        var ramp = Enumerable.Range(0, spec.Bins).Select(i => (double)i).ToArray();
        var first = Enumerable.Range(0, spec.Bins).Select(i => i == 0 ? 3.0 : 0).ToArray();
        var last = Enumerable.Range(0, spec.Bins).Select(i => i == spec.Bins - 1 ? 1.0 : 0).ToArray();
        var pairs = studies.Select(h => (h, mean)).Append((ramp, mean)).Append((first, last)).ToList();
        double[] values = [2.5, 1.0, 1.25, 3.0, 0.625, 2.0, 1.0];
        var input = Path.Combine(Path.GetTempPath(), $"mira-ood-{Guid.NewGuid():N}.json");
        File.WriteAllText(input, JsonSerializer.Serialize(new
        {
            centres = Enumerable.Range(0, spec.Bins).Select(spec.Centre),
            pairs = pairs.Select(p => new[] { p.Item1, p.Item2 }),
            values,
        }));
        try
        {
            var output = JsonDocument.Parse(ExternalTool.Run(Python, "-c", Script, input)).RootElement;
            var expected = output.GetProperty("distances").EnumerateArray().Select(e => (Js: e[0].GetDouble(), W: e[1].GetDouble())).ToList();
            for (var i = 0; i < pairs.Count; i++)
            {
                Assert.Equal(expected[i].Js, HistogramDistance.JensenShannon(pairs[i].Item1, pairs[i].Item2), 1e-9);
                Assert.Equal(expected[i].W, HistogramDistance.Wasserstein1(pairs[i].Item1, pairs[i].Item2, spec), 1e-9);
            }
            Assert.Equal(1, HistogramDistance.JensenShannon(first, last), 12);
            var sorted = values.Order().ToList();
            var percentiles = output.GetProperty("percentiles").EnumerateArray().Select(e => e.GetDouble()).ToList();
            Assert.Equal(percentiles[0], NumericRange.Percentile(sorted, 0.05), 1e-12);
            Assert.Equal(percentiles[1], NumericRange.Percentile(sorted, 0.5), 1e-12);
            Assert.Equal(percentiles[2], NumericRange.Percentile(sorted, 0.95), 1e-12);
        }
        finally { File.Delete(input); }
    }

    [Fact]
    public void The_scorer_reports_the_distance_scipy_computes_for_the_study_and_the_training_mean()
    {
        var profile = OodScorerTests.Profile();
        var study = OodScorerTests.Features(new SeriesSpec { Key = "p4", Seed = 34, Shift = 300 });
        var r = OodScorer.Score(profile, study);
        Assert.Equal(HistogramDistance.JensenShannon(study.Histogram!, profile.Modalities["CT"].MeanHistogram), r.HistogramJensenShannon!.Value, 15);
        var reason = Assert.Single(r.Reasons);
        Assert.Contains(r.HistogramJensenShannon.Value.ToString("0.00", CultureInfo.InvariantCulture) + " > 0.10", reason);
    }
}
