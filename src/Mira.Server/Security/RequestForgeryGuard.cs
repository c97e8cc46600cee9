using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Mira.Server.Dicomweb;
using Mira.Storage.Security;

namespace Mira.Server.Security;

/// <summary>
/// Cross-site request forgery defences for every state-changing request (POST, PUT, PATCH, DELETE), after
/// authentication. A browser holding a user's Basic credentials (or, later, a session cookie) attaches them to
/// requests another site makes it send; such requests are refused (and audited, <c>request.forgery-refused</c>) when:
/// <list type="bullet">
/// <item>the <c>Origin</c> is another site's (or <c>null</c>), or, without <c>Origin</c>, <c>Sec-Fetch-Site</c> says
/// <c>cross-site</c> or <c>same-site</c> (Fetch Metadata): 403. Same origin is the configured public base URL, the
/// request's own scheme and host, or one of <see cref="ServerOptions.AllowedOrigins"/>;</item>
/// <item>the body's media type is one a cross-site form or a "simple" request can send (RFC 9110 §8.3; the Fetch
/// standard's CORS-safelisted types): a body must be <c>application/json</c>, or under DICOMweb one of the media
/// types of PS3.18 §10.5 (STOW-RS: <c>multipart/related; type="application/dicom"</c>, <c>application/dicom</c>,
/// <c>application/dicom+json</c>, <c>application/dicom+xml</c>), none of which a browser sends cross-site without a
/// CORS preflight, which Mira never answers: 415. The web workspace's own forms (<c>application/x-www-form-urlencoded</c>,
/// <c>multipart/form-data</c>) are accepted only from cookie sessions, which the next rule covers;</item>
/// <item>the request authenticated with a cookie (<see cref="AuthenticationMethod.Cookie"/>) and carries no valid
/// ASP.NET Core antiforgery token (header <c>X-CSRF-TOKEN</c> or the form's field): 403.</item>
/// </list>
/// The sign-in form's own post (anonymous) passes the origin rule here and its antiforgery token in the framework's
/// antiforgery middleware, so another site cannot sign a browser in to an account of its choosing either.
/// </summary>
public sealed class RequestForgeryGuard(ServerOptions options)
{
    /// <summary>The media types a state-changing request under DICOMweb may carry (PS3.18 §10.5, STOW-RS).</summary>
    public static IReadOnlyList<string> DicomMediaTypes { get; } =
        ["multipart/related", "application/dicom", "application/dicom+json", "application/dicom+xml"];

    public const string JsonMediaType = "application/json";

    /// <summary>Where non-DICOM files are uploaded for conversion, as <see cref="OctetStream"/> bodies.</summary>
    public const string UploadPath = "/api/intake/files";

    public const string OctetStream = "application/octet-stream";

    /// <summary>Where annotation reads are posted (<c>/api/tasks/{t}/reads</c>, <c>…/arbitration</c>, <c>…/versions</c>).</summary>
    public const string AnnotationTaskPath = "/api/tasks";

    /// <summary>A read's bodies besides the form's JSON: a NIfTI label map (.nii, .nii.gz) or a DICOM SEG.</summary>
    public static IReadOnlyList<string> AnnotationMediaTypes { get; } = [OctetStream, "application/gzip", "application/x-gzip", "application/dicom"];

    /// <summary>Where clinicians review AI results (<c>/api/results/{id}/review</c>): a correction is a NIfTI label map body.</summary>
    public const string ResultPath = "/api/results";

    /// <summary>Where model packages are pushed (<c>POST /api/models</c>): a zip body.</summary>
    public const string ModelPath = "/api/models";

    /// <summary>A model package's bodies: a zip (application/zip is not CORS-safelisted, so another site needs a preflight Mira never answers).</summary>
    public static IReadOnlyList<string> ModelMediaTypes { get; } = ["application/zip", "application/x-zip-compressed", OctetStream];

    /// <summary>The web workspace's HTML forms, accepted from cookie sessions only (which must send the antiforgery token).</summary>
    static readonly string[] FormMediaTypes = ["application/x-www-form-urlencoded", "multipart/form-data"];

    public static bool IsStateChanging(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!IsStateChanging(context.Request.Method))
        {
            await next(context);
            return;
        }
        if (MiraAuthentication.UserOf(context) is not { } user)
        {
            if (Web.WebPaths.IsPublic(context.Request) && ForeignOrigin(context.Request) is { } foreignSignIn)
                await RefuseAsync(context, PasswordSignIn.AnonymousActor, StatusCodes.Status403Forbidden, "Cross-site request refused", foreignSignIn);
            else
                await next(context);
            return;
        }
        if (ForeignOrigin(context.Request) is { } foreign)
        {
            await RefuseAsync(context, user.Name, StatusCodes.Status403Forbidden, "Cross-site request refused", foreign);
            return;
        }
        var cookie = MiraAuthentication.MethodOf(context) == AuthenticationMethod.Cookie;
        if (WrongMediaType(context.Request, formsAccepted: cookie) is { } wrong)
        {
            await RefuseAsync(context, user.Name, StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", wrong);
            return;
        }
        if (cookie)
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                await RefuseAsync(context, user.Name, StatusCodes.Status403Forbidden, "Antiforgery token required",
                    "a request signed in by a session cookie must carry the antiforgery token of that session (header X-CSRF-TOKEN)");
                return;
            }
        }
        await next(context);
    }

    /// <summary>Why the request's origin is not this server's; null when it is, or when it cannot be told (no
    /// <c>Origin</c>, no <c>Sec-Fetch-Site</c>: not a browser, or an old one, which the media type check still covers).</summary>
    string? ForeignOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            if (IsOwnOrigin(origin, request)) return null;
            return $"the request comes from the page of another site (Origin: {Shorten(origin)}); "
                   + "a site that may call Mira from a browser must be listed in --allowed-origin";
        }
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        return site.Equals("cross-site", StringComparison.OrdinalIgnoreCase) || site.Equals("same-site", StringComparison.OrdinalIgnoreCase)
            ? $"the browser reports a request from another site (Sec-Fetch-Site: {Shorten(site)}) without an Origin"
            : null;
    }

    bool IsOwnOrigin(string origin, HttpRequest request)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var o) || o.AbsolutePath != "/" || origin.Equals("null", StringComparison.Ordinal)) return false;
        var candidate = OriginOf(o);
        if (options.PublicBaseUrl is { } publicBase && candidate == OriginOf(publicBase)) return true;
        if (options.AllowedOrigins.Any(a => Uri.TryCreate(a, UriKind.Absolute, out var allowed) && candidate == OriginOf(allowed))) return true;
        // The request's own scheme and host: a browser sends the Host it connected to, and the Origin of the page.
        return Uri.TryCreate($"{request.Scheme}://{request.Host}", UriKind.Absolute, out var own) && candidate == OriginOf(own);
    }

    static string OriginOf(Uri u) => $"{u.Scheme.ToLowerInvariant()}://{u.IdnHost.ToLowerInvariant()}:{u.Port}";

    /// <summary>Why the body's media type is refused; null when it is acceptable (or there is no body to speak of on DELETE).</summary>
    static string? WrongMediaType(HttpRequest request, bool formsAccepted)
    {
        var dicomweb = IsDicomweb(request.Path);
        if (HttpMethods.IsDelete(request.Method) && string.IsNullOrEmpty(request.ContentType)) return null;
        string[] accepted = dicomweb ? [.. DicomMediaTypes] : formsAccepted ? [JsonMediaType, .. FormMediaTypes] : [JsonMediaType];
        // A non-DICOM source file uploaded for conversion (/api/intake/files): application/octet-stream is not one of
        // the CORS-safelisted types, so no other site can send it without a preflight, which Mira never answers.
        if (request.Path.StartsWithSegments(UploadPath, StringComparison.OrdinalIgnoreCase)) accepted = [.. accepted, OctetStream];
        // An annotation read (a NIfTI label map or a DICOM SEG) posted to a task: none of these is CORS-safelisted either.
        if (request.Path.StartsWithSegments(AnnotationTaskPath, StringComparison.OrdinalIgnoreCase)) accepted = [.. accepted, .. AnnotationMediaTypes];
        // A clinician's correction of an AI result (a NIfTI label map), not CORS-safelisted either.
        if (request.Path.StartsWithSegments(ResultPath, StringComparison.OrdinalIgnoreCase)) accepted = [.. accepted, .. AnnotationMediaTypes];
        if (request.Path.Equals(ModelPath, StringComparison.OrdinalIgnoreCase)) accepted = [.. accepted, .. ModelMediaTypes];
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.MediaType.Value is not { } media)
            return $"a Content-Type header is required: {string.Join(", ", accepted)}";
        if (accepted.Contains(media, StringComparer.OrdinalIgnoreCase)) return null;
        return dicomweb
            ? $"'{Shorten(media)}' is not a DICOMweb request media type (PS3.18 §10.5): send {string.Join(", ", accepted)}"
            : $"'{Shorten(media)}' is not accepted: send the body as {string.Join(" or ", accepted.Where(a => !FormMediaTypes.Contains(a)))}";
    }

    /// <summary>The intake DICOMweb service, or a project's (<c>/api/projects/{id}/dicomweb/…</c>, and a source site's way in,
    /// <c>/api/site/projects/{id}/dicomweb/…</c>, docs/sites.md).</summary>
    static bool IsDicomweb(PathString path)
    {
        if (path.StartsWithSegments(DicomwebUrls.Prefix, StringComparison.OrdinalIgnoreCase)) return true;
        if (!path.StartsWithSegments("/api/projects", StringComparison.OrdinalIgnoreCase, out var rest)
            && !path.StartsWithSegments("/api/site/projects", StringComparison.OrdinalIgnoreCase, out rest)) return false;
        var segments = rest.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return segments.Length >= 2 && segments[1].Equals(DicomwebUrls.Prefix[1..], StringComparison.OrdinalIgnoreCase);
    }

    static async Task RefuseAsync(HttpContext context, string actor, int status, string title, string detail)
    {
        var archive = context.RequestServices.GetRequiredService<MiraPlatform>();
        await archive.Audit.AppendAsync(new AuditEntry(actor, AuditActions.RequestForgeryRefused,
            $"{context.Request.Method} {context.Request.Path}", context.Connection.RemoteIpAddress?.ToString(), AuditOutcome.Denied,
            JsonSerializer.Serialize(new { reason = detail })), CancellationToken.None);
        await Problems.Write(context, status, title, detail);
    }

    static string Shorten(string s) => s.Length > 100 ? s[..100] + "…" : s;
}
