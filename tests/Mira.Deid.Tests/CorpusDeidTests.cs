using System.Text.RegularExpressions;
using Mira.Dicom;
using Mira.Testing;

namespace Mira.Deid.Tests;

/// <summary>The research recipe over every DICOM file of the shared corpus.</summary>
[Collection("corpus")]
public sealed partial class CorpusDeidTests(CorpusRun run)
{
    [Fact]
    public void Every_file_is_deidentified_or_held_back_for_a_stated_reason()
    {
        Assert.Equal(0, run.Record.Failed);
        Assert.True(run.Record.Deidentified >= 120, $"{run.Record.Deidentified} de-identified");
        Assert.Equal(["charset/FileInfo.txt", "edge/no_meta.dcm"], run.Record.Files.Where(f => f.Status == DeidFileStatus.NotDicom).Select(f => run.Rel(f.Input)).Order());
        foreach (var q in run.Record.Files.Where(f => f.Status == DeidFileStatus.Quarantined))
            Assert.Matches("Burned In Annotation|DICOMDIR", q.Reason);
        foreach (var f in run.Deidentified)
            Assert.Equal(Path.Combine(run.Output, run.Rel(f.Input)), f.Output);   // output mirrors the input tree
    }

    [Fact]
    public void Phi_scan_finds_nothing_in_the_output_and_something_in_the_input()
    {
        var findings = PhiScanner.Scan([run.Output], [run.Input]).SelectMany(x => x).ToList();
        Assert.True(findings.Count == 0, string.Join("\n", findings.Take(20)));
        var originals = PhiScanner.Scan([run.Input], [run.Input]).SelectMany(x => x).Count();
        Assert.True(originals > 100, $"{originals} findings in the originals");
    }

    /// <summary>
    /// Regression: a slide's container and specimen identifier (a laboratory number) was also written in a free-text
    /// content item of its Specimen Preparation Sequence, which Clean Structured Content kept; the identifier values are
    /// now PHI values, masked in cleaned text and looked for by phi-scan.
    /// </summary>
    [Fact]
    public void Specimen_identifiers_leave_no_trace_anywhere_in_the_output_bytes()
    {
        var input = Path.Combine(run.Input, "modality", "SM", "cptac_brca_wsi_level.dcm");
        var id = CorpusRun.Read(input).GetString(DicomTags.ContainerIdentifier)!;
        Assert.Equal(30, id.Length);
        var output = File.ReadAllBytes(Path.Combine(run.Output, "modality", "SM", "cptac_brca_wsi_level.dcm"));
        Assert.True(output.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(id)) < 0, "the container identifier is still in the output");
        Assert.True(File.ReadAllBytes(input).AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(id)) >= 0);
    }

    [Fact]
    public void Outputs_parse_with_dcmdump_where_the_input_did()
    {
        var dcmdump = ExternalTool.Require("dcmdump", "dcmtk");
        var failures = new List<string>();
        foreach (var f in run.Deidentified)
        {
            if (!Corpus.Summary.TryGetValue("dicom/" + run.Rel(f.Input), out var row) || !row.DcmtkParses) continue;
            var (exit, text) = CorpusRun.Run(dcmdump, "-q", f.Output!);
            if (exit != 0) failures.Add($"{run.Rel(f.Input)}: {text.Split('\n')[0]}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Outputs_parse_with_pydicom_where_the_input_did()
    {
        var list = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(list, run.Deidentified
                .Where(f => Corpus.Summary.TryGetValue("dicom/" + run.Rel(f.Input), out var row) && row.PydicomParses)
                .Select(f => (Corpus.Summary["dicom/" + run.Rel(f.Input)]["pydicom_parse"].Contains("force") ? "F\t" : "S\t") + f.Output));
            const string script = """
                import sys, pydicom
                bad = 0; n = 0
                for line in open(sys.argv[1]):
                    mode, path = line.rstrip('\n').split('\t')
                    n += 1
                    try:
                        ds = pydicom.dcmread(path, force=(mode == 'F'))
                        for el in ds.iterall(): el.value
                    except Exception as e:
                        bad += 1; print('FAIL', path, type(e).__name__, e)
                print('checked', n, 'failed', bad)
                """;
            var output = ExternalTool.Run(TestData.Python, "-c", script, list);
            Assert.Matches("checked [0-9]{3} failed 0", output);
        }
        finally { File.Delete(list); }
    }

    [GeneratedRegex(@"[0-9]+(\.[0-9]+)+|(?<=UID )[0-9]+")]
    private static partial Regex Numbers();

    static HashSet<string> Errors(string text) =>
        [.. text.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).Select(l => Numbers().Replace(l.Trim(), "<n>"))];

    [Fact]
    public void Dciodvfy_reports_no_error_on_an_output_that_it_did_not_report_on_its_input()
    {
        var dciodvfy = ExternalTool.Require("dciodvfy", "dicom3tools");
        var added = new List<string>();
        var compared = 0;
        foreach (var f in run.Deidentified)
        {
            var before = CorpusRun.Run(dciodvfy, f.Input).Output;
            // An input dciodvfy cannot read at all gives nothing to compare with.
            if (before.Contains("read failed", StringComparison.Ordinal) || before.Contains("Tags out of order", StringComparison.Ordinal)) continue;
            compared++;
            var after = CorpusRun.Run(dciodvfy, f.Output!).Output;
            var known = Errors(before);
            foreach (var e in Errors(after))
                if (!known.Contains(e)) added.Add($"{run.Rel(f.Input)}: {e}");
        }
        Assert.True(compared >= 100, $"{compared} compared");
        Assert.True(added.Count == 0, string.Join("\n", added));
    }

    [Fact]
    public void Seg_rtstruct_and_sr_references_still_resolve()
    {
        var newOf = run.Deidentified.Where(f => f.OriginalSopInstanceUid is not null)
            .GroupBy(f => f.OriginalSopInstanceUid!).ToDictionary(g => g.Key, g => g.First().SopInstanceUid!);
        var outputSops = newOf.Values.ToHashSet();
        var checkedFiles = 0;
        foreach (var f in run.Deidentified)
        {
            var input = CorpusRun.Read(f.Input);
            if (input.GetString(DicomTags.Modality) is not ("SEG" or "RTSTRUCT" or "SR")) continue;
            var before = References(input).Where(newOf.ContainsKey).ToList();
            if (before.Count == 0) continue;
            checkedFiles++;
            var after = References(CorpusRun.Read(f.Output!)).Where(outputSops.Contains).ToList();
            Assert.Equal(before.Select(u => newOf[u]).Order(), after.Order());
        }
        Assert.True(checkedFiles >= 5, $"{checkedFiles} referencing files");
        // The RTSTRUCT's frame of reference and series are those of its CT after remapping.
        var rt = CorpusRun.Read(Path.Combine(run.Output, "modality/RTSTRUCT/dicompyler_rtss.dcm"));
        var ct = CorpusRun.Read(Path.Combine(run.Output, "modality/CT/dicompyler_ct.0.dcm"));
        var forItem = rt.GetSequence(DicomTags.ReferencedFrameOfReferenceSequence)!.Items[0];
        Assert.Equal(ct.GetString(DicomTags.FrameOfReferenceUID), forItem.GetString(DicomTags.FrameOfReferenceUID));
        var series = forItem.GetSequence(DicomTags.RTReferencedStudySequence)!.Items[0].GetSequence(DicomTags.RTReferencedSeriesSequence)!.Items[0];
        Assert.Equal(ct.GetString(DicomTags.SeriesInstanceUID), series.GetString(DicomTags.SeriesInstanceUID));
    }

    static IEnumerable<string> References(DicomDataset ds)
    {
        foreach (var e in ds)
        {
            if (e is DicomSequence sq)
            {
                foreach (var item in sq.Items)
                    foreach (var u in References(item)) yield return u;
            }
            else if (e.Tag == DicomTags.ReferencedSOPInstanceUID)
                foreach (var u in ds.GetStrings(e.Tag)) yield return u;
        }
    }

    [Fact]
    public void Pet_suv_factors_are_the_same_before_and_after()
    {
        var f = run.Deidentified.Single(x => run.Rel(x.Input) == "modality/PT/acrin_flt_breast_pt_1.dcm");
        var before = Mira.Imaging.Pet.PetSuv.Compute([Mira.Imaging.Pet.PetSuvInputs.FromDataset(CorpusRun.Read(f.Input))]);
        var after = Mira.Imaging.Pet.PetSuv.Compute([Mira.Imaging.Pet.PetSuvInputs.FromDataset(CorpusRun.Read(f.Output!))]);
        Assert.True(before.Ok, before.Refusal);
        Assert.True(after.Ok, after.Refusal);
        Assert.Equal(before.Factors![0].SuvBw, after.Factors![0].SuvBw, 12);
        Assert.Equal(before.Factors[0].DecayTimeS, after.Factors[0].DecayTimeS);
        Assert.NotEqual(before.Factors[0].ScanDateTime, after.Factors[0].ScanDateTime);
    }
}
