using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Imaging;
using Mira.Imaging.Presentation;
using Mira.Imaging.Rendering;
using Mira.Storage.Index;

namespace Mira.Server.Dicomweb;

/// <summary>
/// WADO-RS rendered and thumbnail resources (PS3.18 §10.4.1.1.3 Rendered, §10.4.1.1.6 Thumbnail; query parameters
/// §8.3.5): an instance or one of its frames rendered through <see cref="PresentationPipeline"/> and encoded as
/// <c>image/png</c> (the default) or <c>image/jpeg</c>, chosen from the Accept header or the <c>accept</c> query
/// parameter (406 when neither type is acceptable). Parameters: <c>window=center,width[,function]</c> (function
/// <c>linear</c>, <c>linear-exact</c> or <c>sigmoid</c>), <c>viewport=vw,vh</c> (fit, keeping the aspect ratio, scaling
/// down only: a viewport larger than the image gives the image at its own size, so a request cannot make the server
/// produce more pixels than the object holds; the source-region form is refused), <c>quality=1..100</c> (JPEG). A
/// multi-frame instance's rendered resource is its first frame. Thumbnails fit into 128×128 unless a viewport is given
/// and are never enlarged; a series' thumbnail is
/// its middle instance (index order) that has pixels, a study's that of its first series with one.
/// </summary>
public static class WadoRenderedEndpoints
{
    const string InstancePath = "/studies/{study}/series/{series}/instances/{instance}";

    /// <summary>The box thumbnails fit into when no viewport is asked for.</summary>
    public const int ThumbnailSize = 128;

    /// <summary>Instances tried, from the middle outward, before a series is said to have no renderable image.</summary>
    const int MaxThumbnailCandidates = 8;

    public static void Map(RouteGroupBuilder g, DicomwebRoutes routes)
    {
        var rendered = routes.Access(AuditActions.WadoRendered);
        var thumbnail = routes.Access(AuditActions.WadoThumbnail);
        g.MapGet(InstancePath + "/rendered", (HttpContext h, string study, string series, string instance) =>
            Instance(h, routes.Source(h), study, series, instance, null, thumbnail: false)).AddEndpointFilter(rendered);
        g.MapGet(InstancePath + "/frames/{frames}/rendered", (HttpContext h, string study, string series, string instance, string frames) =>
            Instance(h, routes.Source(h), study, series, instance, frames, thumbnail: false)).AddEndpointFilter(rendered);
        g.MapGet(InstancePath + "/thumbnail", (HttpContext h, string study, string series, string instance) =>
            Instance(h, routes.Source(h), study, series, instance, null, thumbnail: true)).AddEndpointFilter(thumbnail);
        g.MapGet(InstancePath + "/frames/{frames}/thumbnail", (HttpContext h, string study, string series, string instance, string frames) =>
            Instance(h, routes.Source(h), study, series, instance, frames, thumbnail: true)).AddEndpointFilter(thumbnail);
        g.MapGet("/studies/{study}/series/{series}/thumbnail", (HttpContext h, string study, string series) =>
            Representative(h, routes.Source(h), study, series)).AddEndpointFilter(thumbnail);
        g.MapGet("/studies/{study}/thumbnail", (HttpContext h, string study) =>
            Representative(h, routes.Source(h), study, null)).AddEndpointFilter(thumbnail);
    }

    /// <summary>What the query and Accept header ask for.</summary>
    public sealed record RenderRequest(RenderedFormat Format, VoiWindow? Window, (int W, int H)? Viewport, int Quality);

    /// <summary>Reads the query parameters and Accept header; a problem result when they cannot be served.</summary>
    public static RenderRequest? Parse(HttpRequest request, out IResult? problem)
    {
        problem = null;
        var q = request.Query;
        var accept = q.TryGetValue("accept", out var acceptParameter) ? acceptParameter : request.Headers.Accept;
        RenderedFormat? format = null;
        foreach (var range in AcceptedMediaType.Parse(accept))
        {
            if (range.Matches("image/png")) { format = RenderedFormat.Png; break; }
            if (range.Matches("image/jpeg")) { format = RenderedFormat.Jpeg; break; }
        }
        if (format is null)
        {
            problem = Problems.Result(StatusCodes.Status406NotAcceptable, "Not Acceptable",
                "rendered images are served as image/png (default) or image/jpeg");
            return null;
        }
        VoiWindow? window = null;
        if (q.TryGetValue("window", out var w) && (window = VoiWindow.Parse(w.ToString(), out var error)) is null)
        {
            problem = Problems.BadRequest("window: " + error);
            return null;
        }
        (int, int)? viewport = null;
        if (q.TryGetValue("viewport", out var v))
        {
            var parts = v.ToString().Split(',');
            if (parts.Length == 6)
            {
                problem = Problems.BadRequest("viewport: the source region form (vw,vh,sx,sy,sw,sh) is not supported; ask for vw,vh");
                return null;
            }
            if (parts.Length != 2 || !Positive(parts[0], out var vw) || !Positive(parts[1], out var vh))
            {
                problem = Problems.BadRequest($"viewport: '{v}' is not vw,vh with positive integers (PS3.18 §8.3.5.1.3)");
                return null;
            }
            viewport = (vw, vh);
        }
        var quality = ImageEncoder.DefaultJpegQuality;
        if (q.TryGetValue("quality", out var qt)
            && (!int.TryParse(qt.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out quality) || quality is < 1 or > 100))
        {
            problem = Problems.BadRequest($"quality: '{qt}' is not an integer from 1 to 100 (PS3.18 §8.3.5.1.2)");
            return null;
        }
        return new RenderRequest(format.Value, window, viewport, quality);
    }

    static bool Positive(string s, out int value) =>
        int.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value is > 0 and <= 16384;

    static async Task<IResult> Instance(HttpContext http, DicomwebSource source, string study, string series, string instance, string? frames, bool thumbnail)
    {
        if (Parse(http.Request, out var problem) is not { } request) return problem!;
        var frame = 1;
        if (frames is not null)
        {
            var numbers = PixelFrames.ParseList(frames, out var error, http.RequestServices.GetRequiredService<ServerOptions>().MaxFrameListEntries);
            if (numbers is null) return Problems.BadRequest(error!);
            if (numbers.Length != 1) return Problems.BadRequest($"'{frames}': a rendered image is one frame; ask for one frame number");
            frame = numbers[0];
        }
        var si = (await WadoEndpoints.FindAsync(source.Index, study, series, instance, http.RequestAborted)).FirstOrDefault();
        if (si is null) return Problems.NotFound($"no instance {instance} of series {series} in study {study}");
        return await RenderAsync(http, source, si, frame, request, thumbnail) switch
        {
            { Image: { } bytes } => Results.Bytes(bytes, ImageEncoder.MediaTypeOf(request.Format)),
            var failed => failed.Problem!,
        };
    }

    static async Task<IResult> Representative(HttpContext http, DicomwebSource source, string study, string? series)
    {
        if (Parse(http.Request, out var problem) is not { } request) return problem!;
        var found = await WadoEndpoints.FindAsync(source.Index, study, series, null, http.RequestAborted);
        if (found.Count == 0) return Problems.NotFound(series is null ? $"no study {study}" : $"no series {series} in study {study}");
        foreach (var group in found.GroupBy(si => si.SeriesInstanceUid))
        {
            var list = group.ToList();
            foreach (var si in MiddleOutward(list).Take(MaxThumbnailCandidates))
            {
                var outcome = await RenderAsync(http, source, si, 1, request, thumbnail: true);
                if (outcome.Image is { } bytes)
                {
                    http.Response.Headers["Content-Location"] =
                        $"{source.BaseUrl}/studies/{si.StudyInstanceUid}/series/{si.SeriesInstanceUid}/instances/{si.SopInstanceUid}/thumbnail";
                    return Results.Bytes(bytes, ImageEncoder.MediaTypeOf(request.Format));
                }
            }
        }
        return Problems.NotFound(series is null ? $"study {study} has no instance with pixel data that can be rendered"
            : $"series {series} has no instance with pixel data that can be rendered");
    }

    /// <summary>The middle item first (the lower middle for an even count), then its neighbours after and before, out to both ends.</summary>
    public static IEnumerable<T> MiddleOutward<T>(IReadOnlyList<T> items)
    {
        var mid = (items.Count - 1) / 2;
        for (var k = 0; k <= items.Count; k++)
        {
            if (mid + k < items.Count) yield return items[mid + k];
            if (k > 0 && mid - k >= 0) yield return items[mid - k];
        }
    }

    sealed record Outcome(byte[]? Image, IResult? Problem);

    static async Task<Outcome> RenderAsync(HttpContext http, DicomwebSource source, StoredInstance si, int frame, RenderRequest request, bool thumbnail)
    {
        var file = await StoredObjects.ReadAsync(source.Blobs, si, http.RequestAborted);
        if (PixelFrames.PixelDataOf(file.Dataset) is null)
            return new(null, Problems.NotFound($"instance {si.SopInstanceUid} has no Pixel Data to render"));
        try
        {
            // One frame is decoded, within the decoding limits (an oversized frame stored before them is refused, not decoded);
            // rendering reads its values in place, so memory stays a small multiple of the frame (PresentationPipeline).
            var pixels = PixelData.Open(file, limits: http.RequestServices.GetRequiredService<ServerOptions>().DecodeLimits);
            if (frame > pixels.FrameCount)
                return new(null, Problems.NotFound($"frame {frame} is out of range: instance {si.SopInstanceUid} has {pixels.FrameCount} frame(s)"));
            var image = PresentationPipeline.Render(pixels, frame - 1, new RenderOptions { Window = request.Window });
            // The viewport (PS3.18 §8.3.5.1.3) scales the image down to fit; it never enlarges it beyond the source size.
            if (request.Viewport is { } v) image = ImageEncoder.Shrink(image, v.W, v.H);
            else if (thumbnail) image = ImageEncoder.Shrink(image, ThumbnailSize, ThumbnailSize);
            return new(ImageEncoder.Encode(image, request.Format, request.Quality), null);
        }
        catch (Exception e) when (e is DicomCodecException or ImagingException or DicomFormatException)
        {
            return new(null, Problems.Result(StatusCodes.Status422UnprocessableEntity, "Cannot render",
                $"instance {si.SopInstanceUid}: {e.Message}"));
        }
    }
}
