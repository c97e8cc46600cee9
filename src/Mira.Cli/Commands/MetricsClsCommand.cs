using System.CommandLine;
using Mira.Metrics.Reports;
using Mira.Metrics.Statistics;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira metrics cls PREDICTIONS.csv [--by COLUMN] [--threshold T] [--bootstrap N] [--seed S] [--confidence C]
/// [--bins B] [--cluster COLUMN] [--json]</c>: classification and grading metrics of a predictions CSV (columns <c>label</c> and
/// <c>score</c> and/or <c>prediction</c>; see <see cref="PredictionTable"/> and <see cref="ClassificationReport"/>).
/// </summary>
public static class MetricsClsCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("predictions") { Description = "CSV with a header: label, and score (binary) and/or prediction (class or grade); other columns for --by" };
        var by = new Option<string?>("--by") { Description = "subgroup column: each metric per group with its interval and its gap to the overall figure" };
        var threshold = new Option<double>("--threshold") { Description = "operating point: score ≥ threshold is positive", DefaultValueFactory = _ => 0.5 };
        var replicates = new Option<int>("--bootstrap") { Description = "bootstrap replicates", DefaultValueFactory = _ => BootstrapOptions.Default.Replicates };
        var seed = new Option<ulong>("--seed") { Description = "bootstrap seed", DefaultValueFactory = _ => 0 };
        var confidence = new Option<double>("--confidence") { Description = "confidence level of every interval", DefaultValueFactory = _ => 0.95 };
        var bins = new Option<int>("--bins") { Description = "equal-width calibration bins (ECE, reliability curve)", DefaultValueFactory = _ => 10 };
        var cluster = new Option<string?>("--cluster") { Description = "column of cluster keys (e.g. patient_id): the bootstrap resamples whole clusters" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var cmd = new Command("cls", "AUC (DeLong and bootstrap intervals), AP, sensitivity/specificity with Wilson intervals, calibration, kappas, confusion matrix; per subgroup with --by")
        {
            file, by, threshold, replicates, seed, confidence, bins, cluster, json,
        };
        cmd.SetAction(r =>
        {
            try
            {
                var options = new ClassificationOptions(r.GetValue(threshold), r.GetValue(bins), r.GetValue(by),
                    new BootstrapOptions(r.GetValue(replicates), r.GetValue(seed), r.GetValue(confidence)), r.GetValue(cluster));
                var result = ClassificationReport.Evaluate(PredictionTable.Read(r.GetValue(file)!), options);
                Console.Write(r.GetValue(json) ? ClassificationReport.ToJson(result) + "\n" : ClassificationReport.ToText(result));
                return 0;
            }
            catch (Exception e) when (e is FormatException or IOException or ArgumentException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return cmd;
    }
}
