using System.Text.Json;
using Mira.Platform.Demo;

namespace Mira.Server.Tests.Web;

/// <summary>
/// The OHIF Viewer, served by a real <c>mira serve --demo</c>, in a real Chromium: the demo studies open through
/// <c>/studies/{uid}/view</c>, every request the viewer makes of Mira succeeds, and the canvas shows the pixels Mira
/// itself renders for the frame on screen.
/// </summary>
public sealed class ViewerBrowserTests(BrowserFixture browser, WorkspaceServer server) : IClassFixture<BrowserFixture>, IClassFixture<WorkspaceServer>
{
    Task<ViewerPage> OpenAsync(string path) =>
        ViewerPage.OpenAsync(browser, server.BaseUrl, "admin", ServeProcess.AdminPassword, path);

    [Theory]
    [InlineData("ct", "viewer")]
    [InlineData("mr", "viewer")]
    [InlineData("pt", "viewer")]
    [InlineData("ct", "segmentation")]
    public async Task Every_request_the_viewer_makes_opening_a_demo_study_succeeds(string study, string mode)
    {
        var uid = DemoStudies.StudyUid(study);
        await using var viewer = await OpenAsync($"/studies/{uid}/view?mode={mode}");
        await viewer.WaitForImageAsync();
        Assert.StartsWith($"{server.BaseUrl}viewer/{mode}/intake", viewer.Page.Url);
        Assert.True(viewer.Failures.Count == 0, "failed requests:\n" + string.Join("\n", viewer.Failures));
        // The viewer really read the study through DICOMweb: searches, metadata, frames and thumbnails.
        var dicomweb = viewer.Requests.Where(r => r.Contains("/dicomweb/", StringComparison.Ordinal)).ToList();
        foreach (var kind in new[] { $"/dicomweb/studies?", $"/studies/{uid}/series", "/metadata", "/frames/" })
            Assert.True(dicomweb.Any(r => r.Contains(kind, StringComparison.Ordinal)), $"no request for {kind}:\n" + string.Join("\n", dicomweb));
    }

    [Fact]
    public async Task The_demo_CT_on_the_viewers_canvas_has_the_pixels_Mira_renders_for_that_frame()
    {
        await using var viewer = await OpenAsync($"/studies/{DemoStudies.StudyUid("ct")}/view");
        await viewer.WaitForImageAsync();
        var json = await viewer.Page.EvaluateAsync<JsonElement>(CanvasVersusRendered);
        var report = json.GetRawText();
        var samples = json.GetProperty("samples").EnumerateArray()
            .Select(s => (Canvas: s[0].GetInt32(), Center: s[1].GetInt32(), Low: s[2].GetInt32(), High: s[3].GetInt32())).ToList();
        Assert.True(samples.Count >= 300, report);
        // Mira's rendering is not flat (the test would prove nothing on a blank frame).
        Assert.True(samples.Select(s => s.Center).Distinct().Count() >= 20, report);
        // Each canvas pixel lies within the range of the 3×3 neighbourhood of the image pixel it shows (the canvas
        // interpolates between pixels, and its placement may differ by a fraction of a pixel), give or take 3 grey
        // levels for the two window implementations; on average it is within 4 levels of the pixel itself.
        const int tolerance = 3;
        var outside = samples.Where(s => s.Canvas < s.Low - tolerance || s.Canvas > s.High + tolerance).ToList();
        Assert.True(outside.Count == 0, $"{outside.Count} of {samples.Count} canvas pixels outside their neighbourhood: {string.Join(' ', outside.Take(10))}\n{report}");
        var meanError = samples.Average(s => Math.Abs(s.Canvas - s.Center));
        Assert.True(meanError <= 4, $"mean difference {meanError:F2} grey levels\n{report}");
    }

    /// <summary>
    /// In the page: the frame the first viewport shows, its window (VOI range), the canvas pixel at each of 20×20
    /// image points (image coordinates to world to canvas, through cornerstone), and Mira's own rendering of that
    /// frame with the same window (<c>…/frames/N/rendered?window=c,w,linear</c>, PNG) at the same points.
    /// </summary>
    const string CanvasVersusRendered = """
        async () => {
          const cs = window.cornerstone;
          const vp = cs.getRenderingEngines().flatMap(e => e.getViewports()).find(v => v.getCurrentImageId && v.getCurrentImageId());
          const imageId = vp.getCurrentImageId();
          const image = cs.cache.getImage(imageId);
          const { lower, upper } = vp.getProperties().voiRange;
          const center = (lower + upper) / 2, width = upper - lower;
          const frameUrl = imageId.replace(/^wadors:/, '');
          const rendered = await fetch(`${frameUrl}/rendered?window=${center},${width},linear`, { headers: { Accept: 'image/png' } });
          if (!rendered.ok) return { error: `rendered: ${rendered.status}` };
          const bitmap = await createImageBitmap(await rendered.blob());
          const off = new OffscreenCanvas(bitmap.width, bitmap.height);
          const octx = off.getContext('2d');
          octx.drawImage(bitmap, 0, 0);
          const mira = octx.getImageData(0, 0, bitmap.width, bitmap.height);
          const at = (x, y) => mira.data[(y * mira.width + x) * 4];
          const canvas = vp.canvas;
          const ratio = canvas.width / canvas.clientWidth;
          const screen = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
          const samples = [];
          const n = 20, margin = 3;
          for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
            const x = margin + Math.round(a * (image.columns - 1 - 2 * margin) / (n - 1));
            const y = margin + Math.round(b * (image.rows - 1 - 2 * margin) / (n - 1));
            // cornerstone's image coordinates put [0, 0] at the top-left corner of the first pixel: +0.5 is its centre.
            const world = cs.utilities.imageToWorldCoords(imageId, [x + 0.5, y + 0.5]);
            const [cx, cy] = vp.worldToCanvas(world);
            const px = Math.floor(cx * ratio), py = Math.floor(cy * ratio);
            if (px < 0 || py < 0 || px >= canvas.width || py >= canvas.height) continue;
            let low = 255, high = 0;
            for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) { const v = at(x + dx, y + dy); low = Math.min(low, v); high = Math.max(high, v); }
            samples.push([screen.data[(py * canvas.width + px) * 4], at(x, y), low, high]);
          }
          return { imageId, voi: [lower, upper], size: [image.columns, image.rows], rendered: [mira.width, mira.height], canvas: [canvas.width, canvas.height], samples };
        }
        """;
}
