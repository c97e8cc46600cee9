using System.Globalization;
using System.Net;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Server.Security;
using Mira.Storage.Query;
using Mira.Storage.Security;

namespace Mira.Server;

/// <summary>
/// <c>GET /</c>: a minimal HTML status page for signed-in users: counts of studies, series and instances and, for
/// stewards and admins (identified data, audited as <c>status.view</c>), the most recently stored studies.
/// </summary>
public static class StatusPage
{
    public static async Task<IResult> Render(HttpContext http, MiraPlatform archive)
    {
        var user = MiraAuthentication.UserOf(http)!;
        long studies, series, instances;
        await using (var c = await archive.Database.OpenAsync(http.RequestAborted))
        {
            studies = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM studies");
            series = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM series");
            instances = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM instances");
        }
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Mira</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.2em .8em;border-bottom:1px solid #ccc;text-align:left}</style>")
            .Append("</head><body><h1>Mira archive</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>Signed in as <b>{E(user.Name)}</b> ({E(string.Join(", ", user.Roles))}).</p>")
            .Append(CultureInfo.InvariantCulture, $"<table><tr><th>Studies</th><td id=\"studies\">{studies}</td></tr><tr><th>Series</th><td id=\"series\">{series}</td></tr><tr><th>Instances</th><td id=\"instances\">{instances}</td></tr></table>");
        if (PatientDataAccess.IdentifiedData.Any(user.IsInRole))
        {
            var total = (int)Math.Min(studies, int.MaxValue);
            var recent = await archive.Index.QueryStudiesAsync(new QidoQuery { Offset = Math.Max(0, total - 10), Limit = 10 }, http.RequestAborted);
            await archive.Audit.AppendAsync(new AuditEntry(user.Name, AuditActions.StatusView, "recent studies", http.Connection.RemoteIpAddress?.ToString()));
            html.Append("<h2>Recent studies</h2><table><tr><th>Patient</th><th>Date</th><th>Description</th><th>Modalities</th><th>Instances</th><th>Study Instance UID</th></tr>");
            foreach (var s in recent.Reverse())
                html.Append("<tr>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{E(s.GetString(DicomTags.PatientName))}</td><td>{E(s.GetString(DicomTags.StudyDate))}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{E(s.GetString(DicomTags.StudyDescription))}</td><td>{E(string.Join(",", s.GetStrings(DicomTags.ModalitiesInStudy)))}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{E(s.GetString(DicomTags.NumberOfStudyRelatedInstances))}</td><td><a href=\"{E(Viewer.ViewerEndpoints.StudyLink(s.GetString(DicomTags.StudyInstanceUID) ?? ""))}\">{E(s.GetString(DicomTags.StudyInstanceUID))}</a></td></tr>");
            html.Append("</table>");
        }
        html.Append("<p><a href=\"/openapi.json\">OpenAPI description</a> · DICOMweb at <code>/dicomweb</code></p></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
}
