using Microsoft.Playwright;

namespace Mira.Server.Tests.Web;

/// <summary>
/// What an annotator does in the viewer's segmentation mode (OHIF 3.13.2), through its own controls: add a segmentation,
/// name its segment, paint with the brush by dragging on the viewport, and save it ("Export" › "DICOM SEG" › "Save"),
/// which stores the SEG through STOW-RS on the study's data source.
/// </summary>
public sealed class SegmentationMode(ViewerPage viewer)
{
    IPage Page => viewer.Page;

    /// <summary>"Add segmentation", then renames its first segment to <paramref name="segmentName"/> (the segment's action menu).</summary>
    public async Task AddSegmentAsync(string segmentName)
    {
        await Page.ClickAsync("[data-cy=addSegmentation]");
        await Page.WaitForSelectorAsync("[data-cy=data-row-title]");
        await ChooseAsync("[data-cy=actionsMenuTrigger]", "Rename");
        await Page.Locator("[role=dialog] input").FillAsync(segmentName);
        await Page.Locator("[role=dialog] button", new() { HasText = "Save" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-cy=data-row-title]").First).ToHaveTextAsync(segmentName);
    }

    /// <summary>Selects the brush and drags it across the middle of the first viewport's canvas.</summary>
    public async Task PaintAsync()
    {
        await Page.ClickAsync("[data-cy=Brush-btn]");
        var canvas = Page.Locator(".cornerstone-viewport-element canvas").First;
        var box = await canvas.BoundingBoxAsync() ?? throw new InvalidOperationException("the viewport has no canvas on screen");
        var (x, y) = (box.X + box.Width / 2 - 40, box.Y + box.Height / 2);
        await Page.Mouse.MoveAsync(x, y);
        await Page.Mouse.DownAsync();
        for (var k = 0; k <= 20; k++) await Page.Mouse.MoveAsync(x + 4 * k, y + k % 2 * 3, new() { Steps = 2 });
        await Page.Mouse.UpAsync();
    }

    /// <summary>The number of voxels of the first segmentation that hold a segment (cornerstone's labelmap, in the page).</summary>
    public Task<int> PaintedVoxelsAsync() => Page.EvaluateAsync<int>("""
        () => {
          const cs = window.cornerstone, tools = window.cornerstoneTools;
          const seg = tools.segmentation.state.getSegmentations()[0];
          const ids = seg.representationData.Labelmap.imageIds || [];
          let n = 0;
          for (const id of ids) { const img = cs.cache.getImage(id); if (!img) continue; const px = img.getPixelData(); for (let i = 0; i < px.length; i++) if (px[i] !== 0) n++; }
          return n;
        }
        """);

    /// <summary>Saves the segmentation as DICOM SEG into the viewer's data source: the STOW-RS response.</summary>
    public async Task<IResponse> SaveAsync()
    {
        await ChooseAsync("[data-cy=segmentation-collapsed-more-btn-Labelmap]", "Export");
        await Page.GetByText("DICOM SEG", new() { Exact = true }).ClickAsync();
        var stow = Page.WaitForResponseAsync(r => r.Request.Method == "POST" && r.Url.Contains("/dicomweb/studies", StringComparison.Ordinal),
            new() { Timeout = 60_000 });
        await Page.Locator("[role=dialog] button", new() { HasText = "Save" }).ClickAsync();
        return await stow;
    }

    /// <summary>
    /// Opens a menu by its trigger and clicks <paramref name="item"/>. The segment rows open a statistics pop-over while
    /// the pointer rests on them, which can swallow the click or close the menu before the item is clicked (seen on a
    /// loaded machine): the pointer is moved off the panel and the whole choice repeated.
    /// </summary>
    async Task ChooseAsync(string trigger, string item)
    {
        for (var attempt = 1; ; attempt++)
        {
            await Page.Mouse.MoveAsync(5, 5);
            await Page.ClickAsync(trigger);
            try
            {
                await Page.GetByText(item, new() { Exact = true }).ClickAsync(new() { Timeout = 5_000 });
                return;
            }
            catch (TimeoutException) when (attempt < 6)
            {
                await Page.Keyboard.PressAsync("Escape");
            }
        }
    }

    /// <summary>A screenshot of the page into the test output folder (for a failing test); its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}-{DateTime.UtcNow:HHmmss}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }
}
