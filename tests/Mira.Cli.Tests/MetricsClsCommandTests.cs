using System.Text.Json;

namespace Mira.Cli.Tests;

public sealed class MetricsClsCommandTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "mira-metrics-cls-" + Guid.NewGuid().ToString("N"));

    public MetricsClsCommandTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    string Csv(string text)
    {
        var path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, text);
        return path;
    }

    // Site A: positives 0.9, 0.8, negatives 0.3, 0.1 (AUC 1). Site B: positives 0.6, 0.2, negatives 0.7, 0.4
    // (pairs 0.6>0.4, 0.2<both → AUC 1/4). Overall 4 positives × 4 negatives: 0.9, 0.8 beat all 4; 0.6 beats 0.4,
    // 0.3, 0.1; 0.2 beats 0.1 → 12/16.
    const string Cases = """
        case_id,label,score,prediction,site
        a1,1,0.9,1,A
        a2,1,0.8,1,A
        a3,0,0.3,0,A
        a4,0,0.1,0,A
        b1,1,0.6,1,B
        b2,1,0.2,0,B
        b3,0,0.7,1,"B"
        b4,0,0.4,0,B
        """;

    [Fact]
    public void Json_reports_auc_operating_point_kappa_and_subgroups()
    {
        var r = MiraProcess.Run("metrics", "cls", Csv(Cases), "--by", "site", "--bootstrap", "200", "--seed", "5", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var e = doc.RootElement;
        Assert.Equal(8, e.GetProperty("cases").GetInt32());
        var scores = e.GetProperty("scores");
        Assert.Equal(0.75, scores.GetProperty("auc").GetProperty("value").GetDouble(), 15);
        var op = scores.GetProperty("operating_point");
        // Threshold 0.5: TP a1 a2 b1, FN b2, FP b3, TN a3 a4 b4.
        Assert.Equal((3, 1, 3, 1), (op.GetProperty("tp").GetInt32(), op.GetProperty("fp").GetInt32(), op.GetProperty("tn").GetInt32(), op.GetProperty("fn").GetInt32()));
        Assert.Equal(0.75, op.GetProperty("sensitivity").GetProperty("value").GetDouble(), 15);
        // Brier: (0.01 + 0.04 + 0.09 + 0.01 + 0.16 + 0.64 + 0.49 + 0.16) / 8 = 1.6 / 8.
        Assert.Equal(0.2, scores.GetProperty("brier").GetDouble(), 12);
        var pred = e.GetProperty("predictions");
        // Predictions equal the labels but for b2 and b3: accuracy 6/8, kappa (0.75 − 0.5)/(1 − 0.5).
        Assert.Equal(0.75, pred.GetProperty("accuracy").GetProperty("value").GetDouble(), 15);
        Assert.Equal(0.5, pred.GetProperty("kappa").GetProperty("value").GetDouble(), 15);
        Assert.Equal("[[3,1],[1,3]]", pred.GetProperty("confusion").GetRawText().Replace(" ", "").Replace("\n", "").Replace("\r", ""));
        var auc = e.GetProperty("subgroups").GetProperty("auc").EnumerateArray().ToArray();
        Assert.Equal(["(all)", "A", "B"], auc.Select(g => g.GetProperty("group").GetString()));
        Assert.Equal(1.0, auc[1].GetProperty("value").GetDouble());
        Assert.Equal(0.25, auc[2].GetProperty("value").GetDouble());
        Assert.Equal(0.25, auc[1].GetProperty("gap").GetDouble(), 15);
        Assert.Equal(-0.5, auc[2].GetProperty("gap").GetDouble(), 15);
        Assert.True(auc[2].GetProperty("lower").GetDouble() <= 0.25 && 0.25 <= auc[2].GetProperty("upper").GetDouble());

        var again = MiraProcess.Run("metrics", "cls", Csv(Cases), "--by", "site", "--bootstrap", "200", "--seed", "5", "--json");
        Assert.Equal(r.Stdout, again.Stdout); // seeded: the same intervals
    }

    [Fact]
    public void Cluster_bootstrap_by_patient()
    {
        // Two eyes per patient: the point estimates are those of the cases, the intervals come from resampling patients.
        var csv = "patient,label,score\n" + string.Join("\n", Enumerable.Range(0, 40).Select(i =>
            $"p{i / 2},{((i / 2) % 3 == 0 ? 1 : 0)},{((i * 37) % 40) / 40.0 + ((i / 2) % 3 == 0 ? 0.3 : 0):0.000}")) + "\n";
        var path = Csv(csv);
        var r = MiraProcess.Run("metrics", "cls", path, "--cluster", "patient", "--bootstrap", "300", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("patient", doc.RootElement.GetProperty("bootstrap").GetProperty("clusters").GetString());
        var auc = doc.RootElement.GetProperty("scores").GetProperty("auc");
        var plain = MiraProcess.Run("metrics", "cls", path, "--bootstrap", "300", "--json");
        using var plainDoc = JsonDocument.Parse(plain.Stdout);
        var plainAuc = plainDoc.RootElement.GetProperty("scores").GetProperty("auc");
        Assert.Equal(plainAuc.GetProperty("value").GetDouble(), auc.GetProperty("value").GetDouble());
        Assert.NotEqual(plainAuc.GetProperty("bootstrap_lower").GetDouble(), auc.GetProperty("bootstrap_lower").GetDouble());
        Assert.True(auc.GetProperty("bootstrap_lower").GetDouble() <= auc.GetProperty("value").GetDouble());
    }

    [Fact]
    public void Text_report_for_grades()
    {
        var r = MiraProcess.Run("metrics", "cls", Csv("label,prediction\n0,0\n1,1\n2,2\n3,3\n4,3\n2,1\n"), "--bootstrap", "50");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("quadratic weighted kappa", r.Stdout);
        Assert.Contains("confusion matrix", r.Stdout);
        Assert.DoesNotContain("AUC", r.Stdout);
    }

    [Fact]
    public void Missing_columns_and_bad_labels_fail_with_a_message()
    {
        var noScore = MiraProcess.Run("metrics", "cls", Csv("label,site\n1,A\n0,B\n"));
        Assert.Equal(1, noScore.ExitCode);
        Assert.Contains("score", noScore.Stderr);
        var grades = MiraProcess.Run("metrics", "cls", Csv("label,score\n2,0.5\n0,0.1\n1,0.3\n"));
        Assert.Equal(1, grades.ExitCode);
        Assert.Contains("binary", grades.Stderr);
        var byMissing = MiraProcess.Run("metrics", "cls", Csv(Cases), "--by", "sex");
        Assert.Equal(1, byMissing.ExitCode);
        Assert.Contains("sex", byMissing.Stderr);
    }
}
