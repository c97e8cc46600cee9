using System.Diagnostics;
using System.Globalization;
using System.Net;
using Mira.Server.Tests.Dimse;
using Xunit.Abstractions;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// Issue 14 item 6 against a real <c>mira serve</c>: an RLE object that claims a huge frame and a deflated data set
/// that inflates a thousandfold are refused (STOW-RS failure reason and C-STORE status A700, Out of Resources, PS3.4
/// Annex B) before anything is decoded or stored, at a bounded cost; an object stored before the limit existed is
/// refused at rendering instead of decoded; honest deflated and multi-frame objects are still stored.
/// </summary>
public sealed class DecompressionBombTests(ITestOutputHelper log)
{
    const string RefusedOutOfResources = "A700";

    static async Task WithServer(Func<ServeProcess, string, Task> test, params string[] extra)
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-bomb-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data, extra);
            await test(server, data);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    /// <summary>Posts one part; returns the response, its Failure Reason (hex) and the cost.</summary>
    async Task<(HttpResponseMessage Response, string? FailureReason, long Growth, double Seconds)> Attack(ServeProcess server, byte[] part, string what)
    {
        var before = PeakMemory.Reset(server);
        var clock = Stopwatch.StartNew();
        var response = await Stow(server.Http, "/dicomweb/studies", part);
        var json = await Json(response);
        clock.Stop();
        var after = server.Usage();
        var reason = json["00081198"]?["Value"]?[0]?["00081197"]?["Value"]?[0]?.GetValue<int>() is { } r ? r.ToString("X4", CultureInfo.InvariantCulture) : null;
        var growth = after.PeakResidentBytes - before.ResidentBytes;
        log.WriteLine($"{what}: {(int)response.StatusCode}, failure reason {reason}, {clock.Elapsed.TotalSeconds:F1} s, memory +{growth >> 20} MiB, "
                      + $"warning {string.Join(" | ", response.Headers.TryGetValues("Warning", out var w) ? w : [])}");
        return (response, reason, growth, clock.Elapsed.TotalSeconds);
    }

    /// <summary>QIDO-RS finds no study (204 No Content, PS3.18 §10.6.3) and WADO-RS its metadata is 404.</summary>
    static async Task AssertNothingStored(ServeProcess server, string study)
    {
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.GetAsync($"/dicomweb/studies?StudyInstanceUID={study}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/dicomweb/studies/{study}/metadata")).StatusCode);
    }

    [Fact]
    public Task An_rle_object_claiming_a_16384_square_frame_is_refused_out_of_resources_and_nothing_is_stored() => WithServer(async (server, _) =>
    {
        var (study, series, sop) = (Uid(), Uid(), Uid());
        var bomb = AttackPayloads.RleBomb(study, series, sop);
        var (response, reason, growth, seconds) = await Attack(server, bomb, $"RLE 16384² ({bomb.Length >> 20} MiB part)");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(RefusedOutOfResources, reason);
        Assert.Contains("decoded", string.Join(" ", response.Headers.GetValues("Warning")));
        await AssertNothingStored(server, study);
        Assert.True(growth < 100L << 20, $"memory grew by {growth >> 20} MiB");
        Assert.True(seconds < 10, $"took {seconds:F1} s");
    });

    [Fact]
    public Task A_deflated_data_set_inflating_to_a_gibibyte_is_refused_out_of_resources_and_nothing_is_stored() => WithServer(async (server, _) =>
    {
        var (study, series, sop) = (Uid(), Uid(), Uid());
        var bomb = AttackPayloads.DeflateBomb(study, series, sop);
        Assert.True(bomb.Length < 2 << 20, $"the bomb is {bomb.Length} bytes");
        var (response, reason, growth, seconds) = await Attack(server, bomb, $"deflate 1 GiB ({bomb.Length >> 10} KiB part)");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(RefusedOutOfResources, reason);
        Assert.Contains("inflate", string.Join(" ", response.Headers.GetValues("Warning")));
        await AssertNothingStored(server, study);
        Assert.True(growth < 100L << 20, $"memory grew by {growth >> 20} MiB");
        Assert.True(seconds < 10, $"took {seconds:F1} s");
    });

    [Fact]
    public Task An_rle_bomb_sent_by_c_store_is_answered_out_of_resources() => WithServer(async (server, data) =>
    {
        var (study, series, sop) = (Uid(), Uid(), Uid());
        var file = Path.Combine(data, "bomb.dcm");
        await File.WriteAllBytesAsync(file, AttackPayloads.RleBomb(study, series, sop));
        var (_, output) = DimseArchive.Dcmtk("storescu", "-v", "-xr", "-aet", "ANYONE", "-aec", "MIRA", "127.0.0.1",
            server.DimsePort!.Value.ToString(CultureInfo.InvariantCulture), file);
        log.WriteLine(output);
        Assert.True(output.Contains("Refused: OutOfResources", StringComparison.Ordinal), output + "\nserver:\n" + server.Output);
        await AssertNothingStored(server, study);
    }, "--dimse-unknown-callers", "echo,store");

    [Fact]
    public async Task An_oversized_frame_stored_before_the_limit_is_refused_at_rendering_without_decoding()
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-bomb-" + Guid.NewGuid().ToString("N"));
        var (study, series, sop) = (Uid(), Uid(), Uid());
        try
        {
            await using (var lenient = await ServeProcess.StartAsync(data, "--max-frame-mib", "1024"))
                Assert.Equal(HttpStatusCode.OK, (await Stow(lenient.Http, "/dicomweb/studies", AttackPayloads.RleBomb(study, series, sop))).StatusCode);
            await using var server = await ServeProcess.StartAsync(data);
            var instance = $"/dicomweb/studies/{study}/series/{series}/instances/{sop}";
            var before = PeakMemory.Reset(server);
            var clock = Stopwatch.StartNew();
            var rendered = await server.Http.GetAsync(instance + "/rendered");
            var frame = await server.Http.GetAsync(instance + "/frames/1", HttpCompletionOption.ResponseHeadersRead);
            var after = server.Usage();
            var growth = after.PeakResidentBytes - before.ResidentBytes;
            log.WriteLine($"render stored 16384² RLE: {(int)rendered.StatusCode} in {clock.Elapsed.TotalSeconds:F1} s, memory +{growth >> 20} MiB; "
                          + await rendered.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.UnprocessableEntity, rendered.StatusCode);
            Assert.Contains("decoded", await rendered.Content.ReadAsStringAsync());
            Assert.True(growth < 100L << 20, $"memory grew by {growth >> 20} MiB");
            // The stored bytes themselves are still served as they are (no decoding needed).
            Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    [Fact]
    public Task An_honest_deflated_object_is_stored_and_rendered() => WithServer(async (server, _) =>
    {
        var (study, series, sop) = (Uid(), Uid(), Uid());
        var response = await Stow(server.Http, "/dicomweb/studies", AttackPayloads.DeflatedImage(study, series, sop));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rendered = await server.Http.GetAsync($"/dicomweb/studies/{study}/series/{series}/instances/{sop}/rendered");
        Assert.Equal(HttpStatusCode.OK, rendered.StatusCode);
    });

    [Fact]
    public Task A_deflated_blank_image_compressing_a_thousandfold_is_still_stored() => WithServer(async (server, _) =>
    {
        // A 1024×1024 16-bit image of zeros: 2 MiB that deflate to about 2 KiB, under the allowance every part has.
        var (study, series, sop) = (Uid(), Uid(), Uid());
        var plain = DicomFile(AttackPayloads.NativeImage(study, series, sop, size: 1024));
        plain.Dataset.Set(new Mira.Dicom.DicomElement(Mira.Dicom.DicomTags.PixelData, Mira.Dicom.DicomVR.OW, new byte[1024 * 1024 * 2]));
        var deflated = Mira.Dicom.IO.DicomFileWriter.ToBytes(plain.Dataset, Mira.Dicom.TransferSyntax.DeflatedExplicitVRLittleEndian);
        Assert.True(deflated.Length < 64 << 10, $"{deflated.Length} bytes");
        Assert.Equal(HttpStatusCode.OK, (await Stow(server.Http, "/dicomweb/studies", deflated)).StatusCode);
    });

    [Fact]
    public Task An_honest_large_multi_frame_object_is_stored_and_its_frames_rendered() => WithServer(async (server, _) =>
    {
        // 64 frames of 1024×1024 16-bit: 128 MiB decoded in all, 2 MiB per frame, like a tiled or cine object.
        var (study, series, sop) = (Uid(), Uid(), Uid());
        var bytes = AttackPayloads.NativeImage(study, series, sop, size: 1024, frames: 64);
        Assert.Equal(HttpStatusCode.OK, (await Stow(server.Http, "/dicomweb/studies", bytes)).StatusCode);
        var rendered = await server.Http.GetAsync($"/dicomweb/studies/{study}/series/{series}/instances/{sop}/frames/64/rendered?viewport=128,128");
        Assert.Equal(HttpStatusCode.OK, rendered.StatusCode);
    });

    static Mira.Dicom.IO.DicomFile DicomFile(byte[] bytes) => Mira.Dicom.IO.DicomFile.Read(bytes);
}
