using Mira.Imaging.Volumes;
using Mira.Metrics;
using Mira.Metrics.Statistics;
using Mira.Platform.Evaluations.Engine;
using static Mira.Platform.Tests.Evaluations.EvaluationFixtures;

namespace Mira.Platform.Tests.Evaluations;

public class EvaluationEngineTests
{
    [Fact]
    public void Per_case_metrics_are_those_of_Mira_Metrics_and_the_known_overlaps()
    {
        var cases = Cases();
        var r = EvaluationEngine.Evaluate(cases, TwoLabelSpec());
        Assert.Equal(["core", "rim", "whole"], r.Structures.Select(s => s.Name));
        foreach (var c in cases)
        {
            var got = r.PerCase.Single(x => x.CaseId == c.CaseId).Structures!;
            foreach (var (values, i) in new[] { (new[] { 1 }, 0), (new[] { 2 }, 1), (new[] { 1, 2 }, 2) })
            {
                var expected = SegmentationMetrics.Compute(Union(c.Reference!, values), Union(c.Prediction!, values));
                Assert.Equal(expected, got[i]);
            }
        }
        // An 8³ box shifted by s voxels along x overlaps (8 − s)·64 voxels: Dice (8 − s)/8 for the whole structure.
        for (var c = 0; c < 7; c++)
            Assert.Equal((8.0 - c % 5) / 8, r.PerCase[c].Structures![2].Dice, 12);
        Assert.Equal(0.512, r.PerCase[0].Structures![2].ReferenceVolumeMm3 / 1000, 12);
        Assert.Equal(0, r.PerCase[7].Structures![2].Dice); // empty reference, a false positive
        Assert.True(double.IsPositiveInfinity(r.PerCase[7].Structures![2].Hd95MaxOfDirectedMm));
    }

    static BinaryMask Union(Volume v, int[] values)
    {
        var m = BinaryMask.FromVolume(v, values[0]);
        foreach (var x in values.Skip(1))
        {
            var more = BinaryMask.FromVolume(v, x);
            for (var i = 0; i < m.Length; i++) m.Voxels[i] |= more.Voxels[i];
        }
        return m;
    }

    [Fact]
    public void The_summary_interval_resamples_patients_so_two_cases_of_one_patient_stay_together()
    {
        // Each patient holds two cases with the same Dice: a patient bootstrap of the per-patient values (same seed)
        // must give exactly the engine's interval, which a resampling of single cases would not.
        var cases = new List<EvaluationCase>();
        for (var p = 0; p < 6; p++)
            for (var twin = 0; twin < 2; twin++)
                cases.Add(new EvaluationCase($"c{p}{twin}", $"patient-{p}")
                {
                    Reference = LabelMap(16, Box(4, 8)),
                    Prediction = LabelMap(16, Box(4, 8, p % 4)),
                });
        var spec = new EvaluationSpec(EvaluationTask.Segmentation, [new EvaluationLabel(1, "lesion")]) { BootstrapReplicates = 300, BootstrapSeed = 11 };
        var dice = EvaluationEngine.Evaluate(cases, spec).Segmentation!.Structures[0].Metrics.Single(m => m.Metric == "dice").Mean;

        var perPatient = Enumerable.Range(0, 6).Select(p => (8.0 - p % 4) / 8).ToArray();
        var byPatient = Bootstrap.Run(6, null, idx => idx.Average(i => perPatient[i]), new BootstrapOptions(300, 11));
        Assert.Equal(byPatient.Estimate, dice.Estimate, 12);
        Assert.Equal(byPatient.Lower, dice.Lower, 12);
        Assert.Equal(byPatient.Upper, dice.Upper, 12);
        var perCase = cases.Select((c, i) => perPatient[i / 2]).ToArray();
        var byCase = Bootstrap.Run(12, null, idx => idx.Average(i => perCase[i]), new BootstrapOptions(300, 11));
        Assert.NotEqual((byCase.Lower, byCase.Upper), (dice.Lower, dice.Upper));
        Assert.True(dice.Upper - dice.Lower > byCase.Upper - byCase.Lower, "the patient interval is the wider one");
    }

    [Fact]
    public void Subgroup_gaps_are_the_subgroup_minus_the_overall_mean_with_Subgroups_intervals()
    {
        var cases = Cases();
        var spec = TwoLabelSpec();
        var r = EvaluationEngine.Evaluate(cases, spec);
        var site = r.Subgroups.Single(g => g.Field == "site");
        Assert.Equal("dice", site.Metric);
        Assert.Equal("patients", site.Resampling);
        Assert.Equal(["(all)", "A", "B"], site.Rows.Select(x => x.Group));
        var values = r.PerCase.Select(c => c.RankingValue).ToArray();
        var overall = values.Average();
        var a = r.PerCase.Where(c => c.Subgroups["site"] == "A").Average(c => c.RankingValue);
        Assert.Equal(overall, site.Rows[0].Value.Estimate, 12);
        Assert.Equal(a, site.Rows[1].Value.Estimate, 12);
        Assert.Equal(a - overall, site.Rows[1].Gap.Estimate, 12);
        Assert.NotEqual(0, site.Rows[1].Gap.Estimate);
        Assert.True(site.Rows[1].Gap.Lower <= site.Rows[1].Gap.Estimate && site.Rows[1].Gap.Estimate <= site.Rows[1].Gap.Upper);

        // The same figures from Mira.Metrics' Subgroups directly: P1 and P2 each lie within one site.
        var patients = r.PerCase.Select(c => int.Parse(c.PatientKey[1..]) - 1).ToArray();
        var groups = r.PerCase.Select(c => c.Subgroups["site"]).ToArray();
        var direct = Subgroups.Evaluate(groups, null, idx => idx.Average(i => values[i]), new BootstrapOptions(spec.BootstrapReplicates, spec.BootstrapSeed, 0.95), patients);
        Assert.Equal(direct.Select(d => (d.Group, d.Value.Lower, d.Value.Upper, d.Gap.Lower, d.Gap.Upper)),
            site.Rows.Select(d => (d.Group, d.Value.Lower, d.Value.Upper, d.Gap.Lower, d.Gap.Upper)));
    }

    [Fact]
    public void A_field_where_one_patient_has_cases_in_two_groups_resamples_cases()
    {
        var cases = Cases();
        cases[1] = cases[1] with { Subgroups = new Dictionary<string, string> { ["site"] = "B", ["sex"] = "F" } }; // P1: case-00 at A, case-01 at B
        var r = EvaluationEngine.Evaluate(cases, TwoLabelSpec(100));
        Assert.Equal("cases", r.Subgroups.Single(g => g.Field == "site").Resampling);
        Assert.Equal("patients", r.Subgroups.Single(g => g.Field == "sex").Resampling);
    }

    [Fact]
    public void Failure_cases_are_the_worst_by_the_ranking_metric_named_by_case_id()
    {
        var r = EvaluationEngine.Evaluate(Cases(), TwoLabelSpec(50) with { FailureCases = 3 });
        Assert.Equal(["case-07", "case-04", "case-03"], r.FailureCases.Select(f => f.CaseId));
        var hd = EvaluationEngine.Evaluate(Cases(), TwoLabelSpec(50) with { FailureCases = 2, RankingMetric = "hd95_mm" });
        Assert.False(hd.HigherIsBetter);
        Assert.Equal("case-07", hd.FailureCases[0].CaseId); // an infinite HD95 is the worst
    }

    [Fact]
    public void Speed_and_volume_agreement_are_summarised()
    {
        var r = EvaluationEngine.Evaluate(Cases(), TwoLabelSpec(50));
        var seconds = Enumerable.Range(0, 8).Select(c => 1.5 + c * 0.25).ToArray();
        Assert.Equal(seconds.Average(), r.Speed!.Mean, 12);
        Assert.Equal(SegmentationMetrics.PercentileSorted(seconds, 95), r.Speed.P95, 12);
        var whole = r.Segmentation!.Structures[2].Volumes;
        var diffs = r.PerCase.Select(c => (c.Structures![2].PredictionVolumeMm3 - c.Structures[2].ReferenceVolumeMm3) / 1000).ToArray();
        var mean = diffs.Average();
        var sd = Math.Sqrt(diffs.Sum(d => (d - mean) * (d - mean)) / (diffs.Length - 1));
        Assert.Equal(mean, whole.MeanDifference, 12);
        Assert.Equal(mean + 1.96 * sd, whole.UpperLimit, 12);
        Assert.Equal(8, whole.Points.Count);
    }

    [Fact]
    public void Results_do_not_depend_on_the_order_of_the_cases()
    {
        var a = EvaluationEngine.Evaluate(Cases(true), TwoLabelSpec(100));
        var shuffled = Cases(true);
        shuffled.Reverse();
        var b = EvaluationEngine.Evaluate(shuffled, TwoLabelSpec(100));
        Assert.Equal(ReportJson.Write(a, Provenance()), ReportJson.Write(b, Provenance()));
    }

    [Fact]
    public void Refuses_a_prediction_on_another_grid_naming_the_case()
    {
        var cases = Cases();
        cases[3] = cases[3] with { Prediction = cases[3].Prediction!.WithGeometry(VolumeGeometry.Identity(1, 1, 2)) };
        var e = Assert.Throws<EvaluationException>(() => EvaluationEngine.Evaluate(cases, TwoLabelSpec(10)));
        Assert.Contains("case-03", e.Message);
    }

    [Fact]
    public void Refuses_repeated_case_ids_missing_predictions_and_unknown_metrics()
    {
        var cases = Cases();
        Assert.Contains("twice", Assert.Throws<EvaluationException>(() => EvaluationEngine.Evaluate([.. cases, cases[0]], TwoLabelSpec(10))).Message);
        var missing = cases.Select((c, i) => i == 2 ? c with { Prediction = null } : c).ToList();
        Assert.Contains("case-02", Assert.Throws<EvaluationException>(() => EvaluationEngine.Evaluate(missing, TwoLabelSpec(10))).Message);
        Assert.Contains("ranking metric", Assert.Throws<EvaluationException>(() => EvaluationEngine.Evaluate(cases, TwoLabelSpec(10) with { RankingMetric = "accuracy" })).Message);
        Assert.Contains("background", Assert.Throws<EvaluationException>(() => EvaluationEngine.Evaluate(cases, TwoLabelSpec(10) with { Regions = [new("all", [0, 1])] })).Message);
        var someProbabilities = Cases(true).Select((c, i) => i == 5 ? c with { Probability = null } : c).ToList();
        Assert.Contains("case-05", Assert.Throws<EvaluationException>(() => EvaluationEngine.Evaluate(someProbabilities, TwoLabelSpec(10))).Message);
    }

    [Fact]
    public void Reads_label_maps_from_NIfTI_files_as_the_inference_writes_them()
    {
        var dir = TempFolder();
        try
        {
            var cases = Cases(true).Take(4).ToList();
            var fromFiles = cases.Select(c =>
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
            var spec = TwoLabelSpec(50);
            Assert.Equal(ReportJson.Write(EvaluationEngine.Evaluate(cases, spec), Provenance()), ReportJson.Write(EvaluationEngine.Evaluate(fromFiles, spec), Provenance()));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
