using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Mira.Testing;
using static Mira.Server.Tests.Annotations.AnnotationServer;

namespace Mira.Server.Tests.Annotations;

/// <summary>
/// A polygon protocol (oesophageal pathology, Dice ≥ 0.7 on TUMOUR and HGIN) through the API with COCO reads. The case is
/// one image of the project's MR study (the protocol's modality is not checked): what is exercised is COCO in,
/// polygon agreement, the SR with TID 1410 planar regions, and COCO out.
/// </summary>
public sealed class PolygonProtocolTests(AnnotationServer server) : IClassFixture<AnnotationServer>
{
    static byte[] Coco(string sop, int columns, int rows, params (int Label, string Name, double[] Ring)[] polygons)
    {
        var json = new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject { ["id"] = 1, ["file_name"] = sop + ".dcm", ["width"] = columns, ["height"] = rows, ["mira_sop_instance_uid"] = sop }),
            ["categories"] = new JsonArray([.. polygons.Select(p => (JsonNode)new JsonObject { ["id"] = p.Label, ["name"] = p.Name }).DistinctBy(n => (int)n["id"]!)]),
            ["annotations"] = new JsonArray([.. polygons.Select((p, i) => (JsonNode)new JsonObject
            {
                ["id"] = i + 1, ["image_id"] = 1, ["category_id"] = p.Label, ["iscrowd"] = 0, ["segmentation"] = new JsonArray(new JsonArray([.. p.Ring.Select(v => (JsonNode)v)])),
            })]),
        };
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    static double[] Square(double x0, double y0, double x1, double y1) => [x0, y0, x1, y0, x1, y1, x0, y1];

    /// <summary>A task of the WSI polygon protocol on one MR image of the project (alice and bob read, carol reviews, dave arbitrates).</summary>
    async Task<(long Id, Mira.Storage.Index.StoredInstance Image)> PolygonTaskAsync()
    {
        Ok(await server.Steward.PostAsJsonAsync($"/api/projects/{Project}/protocols", new { protocol = "oesophageal-pathology-wsi" }));
        var archive = await server.Archive.Projects.Archives.GetAsync(Project);
        var image = (await archive.Index.FindInstancesAsync(server.Study)).First(i => i.SopClassUid == Mira.Dicom.DicomUids.MRImageStorage);
        var id = (long)(await JsonOf(await server.Steward.PostAsJsonAsync($"/api/projects/{Project}/tasks", new
        {
            studyInstanceUid = server.Study, sopInstanceUid = image.SopInstanceUid, protocol = "oesophageal-pathology-wsi",
            annotators = new[] { "alice", "bob" }, reviewer = "carol", arbitrator = "dave",
        }), HttpStatusCode.Created))["id"]!;
        return (id, image);
    }

    [Fact]
    public async Task Coco_reads_that_agree_become_a_consensus_exported_as_coco_and_sr()
    {
        var (id, image) = await PolygonTaskAsync();
        var size = DemoStudies.Size;
        var alice = Coco(image.SopInstanceUid, size, size, (1, "TUMOUR", Square(20, 20, 60, 60)), (2, "HGIN", Square(70, 70, 90, 100)));
        var bob = Coco(image.SopInstanceUid, size, size, (1, "TUMOUR", Square(22, 20, 60, 62)), (2, "HGIN", Square(70, 72, 90, 100)));
        await JsonOf(await server.PostReadAsync("alice", id, "application/json", alice), HttpStatusCode.Created);
        var last = await JsonOf(await server.PostReadAsync("bob", id, "application/json", bob), HttpStatusCode.Created);
        Assert.Equal("review", (string)last["state"]!);

        var task = await JsonOf(await server.Steward.GetAsync($"/api/tasks/{id}"));
        // Pixel centres inside each square (even-odd fill): alice's TUMOUR 40 x 40, bob's 38 x 42, overlapping 38 x 40.
        Assert.Equal(2.0 * 38 * 40 / (40 * 40 + 38 * 42), (double)task["agreement"]!["values"]!["TUMOUR"]!, 12);
        Assert.Equal(2.0 * 20 * 28 / (20 * 30 + 20 * 28), (double)task["agreement"]!["values"]!["HGIN"]!, 12);
        var consensus = task["reads"]!.AsArray().Single(r => (string)r!["role"]! == "consensus")!;
        Assert.Equal(("polygons", "closest"), ((string)consensus["kind"]!, (string)consensus["tool"]!));
        Assert.Equal("done", (string)(await JsonOf(await server.As("carol").PostAsJsonAsync($"/api/tasks/{id}/review", new { accept = true })))["state"]!);

        var r = Ok(await server.Steward.GetAsync($"/api/projects/{Project}/annotations/export?format=coco"));
        using var zip = new ZipArchive(await r.Content.ReadAsStreamAsync());
        var entry = zip.Entries.Single(e => e.FullName.StartsWith($"task-{id}/", StringComparison.Ordinal) && e.FullName.EndsWith(".coco.json", StringComparison.Ordinal));
        using var s = entry.Open();
        var coco = JsonNode.Parse(s)!;
        var image0 = coco["images"]![0]!;
        Assert.Equal((image.SopInstanceUid, size, size), ((string)image0["mira_sop_instance_uid"]!, (int)image0["width"]!, (int)image0["height"]!));
        var rings = coco["annotations"]!.AsArray().Select(a => string.Join(",", a!["segmentation"]![0]!.AsArray().Select(v => (double)v!))).Order().ToArray();
        // Two readers are equally close to each other: the first by name (alice) is the consensus.
        Assert.Equal(new[] { Square(20, 20, 60, 60), Square(70, 70, 90, 100) }.Select(c => string.Join(",", c)).Order(), rings);

        var sr = Ok(await server.Steward.GetAsync($"/api/projects/{Project}/annotations/export?format=sr"));
        using var srZip = new ZipArchive(await sr.Content.ReadAsStreamAsync());
        var srEntry = srZip.Entries.Single(e => e.FullName.StartsWith($"task-{id}/", StringComparison.Ordinal) && e.FullName.EndsWith(".dcm", StringComparison.Ordinal));
        var path = Path.Combine(Path.GetTempPath(), $"mira-polygon-sr-{Guid.NewGuid():N}.dcm");
        try
        {
            srEntry.ExtractToFile(path);
            var errors = ExternalTool.Exec(ExternalTool.Require("dciodvfy", "dicom3tools"), [path]).Output.Split('\n').Where(l => l.Contains("Error", StringComparison.Ordinal)).ToList();
            Assert.Empty(errors);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_coco_read_of_a_category_outside_the_protocol_is_refused()
    {
        var (id, image) = await PolygonTaskAsync();
        var detail = await Refused(await server.PostReadAsync("alice", id, "application/json",
            Coco(image.SopInstanceUid, DemoStudies.Size, DemoStudies.Size, (40, "OEDEMA", Square(1, 1, 9, 9)))), HttpStatusCode.BadRequest);
        Assert.Contains("OEDEMA", detail);
        Assert.Empty((await JsonOf(await server.Steward.GetAsync($"/api/tasks/{id}")))["reads"]!.AsArray());
    }
}
