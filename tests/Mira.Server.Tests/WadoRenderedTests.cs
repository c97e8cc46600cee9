using System.Net;
using Mira.Dicom.Codecs;
using Mira.Imaging.Presentation;
using Mira.Imaging.Rendering;
using Mira.Server.Dicomweb;
using Mira.Storage.Security;

namespace Mira.Server.Tests;

/// <summary>
/// WADO-RS rendered and thumbnail resources (PS3.18 §10.4.1.1.3, §10.4.1.1.6, §8.3.5): corpus files stored through
/// STOW-RS, fetched as PNG or JPEG, decoded with SkiaSharp and compared with the presentation pipeline's output.
/// </summary>
public sealed class WadoRenderedTests(TestArchive server) : IClassFixture<TestArchive>
{
    HttpClient Client => server.Bearer(server.StewardToken);

    async Task<HttpResponseMessage> Get(string path, string? accept = null, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        return await (client ?? Client).SendAsync(request);
    }

    static RenderedImage Expected(StoredCorpusFile stored, int frame = 1, RenderOptions? options = null) =>
        PresentationPipeline.Render(PixelData.Open(stored.File), frame - 1, options);

    static async Task<RenderedImage> DecodeAsync(HttpResponseMessage r, string mediaType)
    {
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(mediaType, r.Content.Headers.ContentType?.MediaType);
        return ImageEncoder.Decode(await r.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Rendered_instance_is_a_PNG_of_the_pipeline_output_by_default()
    {
        var ct = await StoredCorpusFile.StoreAsync(server, "dicom/modality/CT/CT_small.dcm");
        var png = await DecodeAsync(await Get(ct.InstancePath + "/rendered"), "image/png");
        var expected = Expected(ct);
        Assert.Equal((expected.Width, expected.Height, RenderedLayout.Gray8), (png.Width, png.Height, png.Layout));
        Assert.Equal(expected.Pixels, png.Pixels);
    }

    [Fact]
    public async Task Palette_and_YBR_instances_render_as_RGB()
    {
        foreach (var path in new[] { "dicom/modality/US/gdcm-US-ALOKA-16.dcm", "dicom/transfer-syntax/pydicom/SC_ybr_full_422_uncompressed.dcm" })
        {
            var stored = await StoredCorpusFile.StoreAsync(server, path);
            var png = await DecodeAsync(await Get(stored.InstancePath + "/rendered", "image/png"), "image/png");
            var expected = Expected(stored);
            Assert.Equal(RenderedLayout.Rgba32, png.Layout);
            foreach (var (x, y) in new[] { (0, 0), (expected.Width / 2, expected.Height / 2), (expected.Width - 1, expected.Height - 1), (expected.Width / 3, expected.Height / 4) })
                Assert.Equal(expected[x, y], png[x, y]);
        }
    }

    [Fact]
    public async Task Window_and_viewport_parameters_are_applied()
    {
        var mr = await StoredCorpusFile.StoreAsync(server, "dicom/modality/MR/emri_small.dcm");
        var png = await DecodeAsync(await Get(mr.InstancePath + "/frames/3/rendered?window=300,200,linear-exact"), "image/png");
        Assert.Equal(Expected(mr, 3, new RenderOptions { Window = new VoiWindow(300, 200, VoiFunction.LinearExact) }).Pixels, png.Pixels);

        // 64×64 into 32×16: 16×16, the same as fitting the pipeline output with the same encoder.
        var small = await DecodeAsync(await Get(mr.InstancePath + "/frames/2/rendered?viewport=32,16"), "image/png");
        var expected = ImageEncoder.Fit(Expected(mr, 2), 32, 16);
        Assert.Equal((16, 16), (small.Width, small.Height));
        Assert.Equal(expected.Pixels, small.Pixels);
    }

    [Fact]
    public async Task JPEG_is_negotiated_with_quality_and_other_types_are_not_acceptable()
    {
        var ct = await StoredCorpusFile.StoreAsync(server, "dicom/modality/CT/CT_small.dcm");
        var high = await Get(ct.InstancePath + "/rendered?quality=95", "image/jpeg");
        var low = await Get(ct.InstancePath + "/rendered?quality=5", "image/webp, image/jpeg;q=0.5");
        var jpeg = await DecodeAsync(high, "image/jpeg");
        Assert.Equal("image/jpeg", low.Content.Headers.ContentType?.MediaType);
        Assert.True((await low.Content.ReadAsByteArrayAsync()).Length < (await high.Content.ReadAsByteArrayAsync()).Length);
        var expected = Expected(ct);
        var meanError = expected.Pixels.Zip(jpeg.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanError < 2, $"mean error {meanError:0.00} at quality 95");

        Assert.Equal("image/png", (await Get(ct.InstancePath + "/rendered", "image/*")).Content.Headers.ContentType?.MediaType);
        Assert.Equal("image/jpeg", (await Get(ct.InstancePath + "/rendered?accept=image/jpeg", "image/png")).Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotAcceptable, (await Get(ct.InstancePath + "/rendered", "image/gif")).StatusCode);
        Assert.Equal(HttpStatusCode.NotAcceptable, (await Get(ct.InstancePath + "/rendered", "application/dicom")).StatusCode);
    }

    [Theory]
    [InlineData("/rendered?window=40", HttpStatusCode.BadRequest)]
    [InlineData("/rendered?window=40,400,cubic", HttpStatusCode.BadRequest)]
    [InlineData("/rendered?viewport=0,10", HttpStatusCode.BadRequest)]
    [InlineData("/rendered?viewport=10,10,0,0,5,5", HttpStatusCode.BadRequest)]
    [InlineData("/rendered?quality=0", HttpStatusCode.BadRequest)]
    [InlineData("/frames/1,2/rendered", HttpStatusCode.BadRequest)]
    [InlineData("/frames/x/rendered", HttpStatusCode.BadRequest)]
    [InlineData("/frames/2/rendered", HttpStatusCode.NotFound)]
    public async Task Bad_parameters_and_frames_are_refused(string suffix, HttpStatusCode status)
    {
        var ct = await StoredCorpusFile.StoreAsync(server, "dicom/modality/CT/CT_small.dcm");
        var r = await Get(ct.InstancePath + suffix);
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_instances_and_objects_without_pixels_are_not_found()
    {
        var sr = await StoredCorpusFile.StoreAsync(server, "dicom/modality/SR/highdicom_sr_document.dcm");
        Assert.Equal(HttpStatusCode.NotFound, (await Get(sr.InstancePath + "/rendered")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get($"/dicomweb/studies/{sr.Study}/series/{sr.Series}/instances/1.2.3/rendered")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get($"/dicomweb/studies/{sr.Study}/series/1.2.3/thumbnail")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/dicomweb/studies/1.2.3/thumbnail")).StatusCode);
    }

    [Fact]
    public async Task A_series_thumbnail_passes_over_instances_without_pixels()
    {
        // The SR document and CT_small share their series: whichever is the middle, the thumbnail is the CT's.
        var sr = await StoredCorpusFile.StoreAsync(server, "dicom/modality/SR/highdicom_sr_document.dcm");
        var ct = await StoredCorpusFile.StoreAsync(server, "dicom/modality/CT/CT_small.dcm");
        Assert.Equal(sr.Series, ct.Series);
        var r = await Get($"/dicomweb/studies/{ct.Study}/series/{ct.Series}/thumbnail");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.EndsWith($"/instances/{ct.Sop}/thumbnail", r.Content.Headers.ContentLocation!.ToString());
    }

    [Fact]
    public async Task Multi_frame_instances_render_their_first_frame()
    {
        var us = await StoredCorpusFile.StoreAsync(server, "dicom/modality/US/examples_ybr_color.dcm");
        var png = await DecodeAsync(await Get(us.InstancePath + "/rendered"), "image/png");
        Assert.Equal(Expected(us, 1).Pixels, png.Pixels);
        var last = await DecodeAsync(await Get(us.InstancePath + "/frames/30/rendered"), "image/png");
        Assert.Equal(Expected(us, 30).Pixels, last.Pixels);
    }

    [Fact]
    public async Task Thumbnails_fit_128_pixels_and_series_and_study_thumbnails_show_a_middle_instance()
    {
        var us = await StoredCorpusFile.StoreAsync(server, "dicom/modality/US/examples_ybr_color.dcm"); // 320×240
        var thumb = await DecodeAsync(await Get(us.InstancePath + "/thumbnail"), "image/png");
        Assert.Equal((128, 96), (thumb.Width, thumb.Height));
        Assert.Equal(ImageEncoder.Fit(Expected(us), 128, 128).Pixels, thumb.Pixels);
        var custom = await DecodeAsync(await Get(us.InstancePath + "/thumbnail?viewport=64,64", "image/jpeg"), "image/jpeg");
        Assert.Equal((64, 48), (custom.Width, custom.Height));

        // A five-instance CT series (stored in instance-number order): the series thumbnail is the middle one's.
        string[] files = ["2062", "2392", "2693", "3023", "3353"];
        var stored = new List<StoredCorpusFile>();
        foreach (var f in files) stored.Add(await StoredCorpusFile.StoreAsync(server, "dicom/dicomdir/98892001/CT5N/" + f));
        var seriesThumb = await Get($"/dicomweb/studies/{stored[0].Study}/series/{stored[0].Series}/thumbnail");
        Assert.Equal(HttpStatusCode.OK, seriesThumb.StatusCode);
        var location = seriesThumb.Content.Headers.ContentLocation!.ToString();
        var order = (await server.Archive.Index.FindInstancesAsync(stored[0].Study, stored[0].Series, default)).Select(i => i.SopInstanceUid).ToList();
        Assert.EndsWith($"/instances/{order[(order.Count - 1) / 2]}/thumbnail", location);
        var middle = stored.Single(s => location.Contains(s.Sop));
        Assert.Equal(await (await Get(middle.InstancePath + "/thumbnail")).Content.ReadAsByteArrayAsync(), await seriesThumb.Content.ReadAsByteArrayAsync());

        var studyThumb = await Get($"/dicomweb/studies/{stored[0].Study}/thumbnail");
        Assert.Equal(HttpStatusCode.OK, studyThumb.StatusCode);
        Assert.Equal("image/png", studyThumb.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_OpenAPI_description_lists_the_rendered_and_thumbnail_paths()
    {
        var paths = System.Text.Json.Nodes.JsonNode.Parse(await server.Admin.GetStringAsync("/openapi.json"))!["paths"]!;
        const string instance = "/dicomweb/studies/{study}/series/{series}/instances/{instance}";
        foreach (var p in new[] { instance + "/rendered", instance + "/frames/{frames}/rendered", instance + "/thumbnail",
                     instance + "/frames/{frames}/thumbnail", "/dicomweb/studies/{study}/series/{series}/thumbnail", "/dicomweb/studies/{study}/thumbnail" })
        {
            Assert.NotNull(paths[p]?["get"]?["responses"]?["200"]?["content"]?["image/png"]);
            Assert.NotNull(paths[p]?["get"]?["responses"]?["406"]);
        }
    }

    [Fact]
    public void The_representative_instance_is_the_middle_then_its_neighbours()
    {
        Assert.Equal([2, 3, 1, 4, 0], WadoRenderedEndpoints.MiddleOutward([0, 1, 2, 3, 4]));
        Assert.Equal([1, 2, 0, 3], WadoRenderedEndpoints.MiddleOutward([0, 1, 2, 3]));
        Assert.Equal([0], WadoRenderedEndpoints.MiddleOutward([0]));
    }

    [Fact]
    public async Task Rendering_needs_the_roles_of_retrieval_and_is_audited()
    {
        var ct = await StoredCorpusFile.StoreAsync(server, "dicom/modality/CT/CT_small.dcm");
        var annotator = server.Basic("annotator", TestArchive.UserPassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get(ct.InstancePath + "/rendered", client: annotator)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get(ct.InstancePath + "/thumbnail", client: server.Anonymous)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(ct.InstancePath + "/thumbnail")).StatusCode);
        var audit = await server.Archive.Audit.ReadAsync(1, 100_000);
        Assert.Contains(audit, a => a is { Actor: "annotator", Action: "wado.rendered" } && a.Resource == ct.Study && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied));
        Assert.Contains(audit, a => a is { Actor: "steward", Action: "wado.thumbnail" } && a.Resource == ct.Study && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Success));
    }
}
