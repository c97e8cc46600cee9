using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Inference.Packages;
using Mira.Platform.Annotations;
using Mira.Storage.Jobs;
using Mira.Testing;

using Mira.Server.Tests.Models;

namespace Mira.Server.Tests.Deployment;

/// <summary>
/// A server on a socket (for a browser) where a blind-first-read deployment (<c>pet-lesions</c>: the PET baseline on series
/// from AE PET1, results to a real Orthanc, corrections into the project <c>pet-feedback</c>) has run on three synthetic
/// PET studies (<see cref="DemoCohort"/>); the clinician <c>clin</c> reviews them. <see cref="Corrections"/> holds, per
/// series, the exact lesion mask plus a missed 3 x 3 x 3 region in a corner (<see cref="AddedVoxels"/>), as a NIfTI on
/// that series: what a clinician's correction looks like; <see cref="LesionVoxels"/> counts the exact mask's voxels.
/// </summary>
public sealed class ReviewServer : TestArchive
{
    public const string Rule = "pet-lesions";
    public const string FeedbackProject = "pet-feedback";
    public const string Clinician = "clin";

    public ReviewServer() => RuleCopies = new JobOptions { RetryDelay = TimeSpan.FromSeconds(1), PollInterval = TimeSpan.FromMilliseconds(250) };

    protected override bool OnSocket => true;

    public OrthancPacs Pacs { get; private set; } = null!;
    public IReadOnlyList<DemoCohortCase> Cohort { get; } = DemoCohort.PetLesions(3, seed: 19);
    public Dictionary<string, string> Corrections { get; } = [];
    public Dictionary<string, int> LesionVoxels { get; } = [];
    public const int AddedVoxels = 27;

    /// <summary>The results, in cohort order (one per case's series).</summary>
    public List<JsonObject> Results { get; } = [];

    string Work => Path.Combine(DataFolder, "review-work");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(Work);
        Pacs = await OrthancPacs.StartAsync("MIRA");
        await Archive.ApplicationEntities.SetAsync(OrthancPacs.AETitle, "127.0.0.1", Pacs.DicomPort, Mira.Platform.Security.DimsePermissions.None);
        await Archive.Models.AddAsync(new AnnotationActor("dev", [Roles.Developer]), ModelPackage.Open(Path.Combine(Corpus.RepositoryRoot, "models", "pet-suv41-baseline")));
        await Archive.Accounts.CreateUserAsync(Clinician, UserPassword, [Roles.Clinician]);
        var steward = Basic("steward", UserPassword);
        EvaluationServer.Ok(await steward.PostAsJsonAsync("/api/projects", new { id = FeedbackProject, name = "PET feedback", recipe = "research" }), HttpStatusCode.Created);
        EvaluationServer.Ok(await steward.PostAsJsonAsync("/api/deployments", new
        {
            name = Rule, model = "pet-suv41-baseline@1.0.0", fromAe = "PET1", modality = "PT", sendTo = OrthancPacs.AETitle, blindFirstRead = true,
            feedbackProject = FeedbackProject, settleSeconds = 0,
        }), HttpStatusCode.Created);

        // The studies arrive from PET1 through the intake, as a DIMSE association stores them.
        var source = new IngestSource("dimse", "PET1");
        var session = Archive.Intake.Begin(new IntakeContext(source, "PET1", CallingAe: "PET1"));
        var parts = Cohort.SelectMany(c => c.Instances).Select(i => (ReadOnlyMemory<byte>)i.Bytes).ToList();
        foreach (var r in await session.StoreAsync(Archive.Ingest.Parse(parts, _ => source)))
            Assert.Equal(StoreOutcome.Stored, r.Outcome);

        foreach (var c in Cohort)
        {
            var folder = Directory.CreateDirectory(Path.Combine(Work, c.Key)).FullName;
            foreach (var i in c.Instances) await File.WriteAllBytesAsync(Path.Combine(folder, i.SopInstanceUid + ".dcm"), i.Bytes);
            var series = DeploymentServer.SeriesOf(folder);
            var volume = DicomVolumeBuilder.FromPath(folder).Single().Volume;
            var mask = Path.Combine(Work, c.Key + "-corrected.nii.gz");
            var corrected = DemoCohortFolder.ReferenceMask(c, volume);
            LesionVoxels[series] = corrected.Data.Count(v => v != 0);
            for (var k = 0; k < 3; k++)
                for (var j = 0; j < 3; j++)
                    for (var i = 0; i < 3; i++)
                    {
                        var at = ((long)k * volume.Ny + j) * volume.Nx + i;
                        Assert.Equal(0, corrected.Data[at]);
                        corrected.Data[at] = 1;
                    }
            NiftiVolumes.WriteVolume(mask, corrected);
            Corrections[series] = mask;
            Results.Add(await SentResultAsync(steward, series));
        }
    }

    async Task<JsonObject> SentResultAsync(HttpClient steward, string series)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var results = JsonNode.Parse(await steward.GetStringAsync($"/api/deployments/{Rule}/results"))!.AsArray();
            if (results.OfType<JsonObject>().FirstOrDefault(r => (string)r["seriesInstanceUid"]! == series) is { } r && (string)r["state"]! != "failed")
            {
                Assert.Equal("sent", (string)r["state"]!);
                return r;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"no result of {Rule} for series {series}");
    }

    public override async Task DisposeAsync()
    {
        await Pacs.DisposeAsync();
        await base.DisposeAsync();
    }
}
