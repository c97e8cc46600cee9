using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Mira.Annotations.Reads;
using Mira.Annotations.Segmentation;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Inference.OnnxRuntime;
using Mira.Inference.Packages;
using Mira.Inference.Prediction;
using Mira.Platform.Deployment;
using Mira.Testing;

using Mira.Server.Tests.Models;

namespace Mira.Server.Tests.Deployment;

/// <summary>
/// Issue 19's must-show, over real peers: dcmtk's storescu sends a CT series as AE CT1; the rule runs the CT model in a
/// worker process; the Segmentation reaches a real Orthanc by C-STORE and Mira's archive, passes dciodvfy, references the
/// sent images, and its mask equals the model's output computed directly with ONNX Runtime. A model's intended use is
/// checked first (an MR series is refused, with the reason); a worker killed mid-run makes the job run again once and
/// one result is sent.
/// </summary>
public sealed class DeploymentEndToEndTests(DeploymentServer server) : IClassFixture<DeploymentServer>
{
    [Fact]
    public async Task A_ct_series_from_CT1_is_segmented_and_the_result_reaches_orthanc_and_the_archive()
    {
        await server.AddRuleAsync("ct1-bone", "CT1", "CT");
        var ct = server.MakeCt(seed: 101);
        var series = DeploymentServer.SeriesOf(ct);
        var before = await server.Pacs.InstancesAsync();
        server.StoreScu("CT1", ct);

        var result = await server.ResultAsync("ct1-bone", series, "sent");
        var sop = (string)result["resultSopInstanceUid"]!;
        Assert.Equal($"{DeploymentServer.Model}@{DeploymentServer.ModelVersion}", (string)result["model"]!);
        Assert.Equal("pending", (string)result["review"]!["state"]!);

        // Orthanc received the Segmentation and its measurement report, nothing else; the SEG element for element what Mira's
        // archive holds (Orthanc writes its own meta header and sequence lengths).
        var received = (await server.Pacs.InstancesAsync()).Except(before).ToList();
        Assert.Equal(2, received.Count);
        var files = new List<byte[]>();
        foreach (var id in received) files.Add(await server.Pacs.FileAsync(id));
        var seg = files.Single(f => DicomFile.Read(f).Dataset.GetString(DicomTags.Modality) == "SEG");
        var sr = files.Single(f => DicomFile.Read(f).Dataset.GetString(DicomTags.Modality) == "SR");
        var file = DicomFile.Read(seg);
        var ds = file.Dataset;
        Assert.Equal(sop, ds.GetString(DicomTags.SOPInstanceUID));
        var archived = await server.Archive.Index.FindInstanceAsync(sop);
        Assert.NotNull(archived);
        await using (var s = server.Archive.Blobs.OpenRead(archived!.BlobKey))
        {
            using var m = new MemoryStream();
            await s.CopyToAsync(m);
            Assert.Equal(Mira.Dicom.Json.DicomJsonWriter.Serialize(DicomFile.Read(m.ToArray()).Dataset), Mira.Dicom.Json.DicomJsonWriter.Serialize(ds));
        }

        // A valid Segmentation (dciodvfy), marked as made by the model.
        var segPath = Path.Combine(server.Work, "result-seg.dcm");
        await File.WriteAllBytesAsync(segPath, seg);
        var errors = ExternalTool.Exec(ExternalTool.Require("dciodvfy", "dicom3tools"), [segPath]).Output.Split('\n').Where(l => l.Contains("Error", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(InferenceResults.ContentLabel, ds.GetString(DicomTags.ContentLabel));
        var segment = ds.GetSequence(DicomTags.SegmentSequence)!.Items.Single();
        Assert.Equal("AUTOMATIC", segment.GetString(DicomTags.SegmentAlgorithmType));
        var algorithm = segment.GetSequence(DicomTags.SegmentationAlgorithmIdentificationSequence)!.Items.Single();
        Assert.Equal(DeploymentServer.Model, algorithm.GetString(DicomTags.AlgorithmName));
        Assert.Equal(DeploymentServer.ModelVersion, algorithm.GetString(DicomTags.AlgorithmVersion));
        Assert.Equal("123110", algorithm.GetSequence(DicomTags.AlgorithmFamilyCodeSequence)!.Items.Single().GetString(DicomTags.CodeValue));
        Assert.Contains((string)result["modelSha256"]!, algorithm.GetString(DicomTags.AlgorithmParameters));

        // The measurement report (TID 1500): valid, the model as a device observer, its volume referencing the Segmentation.
        var srPath = Path.Combine(server.Work, "result-sr.dcm");
        await File.WriteAllBytesAsync(srPath, sr);
        var srErrors = ExternalTool.Exec(ExternalTool.Require("dciodvfy", "dicom3tools"), [srPath]).Output.Split('\n').Where(l => l.Contains("Error", StringComparison.Ordinal)).ToList();
        Assert.True(srErrors.Count == 0, string.Join("\n", srErrors));
        var srJson = Mira.Dicom.Json.DicomJsonWriter.Serialize(DicomFile.Read(sr).Dataset);
        Assert.Contains("121007", srJson); // Observer Type: Device
        Assert.Contains(DeploymentServer.Model, srJson);
        Assert.Contains(sop, srJson);

        // Its references resolve to the images sent.
        var sent = Directory.GetFiles(ct).Select(f => DicomFile.Open(f, new DicomReadOptions { StopBeforePixelData = true }).Dataset).ToList();
        var sentSops = sent.Select(d => d.GetString(DicomTags.SOPInstanceUID)!).ToHashSet();
        Assert.Equal(series, ds.GetSequence(DicomTags.ReferencedSeriesSequence)!.Items.Single().GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(sent[0].GetString(DicomTags.StudyInstanceUID), ds.GetString(DicomTags.StudyInstanceUID));
        var frames = ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)!.Items;
        Assert.NotEmpty(frames);
        foreach (var frame in frames)
        {
            var source = frame.GetSequence(DicomTags.DerivationImageSequence)!.Items.Single().GetSequence(DicomTags.SourceImageSequence)!.Items.Single();
            Assert.Contains(source.GetString(DicomTags.ReferencedSOPInstanceUID)!, sentSops);
        }

        // Its mask is the model's output computed here, directly with ONNX Runtime, voxel for voxel.
        var grid = ImageGrid.FromSeries(sent);
        var package = ModelPackage.Open(DeploymentServer.ModelFolder);
        var protocol = InferenceResults.ProtocolOf(package.Manifest);
        var fromSeg = SegmentationToMasks.Read(seg, grid, protocol);
        using var predictor = new ModelPredictor(package, new OnnxSessionFactory());
        var direct = predictor.Predict(DicomVolumeBuilder.FromPath(ct).Single().Volume).LabelMap!;
        var directPath = Path.Combine(server.Work, "direct.nii.gz");
        NiftiVolumes.WriteVolume(directPath, direct);
        var expected = LabelMapNifti.Read(directPath, grid, protocol);
        Assert.True(expected[1].Count(v => v) > 1000, "the direct prediction finds bone");
        Assert.Equal(expected[1], fromSeg[1]);

        // Its UPS work item (IHE AIW-I): performed by Mira, completed with the Segmentation as its output.
        var workitem = await server.Archive.Workitems.GetAsync((string)result["workitem"]!, Mira.Platform.Workitems.WorkitemActor.System);
        Assert.Equal("COMPLETED", workitem.GetString(DicomTags.ProcedureStepState));
        var performed = workitem.GetSequence(DicomTags.UnifiedProcedureStepPerformedProcedureSequence)!.Items.Single();
        var output = performed.GetSequence(DicomTags.OutputInformationSequence)!.Items.Single();
        Assert.Equal(sop, output.GetSequence(DicomTags.ReferencedSOPSequence)!.Items.Single().GetString(DicomTags.ReferencedSOPInstanceUID));

        // The inference is audited, with the model's identity.
        await using var c = await server.Archive.Database.OpenAsync();
        var audited = await c.QueryAsync<string>("SELECT details FROM mira_audit WHERE action = 'deployment.infer' AND outcome = 'success'");
        Assert.Contains(audited, d => d.Contains(series) && d.Contains((string)result["modelSha256"]!));
    }

    [Fact]
    public async Task A_ct_model_never_runs_on_mr_and_the_reason_is_recorded()
    {
        await server.AddRuleAsync("mr1-any", "MR1", modality: null);
        var mr = server.MakeMr(seed: 303);
        var series = DeploymentServer.SeriesOf(mr);
        var before = await server.Pacs.InstancesAsync();
        server.StoreScu("MR1", mr);

        var result = await server.ResultAsync("mr1-any", series, "refused");
        Assert.Equal($"{DeploymentServer.Model} {DeploymentServer.ModelVersion} is intended for modality CT; the series is MR", (string)result["reason"]!);
        Assert.Null(result["resultSopInstanceUid"]);
        var job = await WaitAsync(async () => (await server.Archive.Jobs.ListAsync(DeploymentService.JobKind)).SingleOrDefault(j => j.Subject == series && j.State == "succeeded"));
        Assert.Contains("refused: " + (string)result["reason"]!, await server.Archive.Jobs.Store.GetLogAsync(job.Id));
        Assert.Equal(before.Count, (await server.Pacs.InstancesAsync()).Count);
    }

    [Fact]
    public async Task A_worker_killed_mid_run_runs_again_once_and_one_result_is_sent()
    {
        await server.AddRuleAsync("ct2-bone", "CT2", "CT");
        var ct = server.MakeCt(seed: 202, slices: 24);
        var series = DeploymentServer.SeriesOf(ct);
        var before = await server.Pacs.InstancesAsync();
        server.StoreScu("CT2", ct);

        // The first attempt's model worker (mira model run over this job's folder) is killed as a power cut would.
        var job = await WaitAsync(async () => (await server.Archive.Jobs.ListAsync(DeploymentService.JobKind)).FirstOrDefault(j => j.Subject == series));
        var killed = await WaitAsync(() => Task.FromResult(WorkerOf(job.Id) is { } pid ? (int?)pid : null));
        Process.GetProcessById(killed!.Value).Kill();

        var result = await server.ResultAsync("ct2-bone", series, "sent");
        var done = await WaitAsync(async () => await server.Archive.Jobs.GetAsync(job.Id) is { State: "succeeded" } j ? j : null);
        Assert.Equal(2, done.Attempts);
        Assert.Contains("attempt 1 failed", await server.Archive.Jobs.Store.GetLogAsync(job.Id));
        // One Segmentation and one measurement report reached Orthanc, not two of either.
        var received = (await server.Pacs.InstancesAsync()).Except(before).ToList();
        Assert.Equal(2, received.Count);
        var modalities = new List<string>();
        foreach (var id in received) modalities.Add(DicomFile.Read(await server.Pacs.FileAsync(id)).Dataset.GetString(DicomTags.Modality)!);
        Assert.Equal(["SEG", "SR"], modalities.Order());
        var results = JsonNode.Parse(await server.Steward.GetStringAsync("/api/deployments/ct2-bone/results"))!.AsArray();
        Assert.Single(results);
    }

    [Fact]
    public async Task A_series_acquired_unlike_the_reference_release_is_flagged_outside_the_validated_range_and_still_sent()
    {
        // The reference: a CT study de-identified into a project and released; the rule's out-of-distribution profile is built from it.
        var reference = server.MakeCt(seed: 505);
        await foreach (var r in server.Archive.Ingest.StoreManyAsync(Directory.GetFiles(reference).Select(f => (ReadOnlyMemory<byte>)File.ReadAllBytes(f)), new IngestSource("test")))
            Assert.Equal(StoreOutcome.Stored, r.Outcome);
        var study = DicomFile.Open(Directory.GetFiles(reference)[0], new DicomReadOptions { StopBeforePixelData = true }).Dataset.GetString(DicomTags.StudyInstanceUID);
        EvaluationServer.Ok(await server.Steward.PostAsJsonAsync("/api/projects", new { id = "ct-reference", name = "CT reference", recipe = "research" }), HttpStatusCode.Created);
        EvaluationServer.Ok(await server.Steward.PostAsJsonAsync("/api/projects/ct-reference/copy", new { studies = new[] { study } }));
        var release = JsonNode.Parse(await EvaluationServer.Ok(await server.Steward.PostAsJsonAsync("/api/projects/ct-reference/releases", new
        {
            name = "ct-reference", kind = "training", annotations = "none",
            datasheet = new { intendedUse = "Reference acquisitions", inclusion = "One CT", exclusion = "None", referenceStandard = "None", licence = "CC0" },
        }), HttpStatusCode.Created).Content.ReadAsStringAsync())!;
        EvaluationServer.Ok(await server.Steward.PostAsJsonAsync("/api/deployments", new
        {
            name = "ct3-guarded", model = $"{DeploymentServer.Model}@{DeploymentServer.ModelVersion}", fromAe = "CT3", modality = "CT", sendTo = OrthancPacs.AETitle,
            settleSeconds = 1, oodReleases = new[] { (string)release["id"]! }, oodThreshold = 0.25,
        }), HttpStatusCode.Created);

        // The same acquisition: within range.
        var alike = server.MakeCt(seed: 506);
        server.StoreScu("CT3", alike);
        var within = await server.ResultAsync("ct3-guarded", DeploymentServer.SeriesOf(alike), "sent");
        Assert.False((bool)within["ood"]!["outsideValidatedRange"]!, within.ToJsonString());
        Assert.InRange((double)within["ood"]!["score"]!, 0, 0.25);

        // Another tube voltage and slice thickness: flagged, with the reasons, and still segmented and sent, marked as such.
        var unlike = server.MakeCt(seed: 507);
        foreach (var f in Directory.GetFiles(unlike))
            ExternalTool.Run(ExternalTool.Require("dcmodify", "dcmtk"), "-nb", "-m", "(0018,0060)=80", "-m", "(0018,0050)=5", f);
        server.StoreScu("CT3", unlike);
        var flagged = await server.ResultAsync("ct3-guarded", DeploymentServer.SeriesOf(unlike), "sent");
        Assert.True((bool)flagged["ood"]!["outsideValidatedRange"]!, flagged.ToJsonString());
        var reasons = (string)flagged["ood"]!["reasons"]!;
        Assert.Contains("slice thickness", reasons);
        Assert.Contains("kVp", reasons, StringComparison.OrdinalIgnoreCase);
        var sop = (string)flagged["resultSopInstanceUid"]!;
        var seg = (await server.Pacs.InstancesAsync()).Select(id => DicomFile.Read(server.Pacs.FileAsync(id).Result).Dataset)
            .Single(d => d.GetString(DicomTags.SOPInstanceUID) == sop);
        Assert.Contains("OUTSIDE VALIDATED RANGE", seg.GetString(DicomTags.ContentDescription));
    }

    [Fact]
    public async Task A_rule_for_an_outside_performer_puts_a_scheduled_work_item_on_its_worklist_and_runs_nothing()
    {
        EvaluationServer.Ok(await server.Steward.PostAsJsonAsync("/api/deployments", new
        {
            name = "ct4-external", model = $"{DeploymentServer.Model}@{DeploymentServer.ModelVersion}", fromAe = "CT4", modality = "CT", sendTo = OrthancPacs.AETitle,
            settleSeconds = 1, externalPerformer = true,
        }), HttpStatusCode.Created);
        var ct = server.MakeCt(seed: 606, slices: 8);
        var series = DeploymentServer.SeriesOf(ct);
        var before = await server.Pacs.InstancesAsync();
        server.StoreScu("CT4", ct);
        var result = await server.ResultAsync("ct4-external", series, "external");
        var workitem = await server.Archive.Workitems.GetAsync((string)result["workitem"]!, Mira.Platform.Workitems.WorkitemActor.System);
        Assert.Equal("SCHEDULED", workitem.GetString(DicomTags.ProcedureStepState));
        Assert.Equal("ct4-external", workitem.GetString(DicomTags.WorklistLabel));
        var input = workitem.GetSequence(DicomTags.InputInformationSequence)!.Items.Single();
        Assert.Equal(series, input.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(8, input.GetSequence(DicomTags.ReferencedSOPSequence)!.Items.Count);
        Assert.Null(result["resultSopInstanceUid"]);
        Assert.Equal(before.Count, (await server.Pacs.InstancesAsync()).Count);
    }

    /// <summary>The process id of the model worker of job <paramref name="job"/>'s first attempt, while it runs.</summary>
    static int? WorkerOf(long job)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (cmdline.Contains("model") && cmdline.Contains("run") && cmdline.Any(a => a.Contains($"job-{job}-1", StringComparison.Ordinal))) return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return null;
    }

    static async Task<T> WaitAsync<T>(Func<Task<T?>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(20);
        }
        throw new TimeoutException("waited 60 s in vain");
    }
}
