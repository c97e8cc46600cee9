using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mira.Imaging.Volumes;
using Mira.Platform.Evaluations.Engine;
using Mira.Testing;
using static Mira.Platform.Tests.Evaluations.EvaluationFixtures;

namespace Mira.Platform.Tests.Evaluations;

/// <summary>
/// The engine's figures against the peers on the same files: plastimatch (<c>plastimatch dice --all</c>) for the
/// per-case overlaps, scikit-learn (<c>roc_auc_score</c>, <c>brier_score_loss</c>, <c>calibration_curve</c>,
/// <c>cohen_kappa_score</c>) with nibabel and numpy for AUC, calibration and kappa. The peers are Debian packages
/// (plastimatch, python3-sklearn, python3-nibabel) that tools/test.sh installs; a missing one fails the test.
/// </summary>
public partial class PeerComparisonTests
{
    const string Python = "/usr/bin/python3";

    [GeneratedRegex(@"^\s*([A-Za-z][A-Za-z ().0-9]*?)\s*[:=]\s*([-+0-9.eE]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex PlastimatchLine();

    [Fact]
    public void Per_case_Dice_voxel_counts_and_boundary_Hausdorff_equal_plastimatch()
    {
        var tool = ExternalTool.Require("plastimatch", "plastimatch");
        var dir = TempFolder();
        try
        {
            var cases = Cases().Take(5).Select(c => c with
            {
                Reference = WithSpacing(c.Reference!, 0.8, 1.0, 2.0),
                Prediction = WithSpacing(c.Prediction!, 0.8, 1.0, 2.0),
            }).ToList();
            var spec = TwoLabelSpec(20);
            var r = EvaluationEngine.Evaluate(cases, spec);
            foreach (var (c, result) in cases.Zip(r.PerCase))
                for (var s = 0; s < r.Structures.Count; s++)
                {
                    var values = r.Structures[s].Values;
                    var a = Path.Combine(dir, $"{c.CaseId}-{s}-ref.nii.gz");
                    var b = Path.Combine(dir, $"{c.CaseId}-{s}-pred.nii.gz");
                    WriteNifti(a, Binary(c.Reference!, values));
                    WriteNifti(b, Binary(c.Prediction!, values));
                    var p = new Dictionary<string, double>();
                    foreach (Match m in PlastimatchLine().Matches(ExternalTool.Run(tool, "dice", "--all", a, b)))
                        p[m.Groups[1].Value.Trim()] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                    var x = result.Structures![s];
                    Assert.Equal(x.IntersectionVoxels, (long)p["TP"]);
                    Assert.Equal(x.ReferenceVoxels - x.IntersectionVoxels, (long)p["FN"]);
                    Assert.Equal(x.PredictionVoxels - x.IntersectionVoxels, (long)p["FP"]);
                    Assert.True(Math.Abs(p["DICE"] - x.Dice) <= 5e-7, $"{c.CaseId} {r.Structures[s].Name}: Dice {p["DICE"]} vs {x.Dice}");
                    Assert.True(Math.Abs(p["Hausdorff distance (boundary)"] - x.HausdorffMm) <= 5e-7,
                        $"{c.CaseId} {r.Structures[s].Name}: boundary Hausdorff {p["Hausdorff distance (boundary)"]} vs {x.HausdorffMm}");
                }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    static Volume WithSpacing(Volume v, double sx, double sy, double sz) => v.WithGeometry(VolumeGeometry.Identity(sx, sy, sz));

    static Volume Binary(Volume labels, IReadOnlyList<int> values)
    {
        var v = Volume.Create(labels.Size, VoxelType.UInt8, labels.Geometry);
        for (long i = 0; i < labels.VoxelCount; i++) v.SetValue(i, values.Contains((int)labels.GetValue(i)) ? 1 : 0);
        return v;
    }

    const string VoxelScript = """
        import json, sys
        import numpy as np, nibabel as nib
        from sklearn.metrics import roc_auc_score, brier_score_loss
        from sklearn.calibration import calibration_curve
        folder, ids = sys.argv[1], sys.argv[2].split(",")
        ys, ps, truth, score = [], [], [], []
        for i in ids:
            ref = np.asarray(nib.load(f"{folder}/{i}.ref.nii.gz").dataobj)
            prob = np.asarray(nib.load(f"{folder}/{i}.prob.nii.gz").get_fdata(), dtype=np.float64)
            y = np.isin(ref, [1, 2]).astype(int).ravel()
            ys.append(y); ps.append(prob.ravel())
            truth.append(int(y.any())); score.append(float(prob.max()))
        y = np.concatenate(ys); p = np.concatenate(ps)
        true, pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
        counts = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], p), minlength=10)
        counts = counts[counts > 0]
        ece = float(np.sum(counts / len(y) * np.abs(true - pred)))
        print(json.dumps({"brier": brier_score_loss(y, p), "true": true.tolist(), "pred": pred.tolist(), "counts": counts.tolist(),
            "ece": ece, "auc": roc_auc_score(truth, score), "n": int(len(y))}))
        """;

    [Fact]
    public void Voxel_calibration_and_detection_AUC_equal_scikit_learn_on_the_same_files()
    {
        var dir = TempFolder();
        try
        {
            var cases = Cases(true).Select(c =>
            {
                WriteNifti(Path.Combine(dir, c.CaseId + ".ref.nii.gz"), c.Reference!);
                WriteNifti(Path.Combine(dir, c.CaseId + ".nii.gz"), c.Prediction!);
                WriteNifti(Path.Combine(dir, c.CaseId + ".prob.nii.gz"), c.Probability!);
                return c with
                {
                    Reference = null, Prediction = null, Probability = null,
                    ReferencePath = Path.Combine(dir, c.CaseId + ".ref.nii.gz"),
                    PredictionPath = Path.Combine(dir, c.CaseId + ".nii.gz"),
                    ProbabilityPath = Path.Combine(dir, c.CaseId + ".prob.nii.gz"),
                };
            }).ToList();
            // A margin past the volume's edge and room for every voxel: the sample is the whole volume, as sklearn gets it.
            var spec = TwoLabelSpec(50) with { CalibrationMarginVoxels = 1000, CalibrationVoxelsPerCase = 1_000_000 };
            var r = EvaluationEngine.Evaluate(cases, spec).Segmentation!;
            using var peer = JsonDocument.Parse(ExternalTool.Run(Python, "-c", VoxelScript, dir, string.Join(",", cases.Select(c => c.CaseId))));
            var p = peer.RootElement;
            var cal = r.VoxelCalibration!;
            Assert.Equal(p.GetProperty("n").GetInt32(), cal.Samples);
            Assert.Equal(p.GetProperty("brier").GetDouble(), cal.Brier, 12);
            Assert.Equal(p.GetProperty("ece").GetDouble(), cal.ExpectedCalibrationError, 12);
            Assert.Equal(Doubles(p, "true").Length, cal.Reliability.Count);
            for (var b = 0; b < cal.Reliability.Count; b++)
            {
                Assert.Equal(Doubles(p, "true")[b], cal.Reliability[b].ObservedFraction, 12);
                Assert.Equal(Doubles(p, "pred")[b], cal.Reliability[b].MeanPredicted, 12);
                Assert.Equal((int)Doubles(p, "counts")[b], cal.Reliability[b].Count);
            }
            Assert.Equal(p.GetProperty("auc").GetDouble(), r.Detection!.Auc.Estimate, 12);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    static double[] Doubles(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    const string ClassificationScript = """
        import json, sys
        import numpy as np
        from sklearn.metrics import roc_auc_score, brier_score_loss, cohen_kappa_score, accuracy_score
        from sklearn.calibration import calibration_curve
        d = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
        truth, pred, s = d[:, 0].astype(int), d[:, 1].astype(int), d[:, 2:]
        y = (truth == 1).astype(int); p = s[:, 1]
        true, mean = calibration_curve(y, p, n_bins=10, strategy="uniform")
        print(json.dumps({"auc": roc_auc_score(y, p), "brier": brier_score_loss(y, p), "true": true.tolist(), "pred": mean.tolist(),
            "accuracy": accuracy_score(truth, pred), "kappa": cohen_kappa_score(truth, pred, labels=[0, 1, 2]),
            "qwk": cohen_kappa_score(truth, pred, labels=[0, 1, 2], weights="quadratic"),
            "ovr": [roc_auc_score((truth == k).astype(int), s[:, k]) for k in range(3)]}))
        """;

    [Fact]
    public void Classification_AUC_calibration_and_kappa_equal_scikit_learn()
    {
        var rng = new Random(5);
        var cases = new List<EvaluationCase>();
        for (var i = 0; i < 60; i++)
        {
            var truth = i % 3;
            var raw = Enumerable.Range(0, 3).Select(k => rng.NextDouble() + (k == truth ? 0.6 : 0)).ToArray();
            var scores = raw.Select(x => Math.Round(x / raw.Sum(), 3)).ToArray(); // rounded: ties, as real outputs have
            cases.Add(new EvaluationCase($"c{i:D3}", $"p{i / 2}") { ReferenceClass = truth, ClassScores = scores, Subgroups = new Dictionary<string, string> { ["site"] = (i / 2 % 2).ToString(CultureInfo.InvariantCulture) } });
        }
        var spec = new EvaluationSpec(EvaluationTask.Classification, [new(0, "none"), new(1, "mild"), new(2, "severe")]) { BootstrapReplicates = 200 };
        var r = EvaluationEngine.Evaluate(cases, spec);
        var csv = new StringBuilder("truth,pred,s0,s1,s2\n");
        foreach (var c in r.PerCase)
            csv.Append(CultureInfo.InvariantCulture, $"{c.Classification!.ReferenceClass},{c.Classification.PredictedClass},{string.Join(",", c.Classification.Scores.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}\n");
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, csv.ToString());
            using var peer = JsonDocument.Parse(ExternalTool.Run(Python, "-c", ClassificationScript, file));
            var p = peer.RootElement;
            var k = r.Classification!;
            Assert.Equal(p.GetProperty("auc").GetDouble(), k.Positive.Auc.Estimate, 12);
            Assert.Equal(p.GetProperty("brier").GetDouble(), k.Positive.Calibration!.Brier, 12);
            Assert.Equal(Doubles(p, "pred").Length, k.Positive.Calibration.Reliability.Count);
            for (var b = 0; b < Doubles(p, "pred").Length; b++)
            {
                Assert.Equal(Doubles(p, "pred")[b], k.Positive.Calibration.Reliability[b].MeanPredicted, 12);
                Assert.Equal(Doubles(p, "true")[b], k.Positive.Calibration.Reliability[b].ObservedFraction, 12);
            }
            Assert.Equal(p.GetProperty("accuracy").GetDouble(), k.Accuracy.Estimate, 12);
            Assert.Equal(p.GetProperty("kappa").GetDouble(), k.Kappa.Estimate, 12);
            Assert.Equal(p.GetProperty("qwk").GetDouble(), k.QuadraticKappa.Estimate, 12);
            for (var c = 0; c < 3; c++) Assert.Equal(Doubles(p, "ovr")[c], k.OneVsRest[c].Auc.Estimate, 12);
            Assert.True(k.Positive.Auc.Lower < k.Positive.Auc.Estimate && k.Positive.Auc.Estimate < k.Positive.Auc.Upper);
        }
        finally
        {
            File.Delete(file);
        }
    }

    const string NumpyScript = """
        import json, sys
        import numpy as np
        d = json.loads(sys.argv[1])
        s = np.array(d["seconds"]); diff = np.array(d["predicted"]) - np.array(d["reference"])
        print(json.dumps({"mean": s.mean(), "median": float(np.percentile(s, 50)), "p95": float(np.percentile(s, 95)),
            "bias": diff.mean(), "sd": diff.std(ddof=1)}))
        """;

    [Fact]
    public void Speed_percentiles_and_Bland_Altman_limits_equal_numpy()
    {
        var cases = Cases().Select((c, i) => c with { InferenceSeconds = 0.4 + (i * 37 % 11) * 0.31 }).ToList();
        var r = EvaluationEngine.Evaluate(cases, TwoLabelSpec(20));
        var core = r.Segmentation!.Structures[0].Volumes;
        var input = JsonSerializer.Serialize(new Dictionary<string, double[]>
        {
            ["seconds"] = cases.Select(c => c.InferenceSeconds!.Value).ToArray(),
            ["reference"] = r.PerCase.Select(c => c.Structures![0].ReferenceVolumeMm3 / 1000).ToArray(),
            ["predicted"] = r.PerCase.Select(c => c.Structures![0].PredictionVolumeMm3 / 1000).ToArray(),
        });
        using var peer = JsonDocument.Parse(ExternalTool.Run(Python, "-c", NumpyScript, input));
        var p = peer.RootElement;
        Assert.Equal(p.GetProperty("mean").GetDouble(), r.Speed!.Mean, 12);
        Assert.Equal(p.GetProperty("median").GetDouble(), r.Speed.Median, 12);
        Assert.Equal(p.GetProperty("p95").GetDouble(), r.Speed.P95, 12);
        Assert.Equal(p.GetProperty("bias").GetDouble(), core.MeanDifference, 12);
        Assert.Equal(p.GetProperty("bias").GetDouble() - 1.96 * p.GetProperty("sd").GetDouble(), core.LowerLimit, 12);
        Assert.Equal(p.GetProperty("bias").GetDouble() + 1.96 * p.GetProperty("sd").GetDouble(), core.UpperLimit, 12);
    }
}
