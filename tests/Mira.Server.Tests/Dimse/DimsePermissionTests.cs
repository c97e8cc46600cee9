using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Network;
using Mira.Storage.Jobs;
using Mira.Storage.Network;
using Mira.Storage.Query;
using Mira.Testing;

namespace Mira.Server.Tests.Dimse;

/// <summary>
/// Issue 14 item 3: C-STORE needs <c>store</c> (a get-only AE's storage contexts serve C-GET sub-operations only, with
/// the requestor as SCP), and project AE rules fire only for a verified AE: its title in the AE table, calling from
/// that entry's host.
/// </summary>
public sealed class DimsePermissionTests
{
    static string P(int port) => port.ToString(CultureInfo.InvariantCulture);
    static string CtSmall => Corpus.Get("dicom/modality/CT/CT_small.dcm").FullPath;

    [Fact]
    public async Task Storescu_from_an_ae_allowed_only_find_and_get_stores_nothing()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await a.AllowAsync("GETTER", allow: DimsePermissions.Find | DimsePermissions.Get);
        var (code, output) = DimseArchive.Dcmtk("storescu", "-aet", "GETTER", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort), CtSmall);
        Assert.NotEqual(0, code);
        Assert.Empty(await a.Archive.Index.QueryInstancesAsync(QidoQuery.Empty));
        Assert.DoesNotContain("Received Store Response (Success)", output);
    }

    [Fact]
    public async Task A_get_only_ae_proposing_the_scp_role_still_cannot_c_store()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await a.AllowAsync("GETTER", allow: DimsePermissions.Find | DimsePermissions.Get);
        var file = DicomFile.Read(File.ReadAllBytes(CtSmall));
        var sopClass = file.Dataset.GetString(DicomTags.SOPClassUID)!;
        var syntax = file.TransferSyntax;
        var request = new AssociateRequestPdu
        {
            CalledAE = "MIRA", CallingAE = "GETTER",
            PresentationContexts = [new PresentationContext(1, sopClass, [syntax.Uid])],
            // Both roles proposed: the context is accepted (C-GET sub-operations could use it), C-STORE-RQs are not.
            UserInformation = new UserInformation { RoleSelections = [new RoleSelection(sopClass, true, true)] },
        };
        await using var association = await DicomClient.ConnectAsync("127.0.0.1", a.DimsePort, request);
        Assert.NotNull(association.FindContext(sopClass));
        var bytes = File.ReadAllBytes(CtSmall);
        var store = DimseMessages.StoreRequest(1, sopClass, file.Dataset.GetString(DicomTags.SOPInstanceUID)!,
            bytes.AsMemory((int)file.DatasetOffset), syntax).InContext(1);
        ushort? status = null;
        try
        {
            await association.SendAsync(store);
            status = (await association.ReceiveAsync())?.Status;
        }
        catch (DicomNetworkException) { } // aborted: a data set on a context whose messages carry none
        Assert.True(status is null or DicomStatus.NotAuthorized, $"C-STORE answered 0x{status:X4}");
        Assert.Empty(await a.Archive.Index.QueryInstancesAsync(QidoQuery.Empty));
    }

    [Fact]
    public async Task Getscu_from_an_ae_allowed_only_find_and_get_still_retrieves()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await DemoStudies.EnsureLoadedAsync(a.Archive.Ingest);
        await a.AllowAsync("GETTER", allow: DimsePermissions.Find | DimsePermissions.Get);
        var study = (await a.Archive.Index.QueryStudiesAsync(QidoQuery.Empty))[0].GetString(DicomTags.StudyInstanceUID)!;
        var all = await a.Archive.Index.FindInstancesAsync(study);
        var dir = Directory.CreateTempSubdirectory("mira-getscu-").FullName;
        try
        {
            var (code, output) = DimseArchive.Dcmtk("getscu", "-S", "-aet", "GETTER", "-aec", "MIRA", "-od", dir,
                "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", "127.0.0.1", P(a.DimsePort));
            Assert.True(code == 0, output);
            Assert.Equal(all.Count, Directory.EnumerateFiles(dir).Count());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task A_caller_claiming_a_ruled_ae_title_from_another_address_fires_no_rule_and_the_registered_host_does()
    {
        await using var a = new DimseArchive
        {
            Options = new() { Port = 0, Address = IPAddress.Loopback, AETitle = "MIRA", UnknownCallers = DimsePermissions.Echo | DimsePermissions.Store },
            RuleCopies = new JobOptions { Worker = false },
        };
        await a.InitializeAsync();
        var steward = a.Basic("steward", TestArchive.UserPassword);
        Assert.Equal(HttpStatusCode.Created, (await steward.PostAsJsonAsync("/api/projects", new { id = "ruled", name = "Ruled", recipe = "basic" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync("/api/projects/ruled/rules", new { aeTitle = "RULED" })).StatusCode);
        await a.Archive.ApplicationEntities.SetAsync("RULED", "192.0.2.7", 104, DimsePermissions.All); // TEST-NET-1: never this machine
        await a.RefreshAeTableAsync();

        // Unknown callers may store, so the spoofed title's instance is archived; it is not copied into the project.
        var (code, output) = DimseArchive.Dcmtk("storescu", "-aet", "RULED", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort), CtSmall);
        Assert.True(code == 0, output);
        Assert.Single(await a.Archive.Index.QueryInstancesAsync(QidoQuery.Empty));
        Assert.Empty(await a.Archive.Projects.OutstandingRuleCopiesAsync("ruled"));

        // The same title from its registered host: the rule fires.
        await a.Archive.ApplicationEntities.SetAsync("RULED", "127.0.0.1", 104, DimsePermissions.All);
        await a.RefreshAeTableAsync();
        var other = Corpus.Get("dicom/modality/MR/emri_small.dcm").FullPath;
        (code, output) = DimseArchive.Dcmtk("storescu", "-aet", "RULED", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort), other);
        Assert.True(code == 0, output);
        Assert.Single(await a.Archive.Projects.OutstandingRuleCopiesAsync("ruled"));
    }
}
