using System.Security.Cryptography;
using Mira.Testing;

namespace Mira.Cli.Tests;

/// <summary>
/// The native build must behave exactly like the managed one: same bytes out, same text, same exit codes (Native AOT
/// trims and precompiles; anything reflection-based that it dropped would show here).
/// </summary>
public sealed class NativeBuildTests(NativeMiraBuild native) : IClassFixture<NativeMiraBuild>
{
    static string CorpusPath(string p) => Path.Combine(Corpus.Root, p);

    static string TempDir() => Directory.CreateTempSubdirectory("mira-native-test-").FullName;

    static void AssertSame(MiraResult managed, MiraResult nativeRun)
    {
        Assert.Equal(managed.ExitCode, nativeRun.ExitCode);
        Assert.Equal(managed.Stdout, nativeRun.Stdout);
        Assert.Equal(managed.Stderr, nativeRun.Stderr);
    }

    [Fact]
    public void Deid_of_the_whole_corpus_writes_the_same_bytes_as_the_managed_build()
    {
        var work = TempDir();
        var key = Path.Combine(work, "project.key");
        File.WriteAllText(key, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        var m = MiraProcess.Run("deid", "--recipe", "research", "--key-file", key, "--record", Path.Combine(work, "m.json"), Corpus.Root, "--out", Path.Combine(work, "m"));
        var n = native.Run("deid", "--recipe", "research", "--key-file", key, "--record", Path.Combine(work, "n.json"), Corpus.Root, "--out", Path.Combine(work, "n"));
        Assert.Equal(m.ExitCode, n.ExitCode);
        Assert.Equal(m.Stderr.Replace(Path.Combine(work, "m.json"), "RECORD"), n.Stderr.Replace(Path.Combine(work, "n.json"), "RECORD"));
        var mFiles = Directory.EnumerateFiles(Path.Combine(work, "m"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(work, "m"), f)).Order().ToList();
        var nFiles = Directory.EnumerateFiles(Path.Combine(work, "n"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(work, "n"), f)).Order().ToList();
        Assert.True(mFiles.Count > 100, $"only {mFiles.Count} outputs");
        Assert.Equal(mFiles, nFiles);
        foreach (var f in mFiles)
            Assert.True(File.ReadAllBytes(Path.Combine(work, "m", f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(work, "n", f))), f);
        // phi-scan over both outputs against the originals: nothing found, the same report.
        var mScan = MiraProcess.Run("phi-scan", Path.Combine(work, "m"), "--originals", Corpus.Root);
        var nScan = native.Run("phi-scan", Path.Combine(work, "n"), "--originals", Corpus.Root);
        Assert.Equal((0, 0), (mScan.ExitCode, nScan.ExitCode));
        Assert.Equal(mScan.Stdout.Replace(Path.Combine(work, "m"), "OUT"), nScan.Stdout.Replace(Path.Combine(work, "n"), "OUT"));
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public void Dump_pixels_and_suv_print_the_same_text_over_the_corpus()
    {
        AssertSame(MiraProcess.Run("pixels", "--sha256", CorpusPath("dicom")), native.Run("pixels", "--sha256", CorpusPath("dicom")));
        AssertSame(MiraProcess.Run("suv", CorpusPath("pet-suv")), native.Run("suv", CorpusPath("pet-suv")));
        foreach (var f in new[] { "dicom/modality/CT/CT_small.dcm", "dicom/modality/SEG/dcmqi_liver_seg.dcm", "dicom/edge/liver_nonbyte_aligned.dcm" })
        {
            AssertSame(MiraProcess.Run("dump", CorpusPath(f)), native.Run("dump", CorpusPath(f)));
            AssertSame(MiraProcess.Run("dump", "--format", "json", CorpusPath(f)), native.Run("dump", "--format", "json", CorpusPath(f)));
        }
    }

    [Fact]
    public void Metrics_and_render_give_the_same_results()
    {
        var seg = CorpusPath("dicom/modality/SEG/dcmqi_liver_seg.dcm");
        AssertSame(MiraProcess.Run("metrics", "seg", "--ref", seg, "--pred", seg, "--json"), native.Run("metrics", "seg", "--ref", seg, "--pred", seg, "--json"));
        var work = TempDir();
        var csv = Path.Combine(work, "p.csv");
        File.WriteAllText(csv, "site,label,score\n" + string.Join("\n", Enumerable.Range(0, 60).Select(i => $"{(i % 3 == 0 ? "A" : "B")},{i % 2},{(i * 37 % 100) / 100.0:0.00}")));
        AssertSame(MiraProcess.Run("metrics", "cls", csv, "--by", "site", "--bootstrap", "300", "--json"), native.Run("metrics", "cls", csv, "--by", "site", "--bootstrap", "300", "--json"));
        var m = MiraProcess.Run("render", CorpusPath("dicom/modality/CT/CT_small.dcm"), "--out", Path.Combine(work, "m.png"));
        var n = native.Run("render", CorpusPath("dicom/modality/CT/CT_small.dcm"), "--out", Path.Combine(work, "n.png"));
        Assert.Equal((0, 0), (m.ExitCode, n.ExitCode));
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "m.png")), File.ReadAllBytes(Path.Combine(work, "n.png")));
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public void Archive_commands_are_handed_to_the_managed_build_with_their_arguments_and_exit_code()
    {
        var empty = TempDir();
        var m = MiraProcess.Run("user", "list", "--data", empty);
        var n = native.Run("user", "list", "--data", empty);
        Assert.NotEqual(0, n.ExitCode);
        AssertSame(m, n);
        var help = native.Run("--help");
        foreach (var (name, _) in ManagedCommands.Archive) Assert.Contains(name, help.Stdout);
        var missing = native.Run(new Dictionary<string, string?> { ["MIRA_MANAGED"] = Path.Combine(empty, "nowhere", "mira") }, "serve");
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("needs the managed build", missing.Stderr);
        Directory.Delete(empty, recursive: true);
    }
}
