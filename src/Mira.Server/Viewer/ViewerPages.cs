using System.Net;
using Microsoft.AspNetCore.Http;

namespace Mira.Server.Viewer;

/// <summary>The plain HTML pages of the viewer routes: the viewer is not installed, a study may not be opened, a bad request.</summary>
public static class ViewerPages
{
    /// <summary>503: no viewer files were found; says where Mira looked and how to install them.</summary>
    public static IResult NotInstalled(IReadOnlyList<string> lookedIn) => Page(StatusCodes.Status503ServiceUnavailable, "The image viewer is not installed",
        "<p>Mira serves the OHIF Viewer (npm package <code>@ohif/app</code> 3.13.2), which the build fetches with npm. "
        + "It was not found in: " + string.Join(", ", lookedIn.Select(p => $"<code>{E(p)}</code>")) + ".</p>"
        + "<p>To install it: build Mira on a machine with <code>npm</code> (and the package in npm's cache or the registry in reach), "
        + "or unpack the package's <code>dist</code> folder anywhere and start <code>mira serve --viewer-dir DIR</code> "
        + "(or set <code>MIRA_VIEWER=DIR</code>). See docs/viewer.md.</p>");

    /// <summary>403: the user may not open this study in this zone (audited by the caller).</summary>
    public static IResult Refused(string detail) => Page(StatusCodes.Status403Forbidden, "You may not open this study", $"<p>{E(detail)}</p>");

    public static IResult NotFound(string detail) => Page(StatusCodes.Status404NotFound, "Not found", $"<p>{E(detail)}</p>");

    public static IResult BadRequest(string detail) => Page(StatusCodes.Status400BadRequest, "Bad request", $"<p>{E(detail)}</p>");

    static IResult Page(int status, string title, string body) => Results.Content(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(title)} · Mira</title>"
        + "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:50em}</style></head>"
        + $"<body><h1>{E(title)}</h1>{body}<p><a href=\"/\">Mira</a></p></body></html>",
        "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    static string E(string s) => WebUtility.HtmlEncode(s);
}
