using System.Text.Json.Nodes;
using Mira.Testing;

namespace Mira.Cli.Tests;

public sealed class DumpCommandTests : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("mira-dump-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    static string CorpusPath(string p) => Path.Combine(Corpus.Root, p);

    [Fact]
    public void Json_format_prints_the_data_set_without_file_meta()
    {
        var r = MiraProcess.Run("dump", "--format", "json", CorpusPath("dicom/charset/chrX2.dcm"));
        Assert.Equal(0, r.ExitCode);
        var json = (JsonObject)JsonNode.Parse(r.Stdout)!;
        Assert.False(json.ContainsKey("00020010"));
        Assert.Equal("王^小东", json["00100010"]!["Value"]![0]!["Ideographic"]!.GetValue<string>());
    }

    [Fact]
    public void Text_format_lists_elements_with_keywords_and_decoded_values()
    {
        var r = MiraProcess.Run("dump", CorpusPath("dicom/charset/chrFren.dcm"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("(0010,0010) PN [Buc^Jérôme]", r.Stdout);
        Assert.Contains("PatientName", r.Stdout);
        Assert.Contains("TransferSyntaxUID", r.Stdout);
    }

    [Fact]
    public void Stop_before_pixels_leaves_pixel_data_out()
    {
        var r = MiraProcess.Run("dump", "--format", "json", "--stop-before-pixels", CorpusPath("dicom/transfer-syntax/pydicom/MR_small.dcm"));
        Assert.Equal(0, r.ExitCode);
        var json = (JsonObject)JsonNode.Parse(r.Stdout)!;
        Assert.False(json.ContainsKey("7FE00010"));
        Assert.True(json.ContainsKey("00280010"));
    }

    [Fact]
    public void Out_folder_mirrors_the_input_tree_one_json_per_file()
    {
        var input = Path.Combine(temp, "in");
        Directory.CreateDirectory(Path.Combine(input, "a", "b"));
        File.Copy(CorpusPath("dicom/charset/chrFren.dcm"), Path.Combine(input, "a", "b", "x.dcm"));
        File.Copy(CorpusPath("dicom/charset/chrH31.dcm"), Path.Combine(input, "y.dcm"));
        var output = Path.Combine(temp, "out");
        var r = MiraProcess.Run("dump", "--format", "json", "--out", output, input);
        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(Path.Combine(output, "a", "b", "x.dcm.json")));
        Assert.True(File.Exists(Path.Combine(output, "y.dcm.json")));
        Assert.Equal("Buc^Jérôme", JsonNode.Parse(File.ReadAllText(Path.Combine(output, "a", "b", "x.dcm.json")))!["00100010"]!["Value"]![0]!["Alphabetic"]!.GetValue<string>());
        Assert.Empty(Directory.GetFiles(output, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_bad_file_is_reported_with_path_and_reason_and_the_others_still_dump()
    {
        var input = Path.Combine(temp, "mixed");
        Directory.CreateDirectory(input);
        File.Copy(CorpusPath("dicom/charset/chrFren.dcm"), Path.Combine(input, "good.dcm"));
        var bad = File.ReadAllBytes(CorpusPath("dicom/charset/chrFren.dcm"))[..400];
        File.WriteAllBytes(Path.Combine(input, "truncated.dcm"), bad);
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not dicom");
        var r = MiraProcess.Run("dump", "-q", "--format", "json", "--out", Path.Combine(temp, "o"), input);
        Assert.Equal(1, r.ExitCode);
        Assert.True(File.Exists(Path.Combine(temp, "o", "good.dcm.json")));
        Assert.Matches(@"truncated\.dcm: .*\(\([0-9A-F]{4},[0-9A-F]{4}\), offset \d+\)", r.Stderr);
        Assert.Contains("notes.txt: not a DICOM file", r.Stderr);
        Assert.DoesNotContain("Unhandled", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Missing_path_fails_with_exit_code_1()
    {
        var r = MiraProcess.Run("dump", Path.Combine(temp, "nope.dcm"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no such file or folder", r.Stderr);
    }

    [Fact]
    public void Every_corpus_edge_file_ends_in_output_or_a_clear_error()
    {
        var r = MiraProcess.Run("dump", "-q", "--format", "json", "--out", Path.Combine(temp, "edge"), CorpusPath("dicom/edge"));
        Assert.DoesNotContain("Unhandled", r.Stderr);
        foreach (var line in r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.Matches(@"^\S+\.dcm: .+", line);
        Assert.Contains("no_meta.dcm: ", r.Stderr);
    }
}
