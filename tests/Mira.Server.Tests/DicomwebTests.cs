using System.Net;
using System.Text.Json.Nodes;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>STOW, QIDO, WADO and DELETE through the server, on SQLite (<see cref="DicomwebTests"/>) and PostgreSQL.</summary>
public abstract class DicomwebSuite(TestArchive server)
{
    const string Referenced = "00081199", Failed = "00081198", FailureReason = "00081197", RetrieveUrl = "00081190";

    [Fact]
    public async Task Stow_multipart_stores_every_part_and_references_them()
    {
        var (study, series) = (Uid(), Uid());
        var sops = new[] { Uid(), Uid(), Uid() };
        var r = await Stow(server.Admin, "/dicomweb/studies", sops.Select(s => Make(study, series, s)).ToArray());
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var json = await Json(r);
        Assert.EndsWith($"/dicomweb/studies/{study}", Value(json, RetrieveUrl));
        var items = json[Referenced]!["Value"]!.AsArray();
        Assert.Equal(sops, items.Select(i => Value(i, "00081155")));
        Assert.All(items, i => Assert.Equal(CtImageStorage, Value(i, "00081150")));
        Assert.All(items, i => Assert.Contains($"/series/{series}/instances/", Value(i, RetrieveUrl)));
        Assert.Null(json[Failed]);
    }

    [Fact]
    public async Task Stow_of_a_single_application_dicom_body_works()
    {
        var content = new ByteArrayContent(Make(Uid(), Uid(), Uid()));
        content.Headers.ContentType = new("application/dicom");
        var r = await server.Bearer(server.StewardToken).PostAsync("/dicomweb/studies", content);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Fact]
    public async Task Stow_without_sop_instance_uid_is_refused_409_and_leaves_nothing()
    {
        var study = Uid();
        var r = await Stow(server.Admin, "/dicomweb/studies", Make(study, Uid(), null));
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        var json = await Json(r);
        Assert.Equal(StoreStatus.DataSetDoesNotMatchSopClass.ToString(), Value(json[Failed]!["Value"]![0], FailureReason));
        Assert.Null(json[Referenced]);
        Assert.Contains(r.Headers.GetValues("Warning"), w => w.Contains("SOP Instance UID"));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync($"/dicomweb/studies/{study}")).StatusCode);
    }

    [Fact]
    public async Task Instance_without_study_and_series_uids_is_filed_under_derived_uids_and_returned_unchanged()
    {
        var sop = Uid();
        var bytes = Make(Uid(), Uid(), sop, ds => { ds.Remove(Mira.Dicom.DicomTags.StudyInstanceUID); ds.Remove(Mira.Dicom.DicomTags.SeriesInstanceUID); });
        var r = await Stow(server.Admin, "/dicomweb/studies", bytes);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var (study, series) = (IncomingInstance.PlacementUid("study", sop), IncomingInstance.PlacementUid("series", sop));
        Assert.StartsWith("2.25.", study);
        Assert.NotEqual(study, series);
        var url = new Uri(Value((await Json(r))[Referenced]!["Value"]![0], RetrieveUrl)!).AbsolutePath;
        Assert.Equal($"/dicomweb/studies/{study}/series/{series}/instances/{sop}", url);
        Assert.Equal(bytes, Assert.Single(await ReadParts(await server.Admin.GetAsync(url))));
        var found = (await Json(await server.Admin.GetAsync($"/dicomweb/instances?SOPInstanceUID={sop}"))).AsArray();
        Assert.Equal(study, Value(Assert.Single(found), "0020000D"));

        // Into a named study it cannot go: it does not say it belongs there.
        var named = await Stow(server.Admin, $"/dicomweb/studies/{Uid()}", Make(Uid(), Uid(), Uid(), ds => ds.Remove(Mira.Dicom.DicomTags.StudyInstanceUID)));
        Assert.Equal(HttpStatusCode.Conflict, named.StatusCode);
    }

    [Fact]
    public async Task Stow_mixed_batch_is_202_with_both_sequences()
    {
        var (study, series) = (Uid(), Uid());
        var r = await Stow(server.Admin, "/dicomweb/studies", Make(study, series, Uid()), [1, 2, 3, 4]);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var json = await Json(r);
        Assert.Single(json[Referenced]!["Value"]!.AsArray());
        Assert.Equal(StoreStatus.CannotUnderstand.ToString(), Value(json[Failed]!["Value"]![0], FailureReason));
    }

    [Fact]
    public async Task Stow_to_another_study_is_refused_with_A900()
    {
        var r = await Stow(server.Admin, $"/dicomweb/studies/{Uid()}", Make(Uid(), Uid(), Uid()));
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Equal("43264", Value((await Json(r))[Failed]!["Value"]![0], FailureReason)); // 0xA900
    }

    [Fact]
    public async Task Stow_with_unsupported_media_type_is_415()
    {
        var r = await server.Admin.PostAsync("/dicomweb/studies", new StringContent("{}", null, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode);
    }

    [Fact]
    public async Task Qido_at_every_level_and_relative()
    {
        var (study, s1, s2) = (Uid(), Uid(), Uid());
        var sops = new[] { Uid(), Uid(), Uid() };
        var stow = await Stow(server.Admin, "/dicomweb/studies", Make(study, s1, sops[0]), Make(study, s1, sops[1]),
            Make(study, s2, sops[2], ds => ds.Set(Mira.Dicom.DicomTags.Modality, "MR")));
        Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
        var client = server.Bearer(server.StewardToken);

        async Task<JsonArray> Q(string url)
        {
            var r = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return (await Json(r)).AsArray();
        }

        var studies = await Q($"/dicomweb/studies?StudyInstanceUID={study}");
        Assert.Equal("3", Value(Assert.Single(studies), "00201208"));
        Assert.EndsWith($"/studies/{study}", Value(studies[0], RetrieveUrl));
        Assert.Equal(2, (await Q($"/dicomweb/series?StudyInstanceUID={study}")).Count);
        Assert.Equal(3, (await Q($"/dicomweb/instances?StudyInstanceUID={study}")).Count);
        Assert.Single(await Q($"/dicomweb/studies/{study}/series?Modality=MR"));
        Assert.Equal(3, (await Q($"/dicomweb/studies/{study}/instances")).Count);
        var inSeries = await Q($"/dicomweb/studies/{study}/series/{s1}/instances");
        Assert.Equal(sops[..2].Order(), inSeries.Select(i => Value(i, "00080018")!).Order());
        Assert.EndsWith($"/studies/{study}/series/{s1}/instances/{Value(inSeries[0], "00080018")}", Value(inSeries[0], RetrieveUrl));
        Assert.Single(await Q($"/dicomweb/studies/{study}/instances?limit=1&offset=2"));

        Assert.Equal(HttpStatusCode.NoContent, (await client.GetAsync($"/dicomweb/studies/{Uid()}/series")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/dicomweb/studies?NotAKeyword=1")).StatusCode);
        var warned = await client.GetAsync($"/dicomweb/studies?StudyInstanceUID={study}&BodyPartExamined=HEAD");
        Assert.Equal(HttpStatusCode.OK, warned.StatusCode);
        Assert.Contains(warned.Headers.GetValues("Warning"), w => w.StartsWith("299") && w.Contains("00180015"));
    }

    [Fact]
    public async Task Wado_returns_stored_bytes_metadata_and_404()
    {
        var (study, series, sop) = (Uid(), Uid(), Uid());
        var bytes = Make(study, series, sop, ds => ds.Set(Mira.Dicom.DicomTags.StudyDescription, "Wado test"));
        Assert.Equal(HttpStatusCode.OK, (await Stow(server.Admin, "/dicomweb/studies", bytes)).StatusCode);
        var client = server.Bearer(server.StewardToken);
        foreach (var url in new[] { $"/dicomweb/studies/{study}", $"/dicomweb/studies/{study}/series/{series}", $"/dicomweb/studies/{study}/series/{series}/instances/{sop}" })
        {
            var r = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(bytes, Assert.Single(await ReadParts(r)));
        }
        var meta = (await Json(await client.GetAsync($"/dicomweb/studies/{study}/metadata"))).AsArray();
        Assert.Equal("Wado test", Value(Assert.Single(meta), "00081030"));
        Assert.Equal(sop, Value(meta[0], "00080018"));
        var missing = await client.GetAsync($"/dicomweb/studies/{study}/series/{series}/instances/{Uid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        var notAcceptable = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study}");
        notAcceptable.Headers.Accept.ParseAdd("image/png");
        Assert.Equal(HttpStatusCode.NotAcceptable, (await client.SendAsync(notAcceptable)).StatusCode);
    }

    [Fact]
    public async Task Delete_by_admin_removes_index_rows_and_blobs()
    {
        var (study, series, sop) = (Uid(), Uid(), Uid());
        Assert.Equal(HttpStatusCode.OK, (await Stow(server.Admin, "/dicomweb/studies", Make(study, series, sop))).StatusCode);
        var stored = await server.Archive.Index.FindInstanceAsync(sop);
        Assert.NotNull(stored);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Admin.DeleteAsync($"/dicomweb/studies/{study}")).StatusCode);
        Assert.Null(await server.Archive.Index.FindInstanceAsync(sop));
        Assert.False(server.Archive.Blobs.Exists(stored.BlobKey));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync($"/dicomweb/studies/{study}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.DeleteAsync($"/dicomweb/studies/{study}")).StatusCode);
    }
}

public sealed class DicomwebTests(TestArchive server) : DicomwebSuite(server), IClassFixture<TestArchive>;

public sealed class PostgreSqlDicomwebTests(PostgresTestArchive server) : DicomwebSuite(server), IClassFixture<PostgresTestArchive>;
