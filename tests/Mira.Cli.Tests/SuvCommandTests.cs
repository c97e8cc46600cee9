using System.Globalization;
using Mira.Testing;

namespace Mira.Cli.Tests;

public sealed class SuvCommandTests
{
    static string CorpusPath(string p) => Path.Combine(Corpus.Root, p);

    [Fact]
    public void Prints_every_oracle_factor_per_instance()
    {
        var rows = File.ReadLines(CorpusPath("oracle/pet-suv-expected.tsv")).Skip(1).Select(l => l.Split('\t'))
            .Where(c => c.Length >= 4 && c[1] != "other").ToArray();
        Assert.Equal(6, rows.Length);
        var r = MiraProcess.Run(["suv", .. rows.Select(c => CorpusPath(c[0]))]);
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(c => c[0], c => c[1]);
        foreach (var c in rows)
        {
            var actual = double.Parse(lines[CorpusPath(c[0]) + "#0"], CultureInfo.InvariantCulture);
            Assert.InRange(actual, double.Parse(c[2], CultureInfo.InvariantCulture) - double.Parse(c[3], CultureInfo.InvariantCulture),
                double.Parse(c[2], CultureInfo.InvariantCulture) + double.Parse(c[3], CultureInfo.InvariantCulture));
            Assert.True(lines.ContainsKey(CorpusPath(c[0]) + "#2"));
        }
    }

    [Fact]
    public void Reads_dicom_and_reports_refusals_on_stderr_with_exit_1()
    {
        var pet = CorpusPath("dicom/modality/PT/acrin_flt_breast_pt_1.dcm");
        var ct = CorpusPath("dicom/modality/CT/CT_small.dcm");
        var r = MiraProcess.Run("suv", "--all", pet, ct, "/nonexistent/x.dcm");
        Assert.Equal(1, r.ExitCode);
        var c = r.Stdout.TrimEnd('\n').Split('\t');
        Assert.Equal(pet, c[0]);
        var dt = (15 * 3600 + 23 * 60 + 16.921) - (14 * 3600 + 17 * 60);
        Assert.Equal(69734.4 / (178340011.59668 * Math.Pow(2, -dt / 6586.2)), double.Parse(c[1], CultureInfo.InvariantCulture), 15);
        Assert.Equal(["-", "-", "SeriesDateTime"], c[2..]);
        Assert.Contains($"{ct}: Modality is CT, not PT", r.Stderr);
        Assert.Contains("/nonexistent/x.dcm: no such file or folder", r.Stderr);
    }

    [Fact]
    public void A_json_series_without_weight_is_refused_per_instance()
    {
        var dir = Directory.CreateTempSubdirectory("mira-suv-");
        try
        {
            var src = File.ReadAllText(CorpusPath("pet-suv/SIEMENS-instances.json")).Replace("\"PatientWeight\": 67,", "");
            var path = Path.Combine(dir.FullName, "noweight.json");
            File.WriteAllText(path, src);
            var r = MiraProcess.Run("suv", path);
            Assert.Equal(1, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Contains($"{path}#0: Patient's Weight (0010,1030) is missing", r.Stderr);
            Assert.Contains($"{path}#2: Patient's Weight (0010,1030) is missing", r.Stderr);
        }
        finally { dir.Delete(true); }
    }
}
