using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Mira.Storage.Security;
using static Mira.Server.Tests.MultipartReading;

namespace Mira.Server.Tests;

/// <summary>
/// WADO-RS parity of a project's archive (<c>/api/projects/{id}/dicomweb</c>): every retrieval resource of the intake
/// <c>/dicomweb</c>, served from the de-identified copy only, to members only, audited as <c>project.wado</c>.
/// </summary>
public abstract class ProjectRetrievalSuite(ProjectZoneArchive server)
{
    static readonly string Study = DemoStudies.StudyUid("mr");
    static readonly string[] Phi = ["DEMO^BOB", "DEMO-0002", "19820615", "BOB"];
    const string Origin = "http://localhost";

    HttpClient Steward => server.Basic("steward", TestArchive.UserPassword);
    HttpClient Annotator => server.Basic("annotator", TestArchive.UserPassword);

    /// <summary>The project's UIDs of one copied instance (study, series, SOP) and the project's DICOMweb root path.</summary>
    sealed record Copied(string Root, string Study, string Series, string Sop)
    {
        public string SeriesPath => $"{Root}/studies/{Study}/series/{Series}";
        public string InstancePath => $"{SeriesPath}/instances/{Sop}";
    }

    async Task<Copied> CopiedProjectAsync(string id)
    {
        Assert.Equal(HttpStatusCode.Created, (await Steward.PostAsJsonAsync("/api/projects", new { id, name = id, recipe = "research" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync($"/api/projects/{id}/members", new { user = "annotator" })).StatusCode);
        var copy = JsonNode.Parse(await (await Steward.PostAsJsonAsync($"/api/projects/{id}/copy", new { studies = new[] { Study } })).Content.ReadAsStringAsync())!;
        Assert.Equal(DemoStudies.MrSlices, (int)copy["copied"]!);
        var first = JsonNode.Parse(await Annotator.GetStringAsync($"/api/projects/{id}/dicomweb/instances?limit=1"))![0];
        return new Copied($"/api/projects/{id}/dicomweb", Dicomweb.Value(first, "0020000D")!, Dicomweb.Value(first, "0020000E")!, Dicomweb.Value(first, "00080018")!);
    }

    async Task<List<string>> ForbiddenAsync()
    {
        var originals = await server.Archive.Index.FindInstancesAsync(Study);
        return [.. Phi, Study, .. originals.Select(i => i.SeriesInstanceUid).Distinct(), .. originals.Select(i => i.SopInstanceUid)];
    }

    /// <summary>The body (as Latin-1, so binary parts are searched too) and headers of a response: none may hold an identified value.</summary>
    static async Task AssertFreeOfAsync(HttpResponseMessage r, IReadOnlyList<string> forbidden)
    {
        var text = Encoding.Latin1.GetString(await r.Content.ReadAsByteArrayAsync())
                   + string.Join('\n', r.Headers.Concat(r.Content.Headers).SelectMany(h => h.Value));
        foreach (var value in forbidden) Assert.DoesNotContain(value, text, StringComparison.OrdinalIgnoreCase);
    }

    async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Members_retrieve_studies_series_and_instances_and_no_identified_value_is_in_any_part()
    {
        var p = await CopiedProjectAsync("wado-a");
        var forbidden = await ForbiddenAsync();
        foreach (var (path, count) in new[] { ($"{p.Root}/studies/{p.Study}", DemoStudies.MrSlices), (p.SeriesPath, DemoStudies.MrSlices), (p.InstancePath, 1) })
        {
            var r = await GetAsync(Annotator, path);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var parts = await Dicomweb.ReadParts(r);
            Assert.Equal(count, parts.Count);
            Assert.All(parts, part => Assert.Contains(p.Study, Encoding.Latin1.GetString(part)));
            await AssertFreeOfAsync(r, forbidden);
        }
    }

    [Fact]
    public async Task Transfer_syntax_negotiation_is_that_of_the_intake_endpoints()
    {
        var p = await CopiedProjectAsync("wado-b");
        const string implicitLe = "1.2.840.10008.1.2";
        var r = await GetAsync(Annotator, p.SeriesPath, $"multipart/related; type=\"application/dicom\"; transfer-syntax={implicitLe}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var (type, parts) = await ReadAll(r);
        Assert.Equal(implicitLe, Parameter(type, "transfer-syntax"));
        Assert.Equal(DemoStudies.MrSlices, parts.Count);
        Assert.All(parts, part => Assert.Equal($"application/dicom; transfer-syntax={implicitLe}", part.ContentType));
        Assert.All(parts, part => Assert.Equal(implicitLe, Mira.Dicom.IO.DicomFile.Read(part.Content).TransferSyntax.Uid));

        var refused = await GetAsync(Annotator, p.InstancePath, "application/json");
        Assert.Equal(HttpStatusCode.NotAcceptable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Metadata_frames_bulk_data_rendered_and_thumbnails_come_from_the_project_and_point_into_it()
    {
        var p = await CopiedProjectAsync("wado-c");
        var forbidden = await ForbiddenAsync();
        var projectRoot = Origin + p.Root;
        foreach (var (path, count) in new[] { ($"{p.Root}/studies/{p.Study}/metadata", DemoStudies.MrSlices), ($"{p.SeriesPath}/metadata", DemoStudies.MrSlices),
                     ($"{p.InstancePath}/metadata", 1) })
        {
            var r = await GetAsync(Annotator, path);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var json = (await Dicomweb.Json(r)).AsArray();
            Assert.Equal(count, json.Count);
            Assert.All(json, ds => Assert.StartsWith($"{projectRoot}/studies/{p.Study}/series/", (string)ds!["7FE00010"]!["BulkDataURI"]!));
            await AssertFreeOfAsync(r, forbidden);
        }

        var instance = (await Dicomweb.Json(await GetAsync(Annotator, $"{p.InstancePath}/metadata")))[0]!;
        var bulk = await GetAsync(Annotator, ((string)instance["7FE00010"]!["BulkDataURI"]!)[Origin.Length..]);
        Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
        Assert.Equal(DemoStudies.Size * DemoStudies.Size * 2, Assert.Single((await ReadAll(bulk)).Parts).Content.Length);

        var frames = await GetAsync(Annotator, $"{p.InstancePath}/frames/1");
        Assert.Equal(HttpStatusCode.OK, frames.StatusCode);
        var frame = Assert.Single((await ReadAll(frames)).Parts);
        Assert.Equal(DemoStudies.Size * DemoStudies.Size * 2, frame.Content.Length);
        Assert.Equal($"{projectRoot}/studies/{p.Study}/series/{p.Series}/instances/{p.Sop}/frames/1", frame.Location);

        foreach (var path in new[] { $"{p.InstancePath}/rendered", $"{p.InstancePath}/frames/1/rendered", $"{p.InstancePath}/thumbnail",
                     $"{p.InstancePath}/frames/1/thumbnail", $"{p.SeriesPath}/thumbnail", $"{p.Root}/studies/{p.Study}/thumbnail" })
        {
            var r = await GetAsync(Annotator, path);
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"{path}: {r.StatusCode}");
            Assert.Equal("image/png", r.Content.Headers.ContentType?.MediaType);
            await AssertFreeOfAsync(r, forbidden);
        }
        var thumbnail = await GetAsync(Annotator, $"{p.Root}/studies/{p.Study}/thumbnail");
        Assert.StartsWith($"{projectRoot}/studies/{p.Study}/series/", thumbnail.Content.Headers.ContentLocation!.ToString());
    }

    [Fact]
    public async Task Original_uids_are_not_found_on_any_retrieval_resource()
    {
        var p = await CopiedProjectAsync("wado-d");
        var mr = (await server.Archive.Index.FindInstancesAsync(Study))[0];
        var ct = (await server.Archive.Index.FindInstancesAsync(DemoStudies.StudyUid("ct")))[0]; // never copied
        // The project's own study and series resources exist; every resource naming an original UID must not.
        var projectStudy = $"{p.Root}/studies/{p.Study}";
        string[] exist = [projectStudy, projectStudy + "/metadata", projectStudy + "/thumbnail", p.SeriesPath, p.SeriesPath + "/metadata", p.SeriesPath + "/thumbnail"];
        foreach (var (study, series, sop) in new[] { (mr.StudyInstanceUid, mr.SeriesInstanceUid, mr.SopInstanceUid), (ct.StudyInstanceUid, ct.SeriesInstanceUid, ct.SopInstanceUid),
                     (p.Study, mr.SeriesInstanceUid, mr.SopInstanceUid), (p.Study, p.Series, mr.SopInstanceUid) })
            foreach (var path in RetrievalPaths(p.Root, study, series, sop).Except(exist))
            {
                var r = await GetAsync(Annotator, path);
                Assert.True(r.StatusCode == HttpStatusCode.NotFound, $"{path}: {r.StatusCode}");
                Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            }
        // The same original UIDs are there in the intake zone (for a steward): the 404s above are the zone boundary.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Steward, $"/dicomweb/studies/{mr.StudyInstanceUid}/series/{mr.SeriesInstanceUid}/instances/{mr.SopInstanceUid}/metadata")).StatusCode);
    }

    /// <summary>Every WADO-RS resource under a DICOMweb root for one instance, its series and its study.</summary>
    static IEnumerable<string> RetrievalPaths(string root, string study, string series, string sop)
    {
        var s = $"{root}/studies/{study}";
        var se = $"{s}/series/{series}";
        var i = $"{se}/instances/{sop}";
        return [s, se, i, $"{s}/metadata", $"{se}/metadata", $"{i}/metadata", $"{i}/frames/1", $"{i}/bulkdata/7FE00010", $"{i}/rendered",
            $"{i}/frames/1/rendered", $"{i}/thumbnail", $"{i}/frames/1/thumbnail", $"{se}/thumbnail", $"{s}/thumbnail"];
    }

    [Fact]
    public async Task Non_member_stewards_get_403_other_non_members_and_unknown_projects_404_and_every_attempt_is_audited_with_its_path()
    {
        var p = await CopiedProjectAsync("wado-e");
        await server.Archive.Accounts.CreateUserAsync("outsider-e", TestArchive.UserPassword, [Roles.Annotator]);
        var before = (await server.Archive.Audit.ReadAsync(1, 100_000)).Count;
        var paths = RetrievalPaths(p.Root, p.Study, p.Series, p.Sop).ToList();
        foreach (var (client, status) in new[] { (Steward, HttpStatusCode.Forbidden), (server.Admin, HttpStatusCode.Forbidden),
                     (server.Basic("outsider-e", TestArchive.UserPassword), HttpStatusCode.NotFound) })
            foreach (var path in paths)
            {
                // Stewards and admins list every project anyway; anyone else must not tell an existing id from a missing one.
                var r = await GetAsync(client, path);
                Assert.True(r.StatusCode == status, $"{path}: {r.StatusCode}");
                Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            }
        foreach (var path in RetrievalPaths("/api/projects/no-such-project/dicomweb", p.Study, p.Series, p.Sop))
            Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(Annotator, path)).StatusCode);
        foreach (var path in paths) Assert.Equal(HttpStatusCode.OK, (await GetAsync(Annotator, path)).StatusCode);

        var audit = (await server.Archive.Audit.ReadAsync(1, 100_000)).Skip(before).Where(a => a.Action == "project.wado").ToList();
        foreach (var path in paths)
        {
            foreach (var actor in new[] { "steward", "admin", "outsider-e" })
                Assert.Contains(audit, a => a.Actor == actor && a.Resource == $"wado-e:{path}" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied));
            Assert.Contains(audit, a => a.Actor == "annotator" && a.Resource == $"wado-e:{path}" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Success));
        }
        Assert.Contains(audit, a => a.Actor == "annotator" && a.Resource!.StartsWith("no-such-project:", StringComparison.Ordinal)
                                    && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Failure));
    }

    [Fact]
    public async Task Searches_relative_to_a_study_or_series_work_in_the_project_too()
    {
        var p = await CopiedProjectAsync("wado-f");
        var series = (await Dicomweb.Json(await GetAsync(Annotator, $"{p.Root}/studies/{p.Study}/series"))).AsArray();
        Assert.Equal(p.Series, Dicomweb.Value(Assert.Single(series), "0020000E"));
        Assert.Equal($"{Origin}{p.SeriesPath}", Dicomweb.Value(series[0], "00081190"));
        var instances = (await Dicomweb.Json(await GetAsync(Annotator, $"{p.SeriesPath}/instances"))).AsArray();
        Assert.Equal(DemoStudies.MrSlices, instances.Count);
        var bad = await GetAsync(Annotator, $"{p.Root}/studies?NoSuchKeyword=1");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }
}

public sealed class ProjectRetrievalTests(ProjectZoneArchive server) : ProjectRetrievalSuite(server), IClassFixture<ProjectZoneArchive>;

/// <summary>The same, with the intake index and the project's index (its own schema) on PostgreSQL.</summary>
public sealed class PostgreSqlProjectRetrievalTests(PostgreSqlProjectZoneArchive server) : ProjectRetrievalSuite(server), IClassFixture<PostgreSqlProjectZoneArchive>;
