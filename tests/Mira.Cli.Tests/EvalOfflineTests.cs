using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mira.Metrics;
using Mira.Platform.Demo;
using Mira.Testing;

namespace Mira.Cli.Tests;

/// <summary>
/// <c>mira eval offline</c> and <c>mira report verify</c> end to end: the EANM 41 % PET baseline (models/) evaluated on a
/// synthetic PET cohort (<see cref="DemoCohort"/>, exact lesion masks) in a worker process; every per-case figure of the
/// signed report equals plastimatch and Mira.Metrics on the kept predictions; a one-byte change fails verification.
/// </summary>
public sealed partial class EvalOfflineTests : IClassFixture<EvalOfflineTests.Run>
{
    /// <summary>One cohort of 8 patients, evaluated once for the class.</summary>
    public sealed class Run : IDisposable
    {
        public string Folder { get; } = Directory.CreateTempSubdirectory("mira-eval-offline-").FullName;
        public string Report => Path.Combine(Folder, "report");
        public string Predictions => Path.Combine(Folder, "predictions");
        public string Key => Path.Combine(Folder, "key.pem");
        public int ExitCode { get; }
        public string Output { get; }

        public Run()
        {
            DemoCohortFolder.Write(DemoCohort.PetLesions(8, seed: 3), Path.Combine(Folder, "test-set"));
            (ExitCode, Output) = Mira("eval", "offline", "--model", Path.Combine(Corpus.RepositoryRoot, "models", "pet-suv41-baseline"),
                "--images", Path.Combine(Folder, "test-set", "images"), "--labels", Path.Combine(Folder, "test-set", "labels"),
                "--cases", Path.Combine(Folder, "test-set", "cases.tsv"), "--out", Report, "--predictions", Predictions, "--key", Key, "--replicates", "500");
        }

        public void Dispose()
        {
            try { Directory.Delete(Folder, true); } catch (IOException) { }
        }
    }

    readonly Run run;

    public EvalOfflineTests(Run run) => this.run = run;

    static (int, string) Mira(params string[] args)
    {
        var (code, output) = ExternalTool.Exec(Path.Combine(AppContext.BaseDirectory, "mira"), args, TimeSpan.FromMinutes(5));
        return (code, output);
    }

    [GeneratedRegex(@"^\s*([A-Za-z][A-Za-z ().0-9]*?)\s*[:=]\s*([-+0-9.eE]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex PlastimatchLine();

    JsonElement PerCase()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(run.Report, "report.json")));
        return doc.RootElement.GetProperty("per_case").Clone();
    }

    [Fact]
    public void Writes_a_signed_report_of_every_case_and_verification_passes()
    {
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(["report.html", "report.json", "signature.json"], Directory.GetFiles(run.Report).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(8, PerCase().GetArrayLength());
        var (code, output) = Mira("report", "verify", run.Report);
        Assert.True(code == 0, output);
        Assert.Contains("intact", output);
    }

    [Fact]
    public void Every_per_case_figure_equals_plastimatch_and_Mira_Metrics_on_the_kept_predictions()
    {
        Assert.True(run.ExitCode == 0, run.Output);
        var plastimatch = ExternalTool.Require("plastimatch", "plastimatch");
        foreach (var c in PerCase().EnumerateArray())
        {
            var id = c.GetProperty("case_id").GetString()!;
            var lesion = c.GetProperty("structures").GetProperty("LESION");
            var reference = Path.Combine(run.Folder, "test-set", "labels", id + ".nii.gz");
            var prediction = Path.Combine(run.Predictions, id + ".nii.gz");
            var direct = SegmentationMetrics.Compute(BinaryMask.Read(reference, 1), BinaryMask.Read(prediction, 1));
            Assert.Equal(direct.Dice, Number(lesion, "dice"), 12);
            if (double.IsFinite(direct.Hd95MaxOfDirectedMm)) Assert.Equal(direct.Hd95MaxOfDirectedMm, Number(lesion, "hd95_mm"), 9);
            var peer = PlastimatchLine().Matches(ExternalTool.Run(plastimatch, "dice", "--all", reference, prediction))
                .ToDictionary(m => m.Groups[1].Value.Trim(), m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            Assert.True(Math.Abs(peer["DICE"] - Number(lesion, "dice")) <= 5e-7, $"{id}: plastimatch Dice {peer["DICE"]} vs {Number(lesion, "dice")}");
        }
    }

    [Fact]
    public void The_baseline_misses_what_the_41_percent_rule_misses_and_the_report_says_so()
    {
        Assert.True(run.ExitCode == 0, run.Output);
        var dice = PerCase().EnumerateArray().Select(c => Number(c.GetProperty("structures").GetProperty("LESION"), "dice")).ToArray();
        Assert.Contains(dice, d => d > 0.5);
        Assert.Contains(dice, d => d < 0.5);
        var html = File.ReadAllText(Path.Combine(run.Report, "report.html"));
        Assert.Contains("pet-suv41-baseline", html);
        Assert.Contains("<svg", html);
    }

    [Fact]
    public void A_one_byte_change_anywhere_in_the_report_fails_verification()
    {
        Assert.True(run.ExitCode == 0, run.Output);
        foreach (var file in new[] { "report.json", "report.html" })
        {
            var copy = Path.Combine(run.Folder, "tampered-" + file);
            CopyFolder(run.Report, copy);
            var path = Path.Combine(copy, file);
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0x01;
            File.WriteAllBytes(path, bytes);
            var (code, output) = Mira("report", "verify", copy);
            Assert.True(code == 1, output);
            Assert.Contains(file, output);
        }
    }

    [Fact]
    public void Refuses_a_report_folder_that_is_not_empty_before_running_anything()
    {
        var out_ = Directory.CreateDirectory(Path.Combine(run.Folder, "busy")).FullName;
        File.WriteAllText(Path.Combine(out_, "x.txt"), "x");
        var (code, output) = Mira("eval", "offline", "--model", Path.Combine(Corpus.RepositoryRoot, "models", "pet-suv41-baseline"),
            "--images", Path.Combine(run.Folder, "test-set", "images"), "--labels", Path.Combine(run.Folder, "test-set", "labels"), "--out", out_, "--key", run.Key);
        Assert.Equal(1, code);
        Assert.Contains("must be new or empty", output);
    }

    static double Number(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Number ? e.GetProperty(name).GetDouble() : double.NaN;

    static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)), true);
    }
}
