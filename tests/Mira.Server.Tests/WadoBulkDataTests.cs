using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Mira.Dicom;
using static Mira.Server.Tests.Dicomweb;
using static Mira.Server.Tests.MultipartReading;

namespace Mira.Server.Tests;

/// <summary>BulkDataURIs in WADO-RS metadata (PS3.18 §F.2.6) and the bulk data resource they point at.</summary>
public sealed class WadoBulkDataTests(TestArchive server) : IClassFixture<TestArchive>
{
    HttpClient Client => server.Bearer(server.StewardToken);

    static readonly string[] OtherVRs = ["OB", "OW", "OF", "OD", "OL", "OV", "UN"];

    static readonly Dictionary<string, int> NumericSizes = new()
    {
        ["US"] = 2, ["SS"] = 2, ["UL"] = 4, ["SL"] = 4, ["FL"] = 4, ["AT"] = 4, ["FD"] = 8, ["UV"] = 8, ["SV"] = 8,
    };

    /// <summary>Every (json path, vr, BulkDataURI) of a DICOM JSON object, nested items included.</summary>
    static IEnumerable<(string Where, string VR, string Uri)> BulkUris(JsonObject obj, string where = "")
    {
        foreach (var (key, value) in obj)
        {
            var vr = value!["vr"]!.ToString();
            if (value["BulkDataURI"] is { } uri) yield return (where + key, vr, uri.ToString());
            if (vr == "SQ" && value["Value"] is JsonArray items)
                for (var i = 0; i < items.Count; i++)
                    foreach (var x in BulkUris((JsonObject)items[i]!, $"{where}{key}/{i}/")) yield return x;
            if (value["InlineBinary"] is not null) Assert.DoesNotContain(vr, OtherVRs); // no other-VR value stays inline
            if (NumericSizes.TryGetValue(vr, out var size) && value["Value"] is JsonArray values)
                Assert.True(values.Count * size <= 1024, $"{where}{key} {vr}: {values.Count} values inline, over 1 KiB");
        }
    }

    /// <summary>Finds a value by tag/item path in a locally read data set (independently of the server's resolver).</summary>
    static DicomElement Navigate(DicomDataset ds, string path)
    {
        var parts = path.Split('/');
        for (var i = 0; i < parts.Length - 1; i += 2)
            ds = ((DicomSequence)ds.Find(new DicomTag(uint.Parse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture)))!).Items[int.Parse(parts[i + 1], CultureInfo.InvariantCulture)];
        return ds.Find(new DicomTag(uint.Parse(parts[^1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)))!;
    }

    [Theory]
    [InlineData("dicom/modality/OT/examples_overlay.dcm", "00880200/0/7FE00010")] // icon image Pixel Data inside a sequence
    [InlineData("dicom/modality/OT/mlut_18.dcm", "00283000/0/00283006")] // LUT Data inside the Modality LUT Sequence
    [InlineData("dicom/modality/US/gdcm-US-ALOKA-16.dcm", "7FE00010")] // implicit VR, segmented palette LUTs
    [InlineData("dicom/modality/ECG/waveform_ecg.dcm", "54000100/0/54001010")] // Waveform Data
    public async Task Metadata_refers_to_bulk_values_by_uri_and_each_uri_returns_the_value(string path, string expectedPath)
    {
        var stored = await StoredCorpusFile.StoreAsync(server, path);
        var meta = (await Json(await Client.GetAsync($"{stored.InstancePath}/metadata"))).AsArray();
        var uris = BulkUris((JsonObject)Assert.Single(meta)!).ToList();
        Assert.Contains(uris, u => u.Where == expectedPath);
        foreach (var (where, vr, uri) in uris)
        {
            Assert.StartsWith("http://localhost/dicomweb" + stored.InstancePath[9..] + "/bulkdata/", uri);
            Assert.EndsWith("/bulkdata/" + where, uri);
            var r = await Client.GetAsync(new Uri(uri).AbsolutePath);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var (type, parts) = await ReadAll(r);
            Assert.Equal("application/octet-stream", Parameter(type, "type"));
            var part = Assert.Single(parts);
            Assert.Equal(uri, part.Location);
            var local = Navigate(stored.File.Dataset, where);
            Assert.Equal(local.Bytes.ToArray(), part.Content);
            Assert.True(OtherVRs.Contains(vr) || local.Tag == DicomTags.PixelData || local.Length > 1024, $"{where} {vr} ({local.Length} bytes) need not be bulk");
        }
    }

    [Fact]
    public async Task Bulk_data_of_encapsulated_pixel_data_is_one_part_per_frame()
    {
        var stored = await StoredCorpusFile.StoreAsync(server, "dicom/transfer-syntax/pydicom/SC_rgb_rle_16bit_2frame.dcm");
        var meta = (JsonObject)(await Json(await Client.GetAsync($"{stored.InstancePath}/metadata"))).AsArray()[0]!;
        var uri = meta["7FE00010"]!["BulkDataURI"]!.ToString();
        var (type, parts) = await ReadAll(await Client.GetAsync(new Uri(uri).AbsolutePath));
        Assert.Equal("image/dicom-rle", Parameter(type, "type"));
        Assert.Equal(2, parts.Count);
        var fragments = ((DicomFragmentSequence)stored.File.Dataset.Find(DicomTags.PixelData)!).Fragments;
        Assert.Equal(fragments.Select(f => f.Bytes.ToArray()), parts.Select(p => p.Content));
    }

    [Fact]
    public async Task Bulk_data_paths_that_are_malformed_are_400_and_missing_values_404()
    {
        var stored = await StoredCorpusFile.StoreAsync(server, "dicom/modality/OT/examples_overlay.dcm");
        foreach (var bad in new[] { "zz", "7FE0001", "00880200/x/7FE00010", "00880200/0", "00880200" })
            Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync($"{stored.InstancePath}/bulkdata/{bad}")).StatusCode);
        foreach (var missing in new[] { "7FE10010", "00880200/5/7FE00010", "00100010/0/7FE00010" })
        {
            var r = await Client.GetAsync($"{stored.InstancePath}/bulkdata/{missing}");
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }
        var request = new HttpRequestMessage(HttpMethod.Get, $"{stored.InstancePath}/bulkdata/7FE00010");
        request.Headers.TryAddWithoutValidation("Accept", "multipart/related; type=\"image/jpeg\"");
        Assert.Equal(HttpStatusCode.NotAcceptable, (await Client.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/dicomweb/studies/{stored.Study}/series/{stored.Series}/instances/{Uid()}/bulkdata/7FE00010")).StatusCode);
    }

    [Fact]
    public async Task Openapi_describes_frames_and_bulk_data()
    {
        var paths = JsonNode.Parse(await server.Admin.GetStringAsync("/openapi.json"))!["paths"]!;
        const string instance = "/dicomweb/studies/{study}/series/{series}/instances/{instance}";
        Assert.NotNull(paths[instance + "/frames/{frames}"]?["get"]?["responses"]?["404"]);
        Assert.NotNull(paths[instance + "/bulkdata/{path}"]?["get"]?["responses"]?["200"]);
        Assert.NotNull(paths[instance]!["get"]!["responses"]!["406"]);
    }
}
