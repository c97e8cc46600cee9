using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mira.Inference.Packages;
using Mira.Platform.Annotations;
using Mira.Platform.Evaluations;
using Mira.Platform.Evaluations.Engine;
using Mira.Storage.Blobs;
using Mira.Storage.Evaluations;
using Mira.Testing;

namespace Mira.Server.Tests.Web;

/// <summary>
/// A server on a loopback socket (for pages over HTTP and for Chromium) with the model and evaluation pages' world:
/// project <c>onco</c> (the demo studies copied in) with a test release; members <c>dev</c> (developer) and the
/// annotator; <c>dev2</c> a developer who is not a member. <c>dev</c> pushed <c>models/pet-suv41-baseline</c>,
/// <c>dev2</c> <c>models/glioma-synthetic-baseline</c>. Phase <see cref="Phase"/> scores the release under
/// petct-tumour-metabolism by Dice; <c>dev</c> submitted the baseline (<see cref="Finished"/>) and it finished with a
/// real signed report: the job worker is off, and the run is <see cref="EvaluationRunner"/> — the evaluation job's own
/// runner, with the model in a <c>mira</c> worker process and the platform's signing key — on a synthetic PET cohort
/// with exact lesion masks (<see cref="Mira.Platform.Demo.DemoCohort.PetLesions"/>), because the demo release carries no
/// lesion labels. Phase <see cref="OnceOnly"/> allows one submission, for the submit form's tests.
/// </summary>
public sealed class EvaluationServer : TestArchive
{
    public const string Project = "onco";
    public const string Phase = "pet-dice";
    public const string OnceOnly = "pet-once";
    public const string Model = "pet-suv41-baseline";
    public const string OtherModel = "glioma-synthetic-baseline";

    public EvaluationServer() => RuleCopies = new Mira.Platform.Jobs.JobOptions { Worker = false };

    protected override bool OnSocket => true;

    public HttpClient As(string user) => Basic(user, UserPassword);

    /// <summary>The finished evaluation of <see cref="Phase"/>.</summary>
    public EvaluationRecord Finished { get; private set; } = null!;

    public string ReleaseId { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Mira.Platform.Demo.DemoStudies.EnsureLoadedAsync(Archive.Ingest);
        await Archive.Accounts.CreateUserAsync("dev", UserPassword, [Roles.Developer]);
        await Archive.Accounts.CreateUserAsync("dev2", UserPassword, [Roles.Developer]);
        using var steward = As("steward");
        await Ok(await steward.PostAsJsonAsync("/api/projects", new { id = Project, name = "Oncology PET", recipe = "research" }), HttpStatusCode.Created);
        foreach (var user in new[] { "dev", "annotator" })
            await Ok(await steward.PostAsJsonAsync($"/api/projects/{Project}/members", new { user, role = "member" }));
        await Ok(await steward.PostAsJsonAsync($"/api/projects/{Project}/copy",
            new { studies = new[] { "mr", "ct", "pt" }.Select(Mira.Platform.Demo.DemoStudies.StudyUid) }));
        var release = await Ok(await steward.PostAsJsonAsync($"/api/projects/{Project}/releases", new
        {
            name = "onco-test", kind = "test", annotations = "none",
            datasheet = new { intendedUse = "Evaluation of PET lesion models", inclusion = "Demo studies", exclusion = "None", referenceStandard = "Synthetic", licence = "CC0" },
        }), HttpStatusCode.Created);
        ReleaseId = (string)JsonNode.Parse(await release.Content.ReadAsStringAsync())!["id"]!;

        var dev = new AnnotationActor("dev", [Roles.Developer]);
        await Archive.Models.AddAsync(dev, ModelPackage.Open(Path.Combine(Corpus.RepositoryRoot, "models", Model)));
        await Archive.Models.AddAsync(new AnnotationActor("dev2", [Roles.Developer]), ModelPackage.Open(Path.Combine(Corpus.RepositoryRoot, "models", OtherModel)));
        var stewardActor = new AnnotationActor("steward", [Roles.Steward]);
        await Archive.Evaluations.CreatePhaseAsync(stewardActor,
            new PhaseRequest(Phase, "PET lesion segmentation", Project, ReleaseId, "petct-tumour-metabolism", "dice", null, null, 5, 3));
        await Archive.Evaluations.CreatePhaseAsync(stewardActor,
            new PhaseRequest(OnceOnly, "One try", Project, ReleaseId, "petct-tumour-metabolism", "hd95_mm", null, null, 1, 1));
        var submitted = await Archive.Evaluations.SubmitAsync(dev, Phase, Model, "1.0.0");
        Finished = await RunAsync(submitted);
        FailedRun = await RunJobAsync(await Archive.Evaluations.SubmitAsync(dev, Phase, Model, "1.0.0"));
    }

    /// <summary>
    /// A second submission of the baseline to <see cref="Phase"/>, run by the platform's job worker as <c>mira serve</c>
    /// runs it: the demo release has no lesion labels (and MR and CT cases), so it fails, with the reason its submitter reads.
    /// </summary>
    public EvaluationRecord FailedRun { get; private set; } = null!;

    async Task<EvaluationRecord> RunJobAsync(EvaluationRecord e)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var worker = Archive.CreateJobWorker().RunAsync(stop.Token);
        try
        {
            while (true)
            {
                var now = await Archive.Evaluations.Store.GetAsync(e.Id, stop.Token);
                if (now!.State is EvaluationStates.Succeeded or EvaluationStates.Failed) return now;
                await Task.Delay(200, stop.Token);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await worker;
        }
    }

    /// <summary>Runs a queued evaluation as the evaluation job does after materialising its release, and records it the same way.</summary>
    async Task<EvaluationRecord> RunAsync(EvaluationRecord e)
    {
        var evaluations = Archive.Evaluations;
        var work = Path.Combine(DataFolder, "eval-" + e.Id.ToString(CultureInfo.InvariantCulture));
        Mira.Platform.Demo.DemoCohortFolder.Write(Mira.Platform.Demo.DemoCohort.PetLesions(4, seed: 5), Path.Combine(work, "test-set"));
        var model = await Archive.Models.Store.GetAsync(e.ModelName, e.ModelVersion) ?? throw new InvalidOperationException("the model is gone");
        var package = Path.Combine(work, "package");
        Mira.Platform.Models.CanonicalPackageZip.Extract(await Archive.Models.OpenAsync(model), package);
        await evaluations.Store.SetRunningAsync(e.Id);
        var spec = PhaseSpec.For("dice");
        var output = Path.Combine(work, "report");
        var result = await new EvaluationRunner(new ProcessModelWorker(evaluations.Options.WorkerCommand!), evaluations.SigningKeyPath).RunAsync(
            new EvaluationRunRequest(package, Path.Combine(work, "test-set", "images"), Path.Combine(work, "test-set", "labels"), Path.Combine(work, "test-set", "cases.tsv"), output)
            {
                ReleaseId = ReleaseId, ReleaseHash = ReleaseId, RankingMetric = spec.RankingMetric, BootstrapReplicates = 200,
            });
        foreach (var file in EvaluationService.ReportFileNames)
            await Archive.Blobs.WriteAsync(BlobKeys.For("evaluations", e.Id.ToString(CultureInfo.InvariantCulture), file), await File.ReadAllBytesAsync(Path.Combine(output, file)));
        var reportSha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(output, ReportFolder.ReportJsonName))));
        var score = EvaluationSummaries.Score(result.Results, spec.RankingMetric);
        await evaluations.Store.FinishAsync(e.Id, EvaluationStates.Succeeded, DateTimeOffset.UtcNow, double.IsFinite(score) ? score : null,
            EvaluationSummaries.ToJson(result, spec), reportSha, result.Signature.KeyId, null);
        return (await evaluations.Store.GetAsync(e.Id))!;
    }

    public static async Task<HttpResponseMessage> Ok(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        if (r.StatusCode != expected)
            Assert.Fail($"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}, expected {(int)expected}");
        return r;
    }
}

[CollectionDefinition(Name)]
public sealed class EvaluationWorld : ICollectionFixture<EvaluationServer>
{
    public const string Name = "evaluation pages";
}
