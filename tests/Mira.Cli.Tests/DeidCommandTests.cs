using System.Text.Json;
using Mira.Testing;

namespace Mira.Cli.Tests;

public sealed class DeidCommandTests : IDisposable
{
    readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("mira-deid-cli-");

    public void Dispose() => dir.Delete(true);

    string In => Path.Combine(dir.FullName, "in");
    string Out => Path.Combine(dir.FullName, "out");

    string KeyFile()
    {
        var k = Path.Combine(dir.FullName, "project.key");
        File.WriteAllText(k, new string('a', 64) + "\n");
        return k;
    }

    void Stage(params string[] corpusPaths)
    {
        foreach (var p in corpusPaths)
        {
            var target = Path.Combine(In, p.Replace("dicom/modality/", "", StringComparison.Ordinal));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Corpus.Get(p).FullPath, target);
        }
    }

    [Fact]
    public void Deid_mirrors_the_tree_writes_a_run_record_and_phi_scan_is_clean()
    {
        Stage("dicom/modality/CT/CT_small.dcm", "dicom/modality/MR/prostate_mri_tcia.dcm", "dicom/modality/RTSTRUCT/dicompyler_rtss.dcm",
            "dicom/modality/US/US1_UNCR.dcm");
        var mapping = Path.Combine(dir.FullName, "vault.json");
        var r = MiraProcess.Run("deid", "--recipe", "research", "--key-file", KeyFile(), In, "--out", Out, "--mapping", mapping);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("3 de-identified, 1 quarantined", r.Stderr);
        Assert.Contains("US1_UNCR.dcm: quarantined", r.Stderr);
        Assert.True(File.Exists(Path.Combine(Out, "CT", "CT_small.dcm")));
        Assert.True(File.Exists(Path.Combine(Out, "RTSTRUCT", "dicompyler_rtss.dcm")));
        Assert.False(File.Exists(Path.Combine(Out, "US", "US1_UNCR.dcm")));
        using var record = JsonDocument.Parse(File.ReadAllText(Out + ".deid-run.json"));
        Assert.Equal("research", record.RootElement.GetProperty("recipe").GetString());
        Assert.Equal(4, record.RootElement.GetProperty("files").GetArrayLength());
        Assert.Contains(record.RootElement.GetProperty("files").EnumerateArray(),
            f => f.GetProperty("sopInstanceUid").ValueKind == JsonValueKind.String && f.GetProperty("sopInstanceUid").GetString()!.StartsWith("2.25.", StringComparison.Ordinal));
        using var vault = JsonDocument.Parse(File.ReadAllText(mapping));
        Assert.Contains(vault.RootElement.EnumerateArray(), m => m.GetProperty("kind").GetString() == "PatientId");

        var clean = MiraProcess.Run("phi-scan", Out, "--originals", In);
        Assert.Equal(0, clean.ExitCode);
        Assert.Equal("", clean.Stdout);
        var dirty = MiraProcess.Run("phi-scan", In, "--originals", In);
        Assert.Equal(1, dirty.ExitCode);
        Assert.Contains("equals original", dirty.Stdout);

        // The same key twice gives the same output UIDs.
        var again = MiraProcess.Run("deid", "--recipe", "research", "--key-file", KeyFile(), In, "--out", Out + "2");
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Out, "CT", "CT_small.dcm")), File.ReadAllBytes(Path.Combine(Out + "2", "CT", "CT_small.dcm")));
    }

    [Fact]
    public void Phi_scan_finds_patterns_without_originals()
    {
        Stage("dicom/modality/CT/CT_small.dcm");
        var r = MiraProcess.Run("deid", "--recipe", "basic", "--key-file", KeyFile(), In, "--out", Out);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(0, MiraProcess.Run("phi-scan", Out).ExitCode);
        var recipe = Path.Combine(dir.FullName, "r.json");
        File.WriteAllText(recipe, """{ "name": "leaky", "version": "1", "overrides": [ { "tag": "(0008,1030)", "action": "D", "value": "call +1-555-0123" } ] }""");
        var leaky = MiraProcess.Run("deid", "--recipe", recipe, "--key-file", KeyFile(), In, "--out", Out + "L");
        Assert.Equal(0, leaky.ExitCode);
        var scan = MiraProcess.Run("phi-scan", Out + "L");
        Assert.Equal(1, scan.ExitCode);
        Assert.Contains("(0008,1030)\tPhoneNumber\tcall +1-555-0123", scan.Stdout);
    }

    /// <summary>
    /// Person names written in free text as free text writes them (Chinese family + given joined, hangul, JIS kanji
    /// under ISO 2022, the romanised form joined), from the name corpus: <c>mira deid</c> cleans them, and <c>mira
    /// phi-scan</c> finds them in copies whose descriptions were left as they were, and passes the cleaned output and
    /// clinical text that merely shares letters with a name.
    /// </summary>
    [Fact]
    public void Deid_cleans_names_written_in_free_text_and_phi_scan_finds_them_where_left()
    {
        string[] ids = ["zh-joined", "zh-latin-joined", "gb18030-nested-ut", "ja-joined", "ko-hangul", "li-liver", "gbk-no-vein"];
        var cases = ids.Select(id => Mira.Deid.Tests.NameCorpus.Cases.Single(c => c.Id == id)).ToList();
        var leaky = Path.Combine(dir.FullName, "leaky");
        Directory.CreateDirectory(In);
        Directory.CreateDirectory(leaky);
        foreach (var c in cases)
        {
            c.Write(In);
            var ds = c.Dataset();
            ds.Set(new Mira.Dicom.DicomElement(Mira.Dicom.DicomTags.PatientName, Mira.Dicom.DicomVR.PN, "ANON^NAMES"));
            ds.Set(Mira.Dicom.DicomTags.PatientID, "PSEUDO-1");
            c.Write(leaky, ds);
        }

        var r = MiraProcess.Run("deid", "--recipe", "research", "--key-file", KeyFile(), In, "--out", Out);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"{cases.Count} de-identified", r.Stderr);
        foreach (var c in cases)
            Assert.Equal(c.Cleaned, c.ReadText(Mira.Dicom.IO.DicomFile.Open(Path.Combine(Out, c.Id + ".dcm")).Dataset));
        var clean = MiraProcess.Run("phi-scan", Out, "--originals", In);
        Assert.Equal("", clean.Stdout);
        Assert.Equal(0, clean.ExitCode);

        var found = MiraProcess.Run("phi-scan", leaky, "--originals", In);
        Assert.Equal(1, found.ExitCode);
        var lines = found.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var c in cases)
        {
            var at = lines.Where(l => l.Contains(c.Id + ".dcm\t" + c.TextPath + "\t", StringComparison.Ordinal)).ToList();
            if (c.HasName) Assert.Contains(at, l => l.Contains("contains name", StringComparison.Ordinal) && l.EndsWith(c.Text, StringComparison.Ordinal));
            else Assert.Empty(at);
        }
        Assert.Equal(cases.Count(c => c.HasName), lines.Length);
    }

    [Fact]
    public void Bad_arguments_exit_2()
    {
        Stage("dicom/modality/CT/CT_small.dcm");
        Assert.Equal(2, MiraProcess.Run("deid", "--recipe", "nonesuch", In, "--out", Out).ExitCode);
        Assert.Equal(2, MiraProcess.Run("deid", "--recipe", "basic", Path.Combine(dir.FullName, "missing"), "--out", Out).ExitCode);
        Assert.Equal(2, MiraProcess.Run("phi-scan", Path.Combine(dir.FullName, "missing")).ExitCode);
        var noKey = MiraProcess.Run("deid", "--recipe", "basic", In, "--out", Out);
        Assert.Equal(0, noKey.ExitCode);
        Assert.Contains("random key", noKey.Stderr);
    }

    [Fact]
    public void Deid_recipe_shows_every_attribute_and_prints_a_checker_list()
    {
        var text = MiraProcess.Run("deid-recipe", "research");
        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith("recipe research v1 (sha256 ", text.Stdout);
        Assert.Matches(@"\(0010,2160\)\s+K\s+EthnicGroup\s+kept", text.Stdout);
        Assert.Matches(@"\(0010,0020\)\s+D\s+PatientID\s+keyed pseudonym", text.Stdout);
        var tsv = MiraProcess.Run("deid-recipe", "research", "--tsv");
        Assert.Equal(0, tsv.ExitCode);
        Assert.Contains("(0008,1030)\tStudyDescription\tC\t\n", tsv.Stdout);
        Assert.Contains("(0020,000D)\tStudyInstanceUID\tU\t\n", tsv.Stdout);
        var bad = MiraProcess.Run("deid-recipe", Path.Combine(dir.FullName, "missing.json"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("no built-in recipe", bad.Stderr);
    }
}
