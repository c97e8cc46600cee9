using Mira.Metrics.Classification;
using Mira.Metrics.Statistics;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>The classification half of <see cref="EvaluationEngine"/>.</summary>
static class ClassificationEvaluation
{
    public static EvaluationResults Run(EvaluationCase[] cases, int[] patients, int patientCount, EvaluationSpec spec, BootstrapOptions options)
    {
        var classes = spec.Labels.Select(l => l.Value).ToArray();
        if (classes.Length < 2) throw new EvaluationException("classification needs at least two classes");
        var positive = spec.PositiveClass ?? spec.Labels[1].Value;
        var pos = Array.IndexOf(classes, positive);
        if (pos < 0) throw new EvaluationException($"positive class {positive} is not one of the labels ({string.Join(", ", classes)})");
        if (spec.Ranking != "reference_class_score") throw new EvaluationException($"classification ranks cases by reference_class_score, not {spec.Ranking}");

        var results = cases.Select(c => Case(c, classes, pos)).ToArray();
        var truth = results.Select(r => r.ReferenceClass).ToArray();
        var predicted = results.Select(r => r.PredictedClass).ToArray();
        var perCase = cases.Select((c, i) => new CaseResult(c.CaseId, c.PatientKey, c.Subgroups, null, null, null, results[i], c.InferenceSeconds,
            results[i].Scores[Array.IndexOf(classes, results[i].ReferenceClass)])).ToArray();

        double Accuracy(int[] idx) => idx.Count(i => truth[i] == predicted[i]) / (double)idx.Length;
        double K(int[] idx, KappaWeights w) => Kappa.Cohen(idx.Select(i => truth[i]).ToArray(), idx.Select(i => predicted[i]).ToArray(), w, classes);
        var oneVsRest = classes.Select((c, k) => (Truth: truth.Select(t => t == c ? 1 : 0).ToArray(), Scores: results.Select(r => r.Scores[k]).ToArray())).ToArray();
        var stats = Bootstrap.RunMany(cases.Length, null, idx =>
            [Accuracy(idx), K(idx, KappaWeights.None), K(idx, KappaWeights.Quadratic), .. oneVsRest.Select(o => RocAuc.Compute(o.Truth, o.Scores, idx))],
            options, patients);

        var positiveScores = results.Select(r => r.PositiveScore).ToArray();
        var binaryTruth = oneVsRest[pos].Truth;
        var binary = SummaryStatistics.BinaryScores($"probability of class {spec.Labels[pos].Name}", $"reference class is {spec.Labels[pos].Name}",
            binaryTruth, positiveScores, patients, spec, options, calibrate: true);
        var summary = new ClassificationSummary(spec.Labels, positive, ConfusionMatrix.Compute(truth, predicted, classes), stats[0], stats[1], stats[2],
            spec.Labels.Select((l, k) => new ClassAuc(l, stats[3 + k])).ToArray(), binary);

        var subgroups = EvaluationEngine.SubgroupsOf(perCase, patients,
            [("auc", idx => RocAuc.Compute(binaryTruth, positiveScores, idx)), ("accuracy", Accuracy)], options);
        return new EvaluationResults(spec, cases.Length, patientCount, [], perCase, null, summary, subgroups,
            SummaryStatistics.Speed(cases.Select(c => c.InferenceSeconds)), true, EvaluationEngine.Worst(perCase, true, spec.FailureCases));
    }

    static ClassificationCaseResult Case(EvaluationCase c, int[] classes, int positiveIndex)
    {
        var id = c.CaseId;
        if (c.ReferenceClass is not { } reference) throw new EvaluationException($"case {id}: no reference class");
        if (Array.IndexOf(classes, reference) < 0) throw new EvaluationException($"case {id}: reference class {reference} is not one of the labels ({string.Join(", ", classes)})");
        var scores = c.ClassScores ?? throw new EvaluationException($"case {id}: no class scores");
        if (scores.Count != classes.Length) throw new EvaluationException($"case {id}: {scores.Count} class scores for {classes.Length} classes");
        for (var k = 0; k < scores.Count; k++)
            if (!(scores[k] >= 0 && scores[k] <= 1)) throw new EvaluationException($"case {id}: the score of class {classes[k]} is {scores[k]}, not a probability in [0, 1]");
        var best = 0;
        for (var k = 1; k < scores.Count; k++) if (scores[k] > scores[best]) best = k;
        var predicted = c.PredictedClass ?? classes[best];
        if (Array.IndexOf(classes, predicted) < 0) throw new EvaluationException($"case {id}: predicted class {predicted} is not one of the labels");
        return new ClassificationCaseResult(reference, predicted, [.. scores], scores[positiveIndex]);
    }
}
