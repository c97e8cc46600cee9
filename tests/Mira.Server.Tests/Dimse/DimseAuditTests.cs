using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Mira.Dicom;
using Mira.Dicom.Network;
using Mira.Platform.Audit;
using Mira.Storage.Network;
using Mira.Storage.Query;
using Mira.Storage.Security;

namespace Mira.Server.Tests.Dimse;

/// <summary>
/// Issue 14 item 10: a retrieve is audited with its query and studies before its first sub-operation (so a peer that
/// aborts half way leaves a full record), and every refused association is audited with the calling AE, the address
/// and the reason.
/// </summary>
public sealed class DimseAuditTests
{
    static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    static async Task<IReadOnlyList<AuditRecord>> AuditAsync(DimseArchive a, string action) =>
        [.. (await a.Archive.Audit.ReadAsync(1, 100_000)).Where(r => r.Action == action)];

    static async Task<IReadOnlyList<AuditRecord>> EventuallyAsync(DimseArchive a, string action, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var records = await AuditAsync(a, action);
            if (records.Count >= count || DateTime.UtcNow > deadline) return records;
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_c_get_aborted_after_the_first_instance_is_audited_with_its_study_and_query_before_sending()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await DemoStudies.EnsureLoadedAsync(a.Archive.Ingest);
        await a.AllowAsync("GETTER", allow: DimsePermissions.Find | DimsePermissions.Get);
        var studies = await a.Archive.Index.QueryStudiesAsync(QidoQuery.Empty);
        var (study, instances) = (await Task.WhenAll(studies.Select(async s =>
        {
            var uid = s.GetString(DicomTags.StudyInstanceUID)!;
            return (uid, await a.Archive.Index.FindInstancesAsync(uid));
        }))).OrderByDescending(x => x.Item2.Count).First();
        Assert.True(instances.Count >= 2, "a demo study of several instances");

        var classes = instances.Select(i => i.SopClassUid).Distinct().ToList();
        var contexts = new List<PresentationContext> { new(1, DicomUids.StudyRootQueryRetrieveInformationModelGet, SopClasses.Native) };
        foreach (var c in classes) contexts.Add(new PresentationContext((byte)(2 * contexts.Count + 1), c, SopClasses.AllTransferSyntaxes));
        var request = new AssociateRequestPdu
        {
            CalledAE = "MIRA", CallingAE = "GETTER", PresentationContexts = contexts,
            UserInformation = new UserInformation { RoleSelections = [.. classes.Select(c => new RoleSelection(c, false, true))] },
        };
        var association = await DicomClient.ConnectAsync("127.0.0.1", a.DimsePort, request);
        await using (association)
        {
            var id = new DicomDataset().Set(DicomTags.QueryRetrieveLevel, "STUDY").Set(DicomTags.StudyInstanceUID, study);
            await association.SendAsync(DimseMessages.GetRequest(1, DicomUids.StudyRootQueryRetrieveInformationModelGet, id).InContext(1));
            var first = await association.ReceiveAsync();
            Assert.Equal(DicomCommandField.CStoreRequest, first!.CommandField);
            await association.AbortAsync();
        }

        var start = Assert.Single(await AuditAsync(a, AuditActions.DimseGetStart));
        Assert.Equal(study, start.Resource);
        Assert.Equal("ae:GETTER", start.Actor);
        var details = JsonNode.Parse(start.DetailsJson!)!;
        Assert.Contains($"StudyInstanceUID={study}", (string)details["query"]!);
        Assert.Equal(instances.Count, (int)details["instances"]!);
        var final = Assert.Single(await EventuallyAsync(a, AuditActions.DimseGet, 1));
        Assert.Equal(study, final.Resource);
        Assert.Equal(AuditLog.OutcomeText(AuditOutcome.Failure), final.Outcome);
        Assert.Contains($"StudyInstanceUID={study}", final.DetailsJson);
        Assert.True(start.Sequence < final.Sequence);
    }

    [Fact]
    public async Task A_completed_c_get_is_announced_then_audited_with_its_status()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await DemoStudies.EnsureLoadedAsync(a.Archive.Ingest);
        await a.AllowAsync("GETTER", allow: DimsePermissions.Find | DimsePermissions.Get);
        var study = (await a.Archive.Index.QueryStudiesAsync(QidoQuery.Empty))[0].GetString(DicomTags.StudyInstanceUID)!;
        var dir = Directory.CreateTempSubdirectory("mira-getscu-").FullName;
        try
        {
            var (code, output) = DimseArchive.Dcmtk("getscu", "-S", "-aet", "GETTER", "-aec", "MIRA", "-od", dir,
                "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", "127.0.0.1", P(a.DimsePort));
            Assert.True(code == 0, output);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        Assert.Equal(study, Assert.Single(await AuditAsync(a, AuditActions.DimseGetStart)).Resource);
        var final = Assert.Single(await EventuallyAsync(a, AuditActions.DimseGet, 1));
        Assert.Equal(AuditLog.OutcomeText(AuditOutcome.Success), final.Outcome);
        Assert.Contains("0x0000", final.DetailsJson);
    }

    [Fact]
    public async Task Rejected_associations_are_audited_with_caller_address_and_reason()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await a.Archive.ApplicationEntities.SetAsync("FARAWAY", "192.0.2.7", 104, DimsePermissions.All);
        await a.RefreshAeTableAsync();
        var ct = Mira.Testing.Corpus.Get("dicom/modality/CT/CT_small.dcm").FullPath;
        Assert.NotEqual(0, DimseArchive.Dcmtk("storescu", "-aet", "STRANGER", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort), ct).ExitCode);
        Assert.NotEqual(0, DimseArchive.Dcmtk("storescu", "-aet", "FARAWAY", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort), ct).ExitCode);
        Assert.NotEqual(0, DimseArchive.Dcmtk("echoscu", "-aet", "LOST", "-aec", "NOTMIRA", "127.0.0.1", P(a.DimsePort)).ExitCode);

        var rejected = await EventuallyAsync(a, AuditActions.DimseReject, 3);
        AuditRecord For(string ae) => Assert.Single(rejected, r => r.Actor == $"ae:{ae}");
        Assert.Equal(3, rejected.Count);
        Assert.All(rejected, r => Assert.Equal("127.0.0.1", r.ClientAddress));
        Assert.All(rejected, r => Assert.Equal(AuditLog.OutcomeText(AuditOutcome.Failure), r.Outcome));
        Assert.Contains("calling AE title not recognized", For("STRANGER").DetailsJson);
        Assert.Contains("STRANGER is not in the AE table", For("STRANGER").DetailsJson);
        Assert.Contains("FARAWAY is in the AE table for host 192.0.2.7, but called from 127.0.0.1", For("FARAWAY").DetailsJson);
        Assert.Contains("called AE title not recognized", For("LOST").DetailsJson);
    }

    [Fact]
    public async Task An_association_over_the_limit_is_audited_as_rejected_for_the_local_limit()
    {
        await using var a = new DimseArchive { Options = new() { Port = 0, Address = IPAddress.Loopback, AETitle = "MIRA", MaxAssociations = 1 } };
        await a.InitializeAsync();
        using var holder = await RawDimsePeer.ConnectAsync(a.DimsePort);
        await holder.SendAsync(RawDimsePeer.EchoAssociateRequest("HOLDER"));
        Assert.Equal(PduType.AssociateAccept, (await holder.ReadPduAsync(TimeSpan.FromSeconds(30)))?.Type);
        var (code, output) = DimseArchive.Dcmtk("echoscu", "-aet", "CROWDED", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort));
        Assert.NotEqual(0, code);
        Assert.Contains("Local Limit Exceeded", output, StringComparison.OrdinalIgnoreCase);
        var record = Assert.Single(await EventuallyAsync(a, AuditActions.DimseReject, 1));
        Assert.Equal("ae:CROWDED", record.Actor);
        Assert.Equal("127.0.0.1", record.ClientAddress);
        Assert.Contains("local limit exceeded (1 associations open, the limit is 1)", record.DetailsJson);
    }
}
