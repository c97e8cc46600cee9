using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Inference.Packages;
using Mira.Platform.Annotations;
using Mira.Server.Dimse;
using Mira.Storage.Jobs;
using Mira.Server.Tests.Models;
using Mira.Testing;

namespace Mira.Server.Tests.Deployment;

/// <summary>
/// A server with its DIMSE listener (AE MIRA on a free loopback port), a real Orthanc as the PACS that receives results
/// (<see cref="OrthancPacs"/>, accepting C-STORE from MIRA only), the model <c>ct-bone-threshold-baseline</c> in the
/// registry, and quick job retries and leases (a killed worker's job runs again within seconds).
/// </summary>
public class DeploymentServer : TestArchive
{
    public const string Model = "ct-bone-threshold-baseline";
    public const string ModelVersion = "1.0.0";

    public DeploymentServer() =>
        RuleCopies = new JobOptions { RetryDelay = TimeSpan.FromSeconds(1), PollInterval = TimeSpan.FromMilliseconds(250), Lease = TimeSpan.FromSeconds(5), Heartbeat = TimeSpan.FromSeconds(1) };

    protected override DimseServiceOptions? Dimse => new() { Port = 0, Address = IPAddress.Loopback, AETitle = "MIRA" };

    public OrthancPacs Pacs { get; private set; } = null!;

    public string Work { get; } = Directory.CreateTempSubdirectory("mira-deployment-tests-").FullName;

    public static string ModelFolder => Path.Combine(Corpus.RepositoryRoot, "models", Model);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Pacs = await OrthancPacs.StartAsync("MIRA");
        await Archive.ApplicationEntities.SetAsync(OrthancPacs.AETitle, "127.0.0.1", Pacs.DicomPort, Mira.Platform.Security.DimsePermissions.None);
        foreach (var ae in new[] { "CT1", "CT2", "CT3", "CT4", "MR1" }) await Archive.ApplicationEntities.SetAsync(ae, "127.0.0.1", 104, Mira.Platform.Security.DimsePermissions.Store);
        await RefreshAeTableAsync();
        await Archive.Models.AddAsync(new AnnotationActor("dev", [Roles.Developer]), ModelPackage.Open(ModelFolder));
    }

    /// <summary>A synthetic CT series (../shared/bench/gen_bench_data.py, 512 x 512, <paramref name="slices"/> slices; the seed sets its UIDs).</summary>
    public string MakeCt(int seed, int slices = 20)
    {
        var folder = Path.Combine(Work, $"data-{seed}");
        ExternalTool.Run("/usr/bin/python3", Path.Combine(Corpus.SharedRoot, "bench", "gen_bench_data.py"), folder, "--only", "ct", "--seed",
            seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--scale", (slices / 400.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        return Path.Combine(folder, "ct");
    }

    /// <summary>A synthetic MR series (T1-like).</summary>
    public string MakeMr(int seed)
    {
        var folder = Path.Combine(Work, $"mr-{seed}");
        ExternalTool.Run("/usr/bin/python3", Path.Combine(Corpus.SharedRoot, "bench", "gen_bench_data.py"), folder, "--only", "mr", "--seed",
            seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--scale", "0.05");
        return Path.Combine(folder, "mr", "s1");
    }

    /// <summary>storescu (dcmtk) from <paramref name="callingAe"/> to Mira's listener.</summary>
    public void StoreScu(string callingAe, string folder)
    {
        var (code, output) = ExternalTool.Exec(ExternalTool.Require("storescu", "dcmtk"),
            ["-aet", callingAe, "-aec", "MIRA", "+sd", "127.0.0.1", DimsePort.ToString(System.Globalization.CultureInfo.InvariantCulture), folder]);
        Assert.True(code == 0, "storescu failed: " + output);
    }

    public async Task AddRuleAsync(string name, string fromAe, string? modality, string sendTo = OrthancPacs.AETitle) =>
        EvaluationServer.Ok(await Steward.PostAsJsonAsync("/api/deployments",
            new { name, model = $"{Model}@{ModelVersion}", fromAe, modality, sendTo, settleSeconds = 1 }), HttpStatusCode.Created);

    public HttpClient Steward => Basic("steward", UserPassword);

    /// <summary>Waits until the rule has a result for the series in one of <paramref name="states"/>; returns it.</summary>
    public async Task<JsonObject> ResultAsync(string rule, string series, params string[] states)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var results = JsonNode.Parse(await (await Steward.GetAsync($"/api/deployments/{rule}/results")).Content.ReadAsStringAsync())!.AsArray();
            if (results.OfType<JsonObject>().FirstOrDefault(r => (string)r["seriesInstanceUid"]! == series && states.Contains((string)r["state"]!)) is { } found)
                return found;
            await Task.Delay(250);
        }
        var jobs = string.Join("\n", (await Archive.Jobs.ListAsync()).Select(j => $"{j.Id} {j.Kind} {j.State} {j.Attempts} {j.LastError}"));
        throw new TimeoutException($"no {string.Join("/", states)} result of {rule} for series {series} within 3 minutes; jobs:\n{jobs}");
    }

    public static string SeriesOf(string folder) =>
        DicomFile.Open(Directory.GetFiles(folder).Order(StringComparer.Ordinal).First(), new DicomReadOptions { StopBeforePixelData = true })
            .Dataset.GetString(DicomTags.SeriesInstanceUID)!;

    public override async Task DisposeAsync()
    {
        if (Pacs is not null) await Pacs.DisposeAsync();
        await base.DisposeAsync();
        try { Directory.Delete(Work, recursive: true); } catch (IOException) { }
    }
}
