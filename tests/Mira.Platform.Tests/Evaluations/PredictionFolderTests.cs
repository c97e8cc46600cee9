using Mira.Platform.Evaluations;
using Mira.Platform.Evaluations.Engine;
using static Mira.Platform.Tests.Evaluations.EvaluationFixtures;

namespace Mira.Platform.Tests.Evaluations;

public sealed class PredictionFolderTests : IDisposable
{
    readonly string root = TempFolder();
    readonly string predictions;
    readonly string labels;

    public PredictionFolderTests()
    {
        predictions = Path.Combine(root, "out");
        labels = Path.Combine(root, "labels");
        Directory.CreateDirectory(predictions);
        Directory.CreateDirectory(labels);
        foreach (var c in Cases(true).Take(3))
        {
            WriteNifti(Path.Combine(labels, c.CaseId + ".nii.gz"), c.Reference!);
            WriteNifti(Path.Combine(predictions, c.CaseId + ".nii.gz"), c.Prediction!);
            WriteNifti(Path.Combine(predictions, c.CaseId + ".prob.nii.gz"), c.Probability!);
        }
    }

    public void Dispose() => Directory.Delete(root, true);

    void WritePredictions(string cases) => File.WriteAllText(Path.Combine(predictions, "predictions.json"),
        $$$"""{"model": {"name": "m", "version": "1", "sha256": "x", "task": "segmentation"}, "cases": [{{{cases}}}], "totals": {} }""");

    static string Ok(string id) =>
        $$$"""{"case": "{{{id}}}", "status": "ok", "labelMap": "{{{id}}}.nii.gz", "probability": "{{{id}}}.prob.nii.gz", "timings": {"loadMs": 100, "preprocessMs": 20, "inferenceMs": 400, "postprocessMs": 30} }""";

    [Fact]
    public void Pairs_the_inference_output_with_the_reference_label_maps()
    {
        WritePredictions(string.Join(",", Ok("case-00"), Ok("case-01"), Ok("case-02")));
        var info = new Dictionary<string, CaseInfo> { ["case-00"] = new("P1", new Dictionary<string, string> { ["site"] = "A" }) };
        var cases = PredictionFolder.SegmentationCases(predictions, labels, info);
        Assert.Equal(["case-00", "case-01", "case-02"], cases.Select(c => c.CaseId));
        Assert.Equal(["P1", "case-01", "case-02"], cases.Select(c => c.PatientKey));
        Assert.Equal(0.55, cases[0].InferenceSeconds!.Value, 12);
        Assert.EndsWith("case-01.prob.nii.gz", cases[1].ProbabilityPath);
        var r = EvaluationEngine.Evaluate(cases, TwoLabelSpec(20));
        var direct = EvaluationEngine.Evaluate(Cases(true).Take(3), TwoLabelSpec(20));
        Assert.Equal(direct.PerCase.Select(c => c.Structures), r.PerCase.Select(c => c.Structures));
        Assert.Equal(direct.Segmentation!.VoxelCalibration!.Brier, r.Segmentation!.VoxelCalibration!.Brier);
    }

    [Fact]
    public void Refuses_failed_cases_missing_references_and_paths_outside_the_folder()
    {
        WritePredictions(Ok("case-00") + """, {"case": "case-09", "status": "failed", "error": "wrong modality", "timings": {"loadMs": 3}}""");
        Assert.Contains("case-09 (wrong modality)", Assert.Throws<EvaluationException>(() => PredictionFolder.SegmentationCases(predictions, labels)).Message);
        WritePredictions(Ok("case-00").Replace("\"labelMap\": \"case-00.nii.gz\"", "\"labelMap\": \"../labels/case-00.nii.gz\"", StringComparison.Ordinal));
        Assert.Contains("not a plain file name", Assert.Throws<EvaluationException>(() => PredictionFolder.SegmentationCases(predictions, labels)).Message);
        File.Delete(Path.Combine(labels, "case-01.nii.gz"));
        WritePredictions(Ok("case-01"));
        Assert.Contains("no reference label map for case case-01", Assert.Throws<EvaluationException>(() => PredictionFolder.SegmentationCases(predictions, labels)).Message);
        WritePredictions("""{"status": "ok"}""");
        Assert.Contains("not a predictions file", Assert.Throws<EvaluationException>(() => PredictionFolder.SegmentationCases(predictions, labels)).Message);
    }
}
