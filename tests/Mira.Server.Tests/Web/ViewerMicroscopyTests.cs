using System.Text.Json;
using Microsoft.Playwright;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Server.Tests.Web;

/// <summary>
/// A real whole-slide image (VL Whole Slide Microscopy, JPEG Baseline tiles, from the corpus), stored through STOW-RS,
/// in the viewer's microscopy mode: every request succeeds (the ICC profile bulk data included) and tiles are drawn.
/// </summary>
public sealed class ViewerMicroscopyTests(BrowserFixture browser, WorkspaceServer server) : IClassFixture<BrowserFixture>, IClassFixture<WorkspaceServer>
{
    const string Slide = "dicom/modality/SM/cptac_brca_wsi_level.dcm";

    [Fact]
    public async Task A_whole_slide_image_opens_in_microscopy_mode_draws_tiles_and_no_request_fails()
    {
        var bytes = await File.ReadAllBytesAsync(Corpus.Get(Slide).FullPath);
        var ds = DicomFile.Read(bytes).Dataset;
        Assert.Equal("SM", ds.GetString(DicomTags.Modality));
        var study = ds.GetString(DicomTags.StudyInstanceUID)!;
        using (var stored = await Dicomweb.Stow(server.Server.Http, "/dicomweb/studies", bytes))
            Assert.True(stored.IsSuccessStatusCode, $"STOW: {(int)stored.StatusCode} {await stored.Content.ReadAsStringAsync()}");

        // No mode named: a study with an SM series opens in microscopy mode.
        await using var viewer = await ViewerPage.OpenAsync(browser, server.BaseUrl, "admin", ServeProcess.AdminPassword, $"/studies/{study}/view");
        JsonElement drawn;
        try
        {
            var handle = await viewer.Page.WaitForFunctionAsync(TileCanvasPixels, null, new() { Timeout = 90_000, PollingInterval = 500 });
            drawn = await handle.JsonValueAsync<JsonElement>();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"no tile drawn at {viewer.Page.Url}; page errors:\n{string.Join("\n", viewer.Errors)}\nrequests:\n{string.Join("\n", viewer.Requests)}", e);
        }
        await viewer.Page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 90_000 });
        Assert.StartsWith($"{server.BaseUrl}viewer/microscopy/intake", viewer.Page.Url);
        Assert.True(viewer.Failures.Count == 0, "failed requests:\n" + string.Join("\n", viewer.Failures));

        var dicomweb = viewer.Requests.Where(r => r.Contains("/dicomweb/", StringComparison.Ordinal)).ToList();
        var all = string.Join("\n", dicomweb);
        Assert.True(dicomweb.Any(r => r.Contains("/metadata", StringComparison.Ordinal)), "no metadata request:\n" + all);
        Assert.True(dicomweb.Count(r => r.Contains("/frames/", StringComparison.Ordinal)) >= 1, "no tile (frame) request:\n" + all);
        // The slide's ICC profile (Optical Path Sequence item 1, PS3.3 §C.8.12.5) is bulk data the viewer fetches
        // for colour management; it answered 200 (checked above with every other request).
        Assert.True(ds.GetSequence(DicomTags.OpticalPathSequence)!.Items[0].Contains(DicomTags.ICCProfile));
        Assert.True(dicomweb.Any(r => r.StartsWith("200 ", StringComparison.Ordinal) && r.EndsWith("/bulkdata/00480105/0/00282000", StringComparison.Ordinal)),
            "the viewer did not fetch the slide's ICC profile:\n" + all);

        // The tiles are drawn: the slide's canvas holds many distinct colours, not a blank or uniform field.
        var report = drawn.GetRawText();
        Assert.True(drawn.GetProperty("nonBlank").GetInt32() >= 1000, report);
        Assert.True(drawn.GetProperty("colours").GetInt32() >= 100, report);
    }

    /// <summary>
    /// In the page: the largest canvas of the slide viewer's map (OpenLayers), copied to a 2D canvas and sampled; null
    /// while nothing but the white/transparent background is drawn.
    /// </summary>
    internal const string TileCanvasPixels = """
        () => {
          const canvases = [...document.querySelectorAll('.ol-viewport canvas, .ol-layer canvas')];
          let best = null;
          for (const c of canvases) if (c.width * c.height > 0 && (!best || c.width * c.height > best.width * best.height)) best = c;
          if (!best) return null;
          const copy = document.createElement('canvas');
          copy.width = best.width; copy.height = best.height;
          const ctx = copy.getContext('2d');
          ctx.drawImage(best, 0, 0);
          const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
          let nonBlank = 0;
          const colours = new Set();
          for (let i = 0; i < data.length; i += 4 * 7) {
            const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
            if (a === 0 || (r > 250 && g > 250 && b > 250)) continue;
            nonBlank++;
            colours.add((r >> 2) << 12 | (g >> 2) << 6 | (b >> 2));
          }
          if (nonBlank < 1000) return null;
          return { canvases: canvases.length, size: [best.width, best.height], nonBlank, colours: colours.size };
        }
        """;
}
