using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Text;

namespace Mira.Deid.Tests;

/// <summary>
/// The person-name corpus (<c>Fixtures/names/cases.tsv</c>) through Clean Descriptors / Clean Structured Content
/// (PS3.15 Table E.1-1) and through the PHI scan: every written form of a name is cleaned and found, in every
/// character set and text VR, nested too; clinical text that only shares letters or characters with a name is kept.
/// Each case is written as a Part 10 file in its character set and read back, as the tools see it.
/// </summary>
public sealed class NameCorpusTests : IDisposable
{
    readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("mira-names-");

    public void Dispose() => dir.Delete(true);

    public static TheoryData<string> Ids() => [.. NameCorpus.Cases.Select(c => c.Id)];

    static NameCase Case(string id) => NameCorpus.Cases.Single(c => c.Id == id);

    [Fact]
    public void The_corpus_covers_every_text_VR_every_character_set_both_outcomes_and_nesting()
    {
        var cases = NameCorpus.Cases;
        Assert.True(cases.Count >= 50);
        Assert.Equal(cases.Count, cases.Select(c => c.Id).Distinct().Count());
        foreach (var vr in new[] { DicomVR.LO, DicomVR.SH, DicomVR.ST, DicomVR.LT, DicomVR.UT, DicomVR.UC })
            Assert.Contains(cases, c => c.VR == vr);
        foreach (var cs in new[] { "ISO_IR 192", "GB18030", "GBK", "\\ISO 2022 IR 87", "\\ISO 2022 IR 149", "ISO_IR 100", "" })
            Assert.Contains(cases, c => c.Charset == cs && c.HasName);
        Assert.Contains(cases, c => c.Nesting == 2 && c.HasName);
        Assert.True(cases.Count(c => !c.HasName) >= 15);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Deid_cleans_every_written_form_of_the_name_and_keeps_text_without_one(string id)
    {
        var c = Case(id);
        var original = c.Write(Path.Combine(dir.FullName));
        var output = Path.Combine(dir.FullName, "out.dcm");
        var record = DeidRunner.ProcessFile(new DeidEngine(DeidRecipe.Research, TestData.Key), original, output);
        Assert.Equal(DeidFileStatus.Deidentified, record.Status);
        var written = DicomFile.Open(output).Dataset;
        Assert.Equal(c.Cleaned, c.ReadText(written));
        // The output's bytes decode in its own character set: the replacement was encoded in it, not as '?'.
        Assert.Equal(c.Charset.Length == 0 ? null : c.Charset, written.Find(DicomTags.SpecificCharacterSet) is { } e ? string.Join('\\', e.GetStrings(DicomCharacterSet.Default)) : null);
        Assert.Empty(PhiScanner.ScanFile(output, PhiScanner.CollectOriginals([original])));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Phi_scan_finds_the_name_in_text_left_as_it_was(string id)
    {
        var c = Case(id);
        var original = c.Write(dir.FullName);
        // A de-identification that replaced the name attributes but left the text as it was.
        var leaky = c.Dataset();
        leaky.Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, "ANON^NAMES"));
        leaky.Set(DicomTags.PatientID, "PSEUDO-1");
        var folder = Directory.CreateDirectory(Path.Combine(dir.FullName, "leaky")).FullName;
        var findings = PhiScanner.ScanFile(c.Write(folder, leaky), PhiScanner.CollectOriginals([original]));
        var atText = findings.Where(f => f.Path == c.TextPath).ToList();
        if (c.HasName) Assert.NotEmpty(atText);
        else Assert.Empty(atText);
        Assert.DoesNotContain(findings, f => f.Path != c.TextPath);
    }

    /// <summary>A description whose bytes are partly invalid in its character set (a byte the reader takes leniently)
    /// and that holds a name: the cleaned text cannot be encoded back, so the element gets a dummy, and the file is
    /// still written (it failed before).</summary>
    [Fact]
    public void A_cleaned_text_that_cannot_be_encoded_back_gets_a_dummy_instead_of_failing_the_file()
    {
        var c = Case("ja-joined");
        var charset = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"]);
        var ds = c.Dataset();
        byte[] bytes = [.. charset.Encode("山田太郎 CT", DicomVR.LO), 0xFF, 0x20];
        ds.Set(new DicomElement(DicomTags.StudyDescription, DicomVR.LO, bytes));
        // Read leniently (the byte 0xFF becomes a character outside the set), but not encodable in the set again.
        Assert.Throws<ArgumentException>(() => charset.Encode(ds.GetString(DicomTags.StudyDescription)!, DicomVR.LO));
        var original = c.Write(dir.FullName, ds);
        var output = Path.Combine(dir.FullName, "out.dcm");
        var record = DeidRunner.ProcessFile(new DeidEngine(DeidRecipe.Research, TestData.Key), original, output);
        Assert.Equal(DeidFileStatus.Deidentified, record.Status);
        Assert.Equal(DummyValues.Text, DicomFile.Open(output).Dataset.GetString(DicomTags.StudyDescription));
    }

    [Fact]
    public void Long_text_without_a_name_is_kept_whole_and_cleaned_quickly()
    {
        // Name forms are built once per instance; the search is one IndexOf pass per name and text, without regular
        // expressions: 200 cleanings of 8,000 characters with near misses ("Li", "王小") stay far below the bound.
        var phi = new PhiValues();
        phi.AddValue("Wang^Xiaoming=王^小明=おう^しょうめい", DicomVR.PN);
        var text = string.Concat(Enumerable.Repeat("Liver lesion, linear artefact; 王小姐复查. ", 200));
        Assert.Equal(text, TextCleaner.Clean(text, phi));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 200; i++) TextCleaner.Clean(text, phi);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"200 cleanings of {text.Length} characters took {sw.Elapsed}");
    }
}
