using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;
using Mira.Imaging.Rendering;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// Issue 14 item 5 against a real <c>mira serve</c>: a frame list that repeats one frame thousands of times, and a
/// rendered viewport far larger than the image, are answered at the cost of the image, not of the request's numbers.
/// </summary>
public sealed class RequestAmplificationTests(ITestOutputHelper log)
{
    static async Task WithImage(Func<ServeProcess, (string Study, string Series, string Sop), Task> test, int frames = 1)
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-amplify-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data);
            var ids = (Uid(), Uid(), Uid());
            var stored = await Stow(server.Http, "/dicomweb/studies", AttackPayloads.NativeImage(ids.Item1, ids.Item2, ids.Item3, frames: frames));
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
            await test(server, ids);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    [Fact]
    public Task A_frame_list_repeating_one_frame_returns_that_frame_once_at_the_cost_of_one_frame() => WithImage(async (server, id) =>
    {
        var list = string.Join(',', Enumerable.Repeat("1", 3854)); // a 7.7 KB URL, as in the issue
        var before = PeakMemory.Reset(server);
        var clock = Stopwatch.StartNew();
        var response = await server.Http.GetAsync($"/dicomweb/studies/{id.Study}/series/{id.Series}/instances/{id.Sop}/frames/{list}");
        var body = await response.Content.ReadAsByteArrayAsync();
        clock.Stop();
        var after = server.Usage();
        var growth = after.PeakResidentBytes - before.ResidentBytes;
        log.WriteLine($"frames 1×3854: {(int)response.StatusCode}, {body.Length} bytes, {clock.ElapsedMilliseconds} ms, memory +{growth >> 20} MiB");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (_, parts) = await MultipartReading.ReadAll(new HttpResponseMessage { Content = WithType(body, response) });
        Assert.Equal(256 * 256 * 2, Assert.Single(parts).Content.Length);
        Assert.True(body.Length < 256 * 256 * 2 + 4096, $"response of {body.Length} bytes for one frame");
        Assert.True(growth < 100L << 20, $"memory grew by {growth >> 20} MiB");
    });

    [Fact]
    public Task A_frame_list_keeps_the_order_of_first_occurrences_and_drops_repeats() => WithImage(async (server, id) =>
    {
        var response = await server.Http.GetAsync($"/dicomweb/studies/{id.Study}/series/{id.Series}/instances/{id.Sop}/frames/3,1,3,2,1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (_, parts) = await MultipartReading.ReadAll(response);
        Assert.Equal(["3", "1", "2"], parts.Select(p => p.Location![(p.Location!.LastIndexOf('/') + 1)..]));
        Assert.All(parts, p => Assert.Equal(256 * 256 * 2, p.Content.Length));
        var outOfRange = await server.Http.GetAsync($"/dicomweb/studies/{id.Study}/series/{id.Series}/instances/{id.Sop}/frames/1,4");
        Assert.Equal(HttpStatusCode.NotFound, outOfRange.StatusCode);
    }, frames: 3);

    [Fact]
    public Task A_rendered_viewport_larger_than_the_image_is_not_enlarged() => WithImage(async (server, id) =>
    {
        var before = PeakMemory.Reset(server);
        var clock = Stopwatch.StartNew();
        var response = await server.Http.GetAsync($"/dicomweb/studies/{id.Study}/series/{id.Series}/instances/{id.Sop}/rendered?viewport=8192,8192");
        var png = await response.Content.ReadAsByteArrayAsync();
        clock.Stop();
        var after = server.Usage();
        log.WriteLine($"viewport 8192: {(int)response.StatusCode}, {png.Length} bytes, {clock.ElapsedMilliseconds} ms, "
                      + $"CPU {(after.CpuTime - before.CpuTime).TotalSeconds:F1} s, memory +{(after.PeakResidentBytes - before.ResidentBytes) >> 20} MiB");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var image = ImageEncoder.Decode(png);
        Assert.Equal((256, 256), (image.Width, image.Height));
        Assert.True((after.CpuTime - before.CpuTime).TotalSeconds < 2, $"rendering took {(after.CpuTime - before.CpuTime).TotalSeconds:F1} CPU-seconds");
        Assert.True(after.PeakResidentBytes - before.ResidentBytes < 100L << 20);

        var huge = await server.Http.GetAsync($"/dicomweb/studies/{id.Study}/series/{id.Series}/instances/{id.Sop}/rendered?viewport=16384,16384");
        Assert.Equal(HttpStatusCode.OK, huge.StatusCode);
        Assert.Equal(256, ImageEncoder.Decode(await huge.Content.ReadAsByteArrayAsync()).Width);
    });

    [Fact]
    public Task A_rendered_viewport_smaller_than_the_image_still_scales_it_down() => WithImage(async (server, id) =>
    {
        var response = await server.Http.GetAsync($"/dicomweb/studies/{id.Study}/series/{id.Series}/instances/{id.Sop}/rendered?viewport=64,32");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var image = ImageEncoder.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((32, 32), (image.Width, image.Height));
        var thumbnail = ImageEncoder.Decode(await server.Http.GetByteArrayAsync($"/dicomweb/studies/{id.Study}/series/{id.Series}/instances/{id.Sop}/thumbnail"));
        Assert.Equal((Mira.Server.Dicomweb.WadoRenderedEndpoints.ThumbnailSize, Mira.Server.Dicomweb.WadoRenderedEndpoints.ThumbnailSize), (thumbnail.Width, thumbnail.Height));
    });

    [Fact]
    public async Task One_compressed_frame_asked_for_uncompressed_decodes_that_frame_not_the_whole_object()
    {
        // 64 RLE frames of 4096² 8-bit pixels: 1 GiB decoded in all, 16 MiB each, in a 16 MiB part.
        var data = Path.Combine(Path.GetTempPath(), "mira-amplify-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data);
            var (study, series, sop) = (Uid(), Uid(), Uid());
            Assert.Equal(HttpStatusCode.OK, (await Stow(server.Http, "/dicomweb/studies", AttackPayloads.RleBomb(study, series, sop, size: 4096, frames: 64))).StatusCode);
            var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study}/series/{series}/instances/{sop}/frames/64");
            request.Headers.TryAddWithoutValidation("Accept", "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1");
            var before = PeakMemory.Reset(server);
            var clock = Stopwatch.StartNew();
            var response = await server.Http.SendAsync(request);
            var (_, parts) = await MultipartReading.ReadAll(response);
            var after = server.Usage();
            var growth = after.PeakResidentBytes - before.ResidentBytes;
            log.WriteLine($"frame 64 of 64 RLE frames as ELE: {(int)response.StatusCode}, {clock.ElapsedMilliseconds} ms, "
                          + $"CPU {(after.CpuTime - before.CpuTime).TotalSeconds:F1} s, memory +{growth >> 20} MiB");
            Assert.Equal(4096 * 4096, Assert.Single(parts).Content.Length);
            Assert.True(growth < 150L << 20, $"memory grew by {growth >> 20} MiB");
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task Study_metadata_of_thousands_of_instances_is_written_instance_by_instance()
    {
        // 2000 instances each carrying 32 KiB of text (inline in metadata, PS3.18 §F.2): a 64 MiB JSON array.
        var data = Path.Combine(Path.GetTempPath(), "mira-amplify-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data);
            var (study, series) = (Uid(), Uid());
            var text = new string('a', 32 << 10);
            var parts = Enumerable.Range(0, 2000).Select(_ => Make(study, series, Uid(), ds => ds.Set(Mira.Dicom.DicomTags.TextValue, text))).ToArray();
            Assert.Equal(HttpStatusCode.OK, (await Stow(server.Http, "/dicomweb/studies", parts)).StatusCode);
            var before = PeakMemory.Reset(server);
            var response = await server.Http.GetAsync($"/dicomweb/studies/{study}/metadata", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(response.Content.Headers.ContentLength); // streamed, not measured whole first
            var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            var after = server.Usage();
            var growth = after.PeakResidentBytes - before.ResidentBytes;
            log.WriteLine($"metadata of 2000 × 32 KiB instances: memory +{growth >> 20} MiB");
            Assert.Equal(2000, json.RootElement.GetArrayLength());
            Assert.All(json.RootElement.EnumerateArray(), i => Assert.Equal(32 << 10, i.GetProperty("0040A160").GetProperty("Value")[0].GetString()!.Length));
            Assert.True(growth < 64L << 20, $"memory grew by {growth >> 20} MiB");
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    static ByteArrayContent WithType(byte[] body, HttpResponseMessage response)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = response.Content.Headers.ContentType;
        return content;
    }
}
