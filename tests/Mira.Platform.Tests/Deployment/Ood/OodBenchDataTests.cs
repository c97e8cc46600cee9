using System.Text.Json;
using Mira.Platform.Deployment.Ood;
using Mira.Testing;

namespace Mira.Platform.Tests.Deployment.Ood;

/// <summary>
/// The guard on series another program wrote: the bench studies of ../shared/bench/gen_bench_data.py (pydicom; CT and
/// a T1 and a T2 MR series at scale 0.05), generated once per class. Histograms are compared with NumPy's over the same
/// files read by pydicom.
/// </summary>
public sealed class OodBenchDataTests : IDisposable
{
    const string Python = "/usr/bin/python3";
    readonly string data = Path.Combine(Path.GetTempPath(), "mira-ood-bench-" + Guid.NewGuid().ToString("N"));

    const string HistogramScript = """
        import sys, glob, json
        import numpy as np, pydicom
        folder, low, high, bins = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
        counts = np.zeros(bins)
        for f in sorted(glob.glob(folder + "/**/*.dcm", recursive=True)):
            ds = pydicom.dcmread(f)
            v = ds.pixel_array.astype(np.float64) * float(getattr(ds, "RescaleSlope", 1)) + float(getattr(ds, "RescaleIntercept", 0))
            width = (high - low) / bins
            i = np.clip(np.floor((v - low) / width), 0, bins - 1).astype(int)
            counts += np.bincount(i.ravel(), minlength=bins)
        print(json.dumps((counts / counts.sum()).tolist()))
        """;

    public OodBenchDataTests() =>
        ExternalTool.Run(Python, Path.Combine(Corpus.SharedRoot, "bench", "gen_bench_data.py"), data, "--only", "ct,mr", "--scale", "0.05", "--jobs", "1");

    public void Dispose()
    {
        try { Directory.Delete(data, true); } catch (IOException) { }
    }

    [Fact]
    public void Histograms_equal_numpy_over_the_files_pydicom_reads()
    {
        foreach (var (folder, modality) in new[] { ("ct", "CT"), ("mr/s1", "MR") })
        {
            var features = SeriesFeatureReader.ReadFolder(Path.Combine(data, folder));
            Assert.Equal(modality, features.Modality);
            var spec = HistogramSpec.For(modality);
            var expected = JsonSerializer.Deserialize<double[]>(ExternalTool.Run(Python, "-c", HistogramScript, Path.Combine(data, folder),
                spec.Low.ToString(System.Globalization.CultureInfo.InvariantCulture), spec.High.ToString(System.Globalization.CultureInfo.InvariantCulture),
                spec.Bins.ToString(System.Globalization.CultureInfo.InvariantCulture)))!;
            Assert.Equal(expected.Length, features.Histogram!.Count);
            for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], features.Histogram[i], 1e-12);
        }
    }

    [Fact]
    public void A_T2_series_is_outside_a_profile_of_the_T1_series_and_the_T1_is_inside()
    {
        var t1 = SeriesFeatureReader.ReadFolder(Path.Combine(data, "mr", "s1"));
        var ct = SeriesFeatureReader.ReadFolder(Path.Combine(data, "ct"));
        var profile = TrainingProfile.Build([t1, ct], "bench");
        Assert.Equal(["CT", "MR"], profile.Modalities.Keys);
        Assert.Equal(3, profile.Modalities["MR"].Numeric[OodParameters.MagneticFieldStrength].Min);
        Assert.Equal(120, profile.Modalities["CT"].Numeric[OodParameters.Kvp].Max);

        var self = OodScorer.Score(profile, t1);
        Assert.False(self.OutsideValidatedRange);
        Assert.Equal(0, self.Score);
        Assert.False(OodScorer.Score(profile, ct).OutsideValidatedRange);

        var t2 = OodScorer.Score(profile, SeriesFeatureReader.ReadFolder(Path.Combine(data, "mr", "s2")));
        Assert.True(t2.OutsideValidatedRange);
        Assert.Contains("repetition time 3200.0 ms is outside the training range 2300.0 ms", t2.Reasons);
        Assert.Contains("echo time 409.0 ms is outside the training range 2.98 ms", t2.Reasons);
    }
}
