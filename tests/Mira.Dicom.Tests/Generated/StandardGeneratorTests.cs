using Mira.StandardGen;

namespace Mira.Dicom.Tests.Generated;

public class StandardGeneratorTests
{
    [Fact]
    public void Generated_code_matches_the_standard_tables()
    {
        var problems = StandardGenerator.Check(StandardPaths.StandardDir, StandardPaths.GeneratedDir);
        Assert.True(problems.Count == 0,
            "generated code drifted; run `dotnet run --project tools/Mira.StandardGen`:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Generation_is_deterministic_and_uses_lf_only()
    {
        var first = StandardGenerator.Generate(StandardPaths.StandardDir);
        var second = StandardGenerator.Generate(StandardPaths.StandardDir);
        Assert.Equal(first.Keys, second.Keys);
        foreach (var (name, text) in first)
        {
            Assert.Equal(text, second[name]);
            Assert.DoesNotContain('\r', text);
            var nonAscii = text.AsSpan().IndexOfAnyExceptInRange('\0', '\x7F');
            Assert.True(nonAscii < 0, $"{name} contains non-ASCII at offset {nonAscii}");
        }
    }

    [Fact]
    public void Check_names_missing_and_differing_files()
    {
        var dir = Directory.CreateTempSubdirectory("mira-standardgen-");
        try
        {
            StandardGenerator.Write(StandardPaths.StandardDir, dir.FullName);
            Assert.Empty(StandardGenerator.Check(StandardPaths.StandardDir, dir.FullName));

            File.Delete(Path.Combine(dir.FullName, StandardGenerator.TagsFile));
            File.AppendAllText(Path.Combine(dir.FullName, StandardGenerator.UidsFile), "// edited\n");
            File.WriteAllText(Path.Combine(dir.FullName, "Stray.g.cs"), "");

            var problems = StandardGenerator.Check(StandardPaths.StandardDir, dir.FullName);
            Assert.Contains(problems, p => p.StartsWith("missing: " + StandardGenerator.TagsFile, StringComparison.Ordinal));
            Assert.Contains(problems, p => p.StartsWith("differs: " + StandardGenerator.UidsFile, StringComparison.Ordinal));
            Assert.Contains(problems, p => p.StartsWith("not generated: Stray.g.cs", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("(0010,0010)", 0x00100010u, 0xFFFFFFFFu)]
    [InlineData("(60xx,3000)", 0x60003000u, 0xFF00FFFFu)]
    [InlineData("(0020,31XX)", 0x00203100u, 0xFFFFFF00u)]
    [InlineData("(0028,04X0)", 0x00280400u, 0xFFFFFF0Fu)]
    [InlineData("(1000,XXX0)", 0x10000000u, 0xFFFF000Fu)]
    [InlineData("(1010,XXXX)", 0x10100000u, 0xFFFF0000u)]
    public void Repeating_group_digits_become_zero_nibbles_in_tag_and_mask(string text, uint tag, uint mask) =>
        Assert.Equal((tag, mask), StandardTables.ParseTag(text));

    [Theory]
    [InlineData("US or SS", new[] { "US", "SS" })]
    [InlineData("OB or OW", new[] { "OB", "OW" })]
    [InlineData("US or SS or OW", new[] { "US", "SS", "OW" })]
    [InlineData("See Note 2", new string[0])]
    [InlineData("", new string[0])]
    public void Vr_alternatives_are_split_and_missing_vrs_are_empty(string text, string[] expected) =>
        Assert.Equal(expected, StandardTables.ParseVRs(text));

    [Theory]
    [InlineData("CT Image Storage", "CTImageStorage")]
    [InlineData("Digital X-Ray Image Storage - For Presentation", "DigitalXRayImageStorageForPresentation")]
    [InlineData("XA/XRF Grayscale Softcopy Presentation State Storage", "XAXRFGrayscaleSoftcopyPresentationStateStorage")]
    [InlineData("12-lead ECG Waveform Storage", "TwelveLeadECGWaveformStorage")]
    public void Uid_keywords_are_derived_from_names_as_in_ps36(string name, string keyword) =>
        Assert.Equal(keyword, UidKeyword.FromName(name));
}
