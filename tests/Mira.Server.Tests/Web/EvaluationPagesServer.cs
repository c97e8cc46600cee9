using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Inference.Packages;
using Mira.Platform.Annotations;
using Mira.Platform.Evaluations;
using Mira.Storage.Evaluations;
using Mira.Testing;

namespace Mira.Server.Tests.Web;

/// <summary>
/// A server on a loopback socket (for pages over HTTP and for Chromium) with the model and evaluation pages' world:
/// project <c>onco</c> with the demo studies copied in and a test release of them (no labels), and a synthetic PET cohort
/// copied in, annotated by two annotators each and released as a test release with its consensus lesion masks
/// (<see cref="LabelledPetRelease"/>). Members <c>dev</c> (developer) and the annotator; <c>dev2</c> is a developer who is
/// not a member. <c>dev</c> pushed <c>models/pet-suv41-baseline</c>, <c>dev2</c> <c>models/glioma-synthetic-baseline</c>.
/// Phase <see cref="Phase"/> scores the labelled release by Dice: <c>dev</c> submitted the baseline and the platform's
/// job worker ran it (the model in a <c>mira</c> worker process, a signed report): <see cref="Finished"/>. Phase
/// <see cref="Unlabelled"/> scores the demo release, which has no labels: the same model fails there
/// (<see cref="FailedRun"/>). Phase <see cref="OnceOnly"/> allows one submission, for the submit form's tests. The job
/// worker runs only while the fixture waits for those two evaluations.
/// </summary>
public sealed class EvaluationPagesServer : TestArchive
{
    public const string Project = "onco";
    public const string Phase = "pet-dice";
    public const string OnceOnly = "pet-once";
    public const string Unlabelled = "pet-demo";
    public const string Model = "pet-suv41-baseline";
    public const string OtherModel = "glioma-synthetic-baseline";

    public EvaluationPagesServer() => RuleCopies = new Mira.Platform.Jobs.JobOptions { Worker = false };

    protected override bool OnSocket => true;

    public HttpClient As(string user) => Basic(user, UserPassword);

    /// <summary>The finished evaluation of <see cref="Phase"/>.</summary>
    public EvaluationRecord Finished { get; private set; } = null!;

    /// <summary>The test release of the demo studies (no labels).</summary>
    public string ReleaseId { get; private set; } = "";

    /// <summary>The test release of the synthetic PET cohort with its consensus lesion masks (<see cref="LabelledPetRelease"/>).</summary>
    public string LabelledReleaseId { get; private set; } = "";

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
        LabelledReleaseId = await LabelledPetRelease.CreateAsync(this, Project, patients: 4, seed: 5);
        await Archive.Evaluations.CreatePhaseAsync(stewardActor,
            new PhaseRequest(Phase, "PET lesion segmentation", Project, LabelledReleaseId, "petct-tumour-metabolism", "dice", null, null, 5, 3));
        await Archive.Evaluations.CreatePhaseAsync(stewardActor,
            new PhaseRequest(Unlabelled, "Demo studies", Project, ReleaseId, "petct-tumour-metabolism", "dice", null, null, 5, 3));
        await Archive.Evaluations.CreatePhaseAsync(stewardActor,
            new PhaseRequest(OnceOnly, "One try", Project, ReleaseId, "petct-tumour-metabolism", "hd95_mm", null, null, 1, 1));
        var submitted = await Archive.Evaluations.SubmitAsync(dev, Phase, Model, "1.0.0");
        Finished = await RunJobAsync(submitted);
        Assert.True(Finished.State == EvaluationStates.Succeeded, $"the evaluation {Finished.State}: {Finished.Error}");
        FailedRun = await RunJobAsync(await Archive.Evaluations.SubmitAsync(dev, Unlabelled, Model, "1.0.0"));
    }

    /// <summary>
    /// A submission of the baseline to <see cref="Unlabelled"/>, run by the platform's job worker as <c>mira serve</c>
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

    public static async Task<HttpResponseMessage> Ok(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        if (r.StatusCode != expected)
            Assert.Fail($"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}, expected {(int)expected}");
        return r;
    }
}

[CollectionDefinition(Name)]
public sealed class EvaluationWorld : ICollectionFixture<EvaluationPagesServer>
{
    public const string Name = "evaluation pages";
}
