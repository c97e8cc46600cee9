using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Mira.Platform.Evaluations.Engine;
using static Mira.Platform.Tests.Evaluations.EvaluationFixtures;

namespace Mira.Platform.Tests.Evaluations;

public partial class ReportContentTests
{
    [GeneratedRegex("<svg\\b.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex Svg();

    static XDocument ParseXhtml(string html)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(html), settings);
        return XDocument.Load(reader);
    }

    [Fact]
    public void The_same_inputs_give_the_same_report_json_bytes()
    {
        var a = ReportJson.Write(EvaluationEngine.Evaluate(Cases(true), TwoLabelSpec(200)), Provenance());
        var b = ReportJson.Write(EvaluationEngine.Evaluate(Cases(true), TwoLabelSpec(200)), Provenance());
        Assert.Equal(a, b);
        var c = ReportJson.Write(EvaluationEngine.Evaluate(Cases(true), TwoLabelSpec(200) with { BootstrapSeed = 8 }), Provenance());
        Assert.NotEqual(a, c); // the seed matters, so the equality above is not vacuous
        Assert.Equal(ReportHtml.Write(EvaluationEngine.Evaluate(Cases(true), TwoLabelSpec(200)), Provenance()),
            ReportHtml.Write(EvaluationEngine.Evaluate(Cases(true), TwoLabelSpec(200)), Provenance()));
    }

    [Fact]
    public void Report_json_holds_provenance_summaries_subgroups_calibration_and_failure_cases()
    {
        using var doc = JsonDocument.Parse(ReportJson.Write(EvaluationEngine.Evaluate(Cases(true), TwoLabelSpec(100)), Provenance()));
        var root = doc.RootElement;
        var p = root.GetProperty("provenance");
        Assert.Equal("release-7", p.GetProperty("release_id").GetString());
        Assert.Equal(new string('b', 64), p.GetProperty("model_package_sha256").GetString());
        Assert.Equal("test-1.0", p.GetProperty("evaluator_version").GetString());
        Assert.Equal("2026-12-01T09:30:00Z", p.GetProperty("created").GetString());
        Assert.Equal("patients", root.GetProperty("spec").GetProperty("bootstrap").GetProperty("resampling").GetString());
        var whole = root.GetProperty("segmentation").GetProperty("structures")[2];
        Assert.Equal("whole", whole.GetProperty("name").GetString());
        var dice = whole.GetProperty("mean").GetProperty("dice");
        Assert.True(dice.GetProperty("lower").GetDouble() <= dice.GetProperty("value").GetDouble());
        var hd95 = whole.GetProperty("mean").GetProperty("hd95_mm");
        Assert.Equal(1, hd95.GetProperty("undefined").GetInt32()); // the empty-reference case
        Assert.True(root.GetProperty("segmentation").GetProperty("voxel_calibration").GetProperty("brier").GetDouble() > 0);
        Assert.Equal(2, root.GetProperty("subgroups").GetArrayLength()); // sex, site
        Assert.Equal("case-07", root.GetProperty("failure_cases").GetProperty("cases")[0].GetProperty("case_id").GetString());
        Assert.Equal(8, root.GetProperty("per_case").GetArrayLength());
    }

    [Fact]
    public void Reports_name_cases_by_pseudonymous_id_only()
    {
        var cases = Cases(true).Select(c => c with { PatientKey = "PATIENT-KEY-" + c.PatientKey }).ToList();
        var r = EvaluationEngine.Evaluate(cases, TwoLabelSpec(50));
        var json = Encoding.UTF8.GetString(ReportJson.Write(r, Provenance()));
        var html = Encoding.UTF8.GetString(ReportHtml.Write(r, Provenance()));
        Assert.DoesNotContain("PATIENT-KEY", json);
        Assert.DoesNotContain("PATIENT-KEY", html);
        Assert.Contains("case-03", json);
        Assert.Contains("case-03", html);
    }

    [Fact]
    public void Report_html_is_well_formed_self_contained_and_holds_every_plot()
    {
        var html = Encoding.UTF8.GetString(ReportHtml.Write(EvaluationEngine.Evaluate(Cases(true), TwoLabelSpec(100)), Provenance()));
        var doc = ParseXhtml(html); // the whole page is well-formed XML
        Assert.Equal("html", doc.Root!.Name.LocalName);
        var svgs = Svg().Matches(html).Select(m => XDocument.Parse(m.Value)).ToArray();
        var labels = svgs.Select(s => s.Root!.Attribute("aria-label")!.Value).ToArray();
        Assert.Contains("ROC curve", labels);
        Assert.Contains("reliability diagram", labels);
        Assert.Contains("forest plot of dice by site", labels);
        Assert.Contains("Bland-Altman plot of whole volumes", labels);
        Assert.All(svgs, s => Assert.NotEmpty(s.Root!.Descendants()));
        // Self-contained: no script, no link, no reference to anything outside the page.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" href=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.All(Regex.Matches(html, "https?://[^\"]*").Select(m => m.Value), u => Assert.Equal("http://www.w3.org/2000/svg", u));
        Assert.Contains("default-src 'none'", html);
        Assert.Contains("brain-seg 1.2.0", html);
        Assert.Contains("release-7", html);
    }

    [Fact]
    public void A_classification_report_has_its_ROC_reliability_and_forest_plots()
    {
        var cases = Enumerable.Range(0, 30).Select(i => new EvaluationCase($"c{i:D2}", $"p{i}")
        {
            ReferenceClass = i % 2,
            ClassScores = [1 - (0.1 + 0.8 * ((i * 7) % 10) / 10.0 * (i % 2 == 1 ? 1 : 0.6)), 0.1 + 0.8 * ((i * 7) % 10) / 10.0 * (i % 2 == 1 ? 1 : 0.6)],
            Subgroups = new Dictionary<string, string> { ["sex"] = i % 3 == 0 ? "F" : "M" },
            InferenceSeconds = 0.2,
        }).ToList();
        var r = EvaluationEngine.Evaluate(cases, new EvaluationSpec(EvaluationTask.Classification, [new(0, "benign"), new(1, "malignant")]) { BootstrapReplicates = 100, Thresholds = [0.3, 0.5] });
        var html = Encoding.UTF8.GetString(ReportHtml.Write(r, Provenance()));
        ParseXhtml(html);
        var labels = Svg().Matches(html).Select(m => XDocument.Parse(m.Value).Root!.Attribute("aria-label")!.Value).ToArray();
        Assert.Contains("ROC curve", labels);
        Assert.Contains("reliability diagram", labels);
        Assert.Contains("forest plot of auc by sex", labels);
        Assert.Equal(2, r.Classification!.Positive.OperatingPoints.Count);
        using var doc = JsonDocument.Parse(ReportJson.Write(r, Provenance()));
        Assert.Equal(1, doc.RootElement.GetProperty("spec").GetProperty("positive_class").GetInt32());
    }
}
