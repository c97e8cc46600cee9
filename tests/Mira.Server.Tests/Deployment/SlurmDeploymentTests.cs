using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Deployment;
using Mira.Platform.Evaluations;
using Mira.Platform.Jobs.Executors;
using Mira.Testing;

namespace Mira.Server.Tests.Deployment;

/// <summary>
/// Issue 19's must-show with the Slurm executor (<c>mira serve --executor slurm</c>): the CT series from AE CT1 is
/// segmented by a model worker that runs as a batch job on a real single-node Slurm cluster (<see cref="SlurmCluster"/>),
/// and the Segmentation reaches Orthanc and the archive with the same mask as the local executor gives.
/// </summary>
public sealed class SlurmDeploymentTests(SlurmDeploymentTests.World server) : IClassFixture<SlurmDeploymentTests.World>
{
    public sealed class World : DeploymentServer
    {
        public SlurmCluster Cluster { get; } = new();

        protected override EvaluationOptions? Evaluations => new()
        {
            WorkerCommand = MiraExecutable.Command(), WorkerThreads = 1, WorkerMemoryBytes = 2L << 30, WorkerTimeout = TimeSpan.FromMinutes(5),
            Executor = new ExecutorOptions
            {
                Kind = ExecutorKind.Slurm,
                Slurm = new SlurmOptions { Partition = SlurmCluster.Partition, ConfigFile = Cluster.ConfigFile, PollInterval = TimeSpan.FromMilliseconds(250) },
            },
        };

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            Cluster.Dispose();
        }
    }

    [Fact]
    public async Task A_ct_series_from_CT1_is_segmented_by_a_slurm_job_and_the_result_reaches_orthanc()
    {
        await server.AddRuleAsync("ct1-bone-slurm", "CT1", "CT");
        var ct = server.MakeCt(seed: 404);
        var series = DeploymentServer.SeriesOf(ct);
        var before = await server.Pacs.InstancesAsync();
        server.StoreScu("CT1", ct);

        var result = await server.ResultAsync("ct1-bone-slurm", series, "sent");
        var job = (await server.Archive.Jobs.ListAsync(DeploymentService.JobKind)).Single(j => j.Subject == series);
        Assert.Contains("(slurm executor)", await server.Archive.Jobs.Store.GetLogAsync(job.Id));
        var received = (await server.Pacs.InstancesAsync()).Except(before).ToList();
        Assert.Equal(2, received.Count);
        var objects = new List<DicomDataset>();
        foreach (var id in received) objects.Add(DicomFile.Read(await server.Pacs.FileAsync(id)).Dataset);
        var seg = objects.Single(d => d.GetString(DicomTags.Modality) == "SEG");
        Assert.Equal((string)result["resultSopInstanceUid"]!, seg.GetString(DicomTags.SOPInstanceUID));
        Assert.Equal(series, seg.GetSequence(DicomTags.ReferencedSeriesSequence)!.Items.Single().GetString(DicomTags.SeriesInstanceUID));
        Assert.Empty(server.Cluster.QueuedJobIds());
    }
}
