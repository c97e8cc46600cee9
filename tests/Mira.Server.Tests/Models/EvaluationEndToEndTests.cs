using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;
using Mira.Metrics;
using Mira.Platform.Audit;
using Mira.Testing;
using static Mira.Server.Tests.Models.EvaluationServer;

namespace Mira.Server.Tests.Models;

/// <summary>
/// Issue 18 end to end over the REST API, on a synthetic PET cohort with exact reference masks: a training release and a
/// sequestered test release (a planted duplicate patient and a planted duplicate image under new UIDs both refused), a
/// phase on the sequestered release, model pushes, submissions (wrong protocol refused, limits enforced), the evaluation
/// job running the EANM 41 % baseline in a worker process, and the signed report: it verifies, a one-byte change fails,
/// every per-case figure equals plastimatch and Mira.Metrics on the same predictions, and it names pseudonymous case ids only.
/// </summary>
public sealed partial class EvaluationEndToEndTests(EvaluationServer s) : IClassFixture<EvaluationServer>
{
    const string Phase = "pet-lesions-2026";

    sealed record Scenario(string TrainingRelease, string TestRelease, long Baseline, long Broken, JsonObject Evaluation, string ReportFolder,
        HttpResponseMessage LimitRefusal, HttpResponseMessage ProtocolRefusal, HttpResponseMessage PatientLeak, HttpResponseMessage PixelLeak);

    static Task<Scenario>? scenario;
    static readonly Lock Gate = new();

    Task<Scenario> ScenarioAsync()
    {
        lock (Gate) return scenario ??= RunScenarioAsync();
    }

    static object ReleaseBody(string name, string kind, IEnumerable<string> series, double[] fractions) => new
    {
        name, kind, series = series.ToArray(), annotations = "consensus", splits = new { fractions, seed = 1 },
        datasheet = new
        {
            intendedUse = "Evaluation of FDG-avid lesion segmentation", inclusion = "Synthetic cohort", exclusion = "None",
            referenceStandard = "Exact lesion masks (two agreeing reads)", licence = "CC0",
        },
    };

    async Task<Scenario> RunScenarioAsync()
    {
        var steward = s.Steward;
        var dev = s.As("dev");
        var cases = s.Cases;
        var training = await JsonOf(await steward.PostAsJsonAsync($"/api/projects/{Project}/releases",
            ReleaseBody("pet-train", "training", cases.Take(4).Select(c => c.Series), [1, 0, 0])), HttpStatusCode.Created);

        // Planted: a test set holding a patient of the training release, and a re-sent copy of a training image under new UIDs and a new patient.
        var patientLeak = await steward.PostAsJsonAsync($"/api/projects/{Project}/releases",
            ReleaseBody("pet-test", "sequestered", cases.Skip(3).Select(c => c.Series), [0, 0, 1]));
        var copy = s.Cohort[1].Instances.Select(i => Resent(i.Bytes)).ToList();
        await s.StoreAsync(copy.Select(c => c.Bytes));
        await s.CopyAsync([copy[0].Study]);
        var planted = (await s.ProjectSeriesAsync()).Select(x => x.Series).Except(cases.Select(c => c.Series)).Single();
        var pixelLeak = await steward.PostAsJsonAsync($"/api/projects/{Project}/releases",
            ReleaseBody("pet-test", "sequestered", cases.Skip(4).Select(c => c.Series).Append(planted), [0, 0, 1]));

        var test = await JsonOf(await steward.PostAsJsonAsync($"/api/projects/{Project}/releases",
            ReleaseBody("pet-test", "sequestered", cases.Skip(4).Select(c => c.Series), [0, 0, 1])), HttpStatusCode.Created);
        await JsonOf(await steward.PostAsJsonAsync("/api/phases", new
        {
            id = Phase, title = "PET lesion segmentation 2026", project = Project, release = (string)test["id"]!, protocol = Protocol,
            rankingMetric = "dice", maxSubmissions = 2, maxPerDay = 2,
        }), HttpStatusCode.Created);

        await JsonOf(await PostBytesAsync(dev, "/api/models", PackageZip(ReferencePackage("pet-suv41-baseline")), "application/zip"), HttpStatusCode.Created);
        await JsonOf(await PostBytesAsync(dev, "/api/models", PackageZip(ReferencePackage("glioma-synthetic-baseline")), "application/zip"), HttpStatusCode.Created);
        // A package whose manifest says MR: the worker refuses every PET case of the test set.
        await JsonOf(await PostBytesAsync(dev, "/api/models", PackageZip(ReferencePackage("pet-suv41-baseline"),
            j => j.Replace("\"name\": \"pet-suv41-baseline\"", "\"name\": \"pet-wrong-modality\"").Replace("\"modality\": \"PT\"", "\"modality\": \"MR\"")
                  .Replace("\"source\": \"suvbw\"", "\"source\": \"modality\"")), "application/zip"), HttpStatusCode.Created);

        var protocolRefusal = await dev.PostAsJsonAsync($"/api/phases/{Phase}/submissions", new { model = "glioma-synthetic-baseline", version = "1.0.0" });
        var baseline = (long)(await JsonOf(await dev.PostAsJsonAsync($"/api/phases/{Phase}/submissions", new { model = "pet-suv41-baseline", version = "1.0.0" }),
            HttpStatusCode.Accepted))["id"]!;
        var broken = (long)(await JsonOf(await dev.PostAsJsonAsync($"/api/phases/{Phase}/submissions", new { model = "pet-wrong-modality", version = "1.0.0" }),
            HttpStatusCode.Accepted))["id"]!;
        var limit = await dev.PostAsJsonAsync($"/api/phases/{Phase}/submissions", new { model = "pet-suv41-baseline", version = "1.0.0" });

        var evaluation = await FinishedAsync(dev, baseline);
        await FinishedAsync(dev, broken);
        var folder = Directory.CreateDirectory(Path.Combine(s.Work, "report-" + baseline)).FullName;
        foreach (var file in new[] { "report.json", "report.html", "signature.json" })
            await File.WriteAllBytesAsync(Path.Combine(folder, file), await Ok(await dev.GetAsync($"/api/evaluations/{baseline}/report/{file}")).Content.ReadAsByteArrayAsync());
        return new Scenario((string)training["id"]!, (string)test["id"]!, baseline, broken, evaluation, folder, limit, protocolRefusal, patientLeak, pixelLeak);
    }

    static async Task<JsonObject> FinishedAsync(HttpClient client, long id)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var e = await JsonOf(await client.GetAsync($"/api/evaluations/{id}"));
            if ((string)e["state"]! is "succeeded" or "failed") return e;
            if (DateTime.UtcNow > deadline) Assert.Fail($"evaluation {id} is still {(string)e["state"]!} after 4 minutes");
            await Task.Delay(250);
        }
    }

    /// <summary>The same pixels under new Study/Series/SOP Instance UIDs and another patient: a re-sent copy.</summary>
    static (string Study, byte[] Bytes) Resent(byte[] part10)
    {
        var ds = DicomFile.Read(part10).Dataset;
        string New(DicomTag tag) => DicomUid.FromHash(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("resent/" + ds.GetString(tag))));
        ds.Set(DicomTags.StudyInstanceUID, New(DicomTags.StudyInstanceUID));
        ds.Set(DicomTags.SeriesInstanceUID, New(DicomTags.SeriesInstanceUID));
        ds.Set(DicomTags.SOPInstanceUID, New(DicomTags.SOPInstanceUID));
        ds.Set(DicomTags.PatientID, "RESENT-0001");
        ds.Set(DicomTags.PatientName, "RESENT^COPY");
        return (ds.GetString(DicomTags.StudyInstanceUID)!, DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian));
    }

    [Fact]
    public async Task A_planted_duplicate_patient_and_a_planted_duplicate_image_are_both_refused_naming_pseudonyms_only()
    {
        var r = await ScenarioAsync();
        Assert.Equal(HttpStatusCode.Conflict, r.PatientLeak.StatusCode);
        var patient = await r.PatientLeak.Content.ReadAsStringAsync();
        Assert.Contains($"patient '{s.Cases[3].Patient}'", patient);
        Assert.Contains("'pet-train'", patient);
        Assert.Equal(HttpStatusCode.Conflict, r.PixelLeak.StatusCode);
        var pixels = await r.PixelLeak.Content.ReadAsStringAsync();
        Assert.Contains("has the same pixel data as", pixels);
        Assert.DoesNotContain("RESENT", pixels);
        Assert.DoesNotContain(s.Cohort[1].PatientId, pixels);
    }

    [Fact]
    public async Task The_baseline_is_scored_on_the_sequestered_set_and_its_signed_report_verifies_while_a_one_byte_change_fails()
    {
        var r = await ScenarioAsync();
        Assert.True((string)r.Evaluation["state"]! == "succeeded", r.Evaluation.ToJsonString());
        Assert.Equal(6, (int)r.Evaluation["summary"]!["cases"]!);
        var mira = Path.Combine(AppContext.BaseDirectory, "mira");
        var (code, output) = ExternalTool.Exec(mira, ["report", "verify", r.ReportFolder, "--key-id", (string)r.Evaluation["keyId"]!]);
        Assert.True(code == 0, output);
        var tampered = Path.Combine(s.Work, "tampered");
        Directory.CreateDirectory(tampered);
        foreach (var f in Directory.GetFiles(r.ReportFolder)) File.Copy(f, Path.Combine(tampered, Path.GetFileName(f)), true);
        var json = File.ReadAllBytes(Path.Combine(tampered, "report.json"));
        json[json.Length / 3] ^= 0x20;
        File.WriteAllBytes(Path.Combine(tampered, "report.json"), json);
        (code, output) = ExternalTool.Exec(mira, ["report", "verify", tampered]);
        Assert.True(code == 1, output);
        Assert.Contains("report.json", output);
    }

    [GeneratedRegex(@"^\s*([A-Za-z][A-Za-z ().0-9]*?)\s*[:=]\s*([-+0-9.eE]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex PlastimatchLine();

    [Fact]
    public async Task Every_per_case_figure_equals_plastimatch_and_Mira_Metrics_on_the_same_predictions_and_the_summary_is_their_mean()
    {
        var r = await ScenarioAsync();
        // The steward's side: the same release materialised, the same package run by the same worker.
        var folder = Path.Combine(s.Work, "materialised");
        await s.Archive.Datasets.MaterialiseForEvaluationAsync(r.TestRelease, folder, "test");
        var predictions = Path.Combine(s.Work, "predictions");
        var (code, output) = ExternalTool.Exec(Path.Combine(AppContext.BaseDirectory, "mira"),
            ["model", "run", "--package", ReferencePackage("pet-suv41-baseline"), "--images", Path.Combine(folder, "images"), "--out", predictions]);
        Assert.True(code == 0, output);
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(r.ReportFolder, "report.json")));
        var plastimatch = ExternalTool.Require("plastimatch", "plastimatch");
        var dice = new List<double>();
        foreach (var c in report.RootElement.GetProperty("per_case").EnumerateArray())
        {
            var id = c.GetProperty("case_id").GetString()!;
            var lesion = c.GetProperty("structures").GetProperty("LESION");
            var reference = Path.Combine(folder, "labels", id + ".nii.gz");
            var prediction = Path.Combine(predictions, id + ".nii.gz");
            var direct = SegmentationMetrics.Compute(BinaryMask.Read(reference, 1), BinaryMask.Read(prediction, 1));
            Assert.Equal(direct.Dice, lesion.GetProperty("dice").GetDouble(), 12);
            var peer = PlastimatchLine().Matches(ExternalTool.Run(plastimatch, "dice", "--all", reference, prediction))
                .ToDictionary(m => m.Groups[1].Value.Trim(), m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            Assert.True(Math.Abs(peer["DICE"] - direct.Dice) <= 5e-7, $"{id}: plastimatch {peer["DICE"]} vs {direct.Dice}");
            dice.Add(direct.Dice);
        }
        Assert.Equal(6, dice.Count);
        var mean = report.RootElement.GetProperty("segmentation").GetProperty("structures")[0].GetProperty("mean").GetProperty("dice");
        Assert.Equal(dice.Average(), mean.GetProperty("value").GetDouble(), 12);
        Assert.True(mean.GetProperty("lower").GetDouble() <= dice.Average() && dice.Average() <= mean.GetProperty("upper").GetDouble());
        Assert.Equal(dice.Average(), (double)r.Evaluation["score"]!, 12);
        var fields = report.RootElement.GetProperty("subgroups").EnumerateArray().Select(g => g.GetProperty("field").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "site", "sex" }, fields);
        // The research recipe blanks Institution Name: the site is unknown, not a site called "ANONYMIZED".
        var sites = report.RootElement.GetProperty("subgroups").EnumerateArray().Single(g => g.GetProperty("field").GetString() == "site").GetProperty("groups")
            .EnumerateArray().Select(row => row.GetProperty("group").GetString()).ToList();
        Assert.Contains("unknown", sites);
        Assert.DoesNotContain("ANONYMIZED", sites);
    }

    [Fact]
    public async Task The_sequestered_report_and_everything_the_submitter_reads_name_pseudonymous_case_ids_only()
    {
        var r = await ScenarioAsync();
        var dev = s.As("dev");
        var texts = new List<string>
        {
            File.ReadAllText(Path.Combine(r.ReportFolder, "report.json")), File.ReadAllText(Path.Combine(r.ReportFolder, "report.html")),
            File.ReadAllText(Path.Combine(r.ReportFolder, "signature.json")), await dev.GetStringAsync($"/api/evaluations/{r.Baseline}"),
            await dev.GetStringAsync($"/api/evaluations/{r.Broken}"), await dev.GetStringAsync($"/api/phases/{Phase}"), await dev.GetStringAsync("/api/evaluations"),
        };
        var secrets = s.Cohort.SelectMany(c => new[] { c.PatientId, c.PatientName, c.StudyInstanceUid, c.SeriesInstanceUid }.Concat(c.Instances.Select(i => i.SopInstanceUid)))
            .Concat(s.Cases.SelectMany(c => new[] { c.Study, c.Series, c.Patient })).ToList();
        foreach (var text in texts)
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, text);
        Assert.Contains("case-0001", texts[0]);
        Assert.Contains("case-0001", texts[1]);
    }

    [Fact]
    public async Task A_model_that_fails_on_the_sequestered_set_fails_its_evaluation_with_a_reason_that_names_no_case_and_keeps_the_log_for_operators()
    {
        var r = await ScenarioAsync();
        var broken = await JsonOf(await s.As("dev").GetAsync($"/api/evaluations/{r.Broken}"));
        Assert.Equal("failed", (string)broken["state"]!);
        var error = (string)broken["error"]!;
        Assert.Contains("model worker failed", error);
        Assert.DoesNotContain("case-", error);
        Assert.Null(broken["score"]);
        Assert.Equal(HttpStatusCode.Conflict, (await s.As("dev").GetAsync($"/api/evaluations/{r.Broken}/report/report.json")).StatusCode);
        var log = await s.Archive.Jobs.Store.GetLogAsync((long)broken["job"]!);
        Assert.Contains("worker output", log);
        Assert.Contains("MR", log);
    }

    [Fact]
    public async Task Submissions_of_another_protocol_and_past_the_limit_are_refused_saying_why()
    {
        var r = await ScenarioAsync();
        Assert.Equal(HttpStatusCode.BadRequest, r.ProtocolRefusal.StatusCode);
        Assert.Contains("is for protocol glioma-brats; phase pet-lesions-2026 scores protocol petct-tumour-metabolism", await r.ProtocolRefusal.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, r.LimitRefusal.StatusCode);
        Assert.Contains("dev has used all 2 submissions of phase pet-lesions-2026", await r.LimitRefusal.Content.ReadAsStringAsync());
        var denied = await s.Archive.Audit.QueryAsync(new Mira.Storage.Security.AuditFilter(Actor: "dev", ActionPrefix: AuditActions.EvaluationSubmit,
            Outcome: Mira.Storage.Security.AuditOutcome.Denied));
        Assert.Equal(2, denied.Count);
        var runs = await s.Archive.Audit.QueryAsync(new Mira.Storage.Security.AuditFilter(ActionPrefix: AuditActions.EvaluationRun));
        Assert.Contains(runs, e => e.Actor == "evaluation-runner" && e.Resource == "release:" + r.TestRelease);
    }

    [Fact]
    public async Task The_leaderboard_ranks_the_submitter_and_outsiders_see_nothing()
    {
        var r = await ScenarioAsync();
        var phase = await JsonOf(await s.As("dev").GetAsync($"/api/phases/{Phase}"));
        var row = Assert.Single(phase["leaderboard"]!.AsArray())!;
        Assert.Equal((1, "dev", "pet-suv41-baseline", r.Baseline), ((int)row["rank"]!, (string)row["submitter"]!, (string)row["model"]!, (long)row["evaluation"]!));
        var outsider = s.As("dev2");
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/api/phases/{Phase}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/api/evaluations/{r.Baseline}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/api/evaluations/{r.Baseline}/report/report.html")).StatusCode);
        Assert.Empty((await outsider.GetFromJsonAsync<JsonArray>("/api/phases"))!);
        var html = await s.As("dev").GetAsync($"/api/evaluations/{r.Baseline}/report/report.html");
        Assert.Contains("sandbox", html.Headers.GetValues("Content-Security-Policy").Single());
    }
}
