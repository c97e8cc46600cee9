using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Server.Security;
using Mira.Storage.Query;

namespace Mira.Server.Dicomweb;

/// <summary>
/// QIDO-RS (PS3.18 §10.6): search for studies, series and instances, at the top level and relative to a study or
/// series. Results are an <c>application/dicom+json</c> array with a RetrieveURL per result; no match is
/// <c>204 No Content</c>. Matching keys the index cannot match on are ignored with a <c>Warning: 299</c> header.
/// </summary>
public static class QidoEndpoints
{
    public static void Map(RouteGroupBuilder g)
    {
        var access = new PatientDataAccess("qido.search", PatientDataAccess.IdentifiedData);
        g.MapGet("/studies", (HttpContext h, Archive a) =>
            Search(h, QidoLevel.Study, (q, ct) => a.Index.QueryStudiesAsync(q, ct))).AddEndpointFilter(access);
        g.MapGet("/series", (HttpContext h, Archive a) =>
            Search(h, QidoLevel.Series, (q, ct) => a.Index.QuerySeriesAsync(q, null, ct))).AddEndpointFilter(access);
        g.MapGet("/instances", (HttpContext h, Archive a) =>
            Search(h, QidoLevel.Instance, (q, ct) => a.Index.QueryInstancesAsync(q, null, null, ct))).AddEndpointFilter(access);
        g.MapGet("/studies/{study}/series", (HttpContext h, Archive a, string study) =>
            Search(h, QidoLevel.Series, (q, ct) => a.Index.QuerySeriesAsync(q, study, ct))).AddEndpointFilter(access);
        g.MapGet("/studies/{study}/instances", (HttpContext h, Archive a, string study) =>
            Search(h, QidoLevel.Instance, (q, ct) => a.Index.QueryInstancesAsync(q, study, null, ct))).AddEndpointFilter(access);
        g.MapGet("/studies/{study}/series/{series}/instances", (HttpContext h, Archive a, string study, string series) =>
            Search(h, QidoLevel.Instance, (q, ct) => a.Index.QueryInstancesAsync(q, study, series, ct))).AddEndpointFilter(access);
    }

    static async Task<IResult> Search(HttpContext http, QidoLevel level,
        Func<QidoQuery, CancellationToken, Task<IReadOnlyList<DicomDataset>>> query)
    {
        QidoQuery q;
        try
        {
            q = QidoQuery.Parse(http.Request.QueryString.Value ?? "");
        }
        catch (QidoQueryException e)
        {
            return Problems.BadRequest(e.Message);
        }
        foreach (var m in q.Matches.Where(m => QidoAttributes.Find(m.Path) is not { } a || a.Level > level))
            http.Response.Headers.Append("Warning",
                $"299 mira \"The matching key {string.Join('.', m.Path.Select(t => t.ToJsonKey()))} is not supported and was ignored\"");
        IReadOnlyList<DicomDataset> results;
        try
        {
            results = await query(q, http.RequestAborted);
        }
        catch (QidoQueryException e)
        {
            return Problems.BadRequest(e.Message);
        }
        if (results.Count == 0) return Results.StatusCode(StatusCodes.Status204NoContent);
        var baseUrl = DicomwebUrls.Base(http.Request);
        foreach (var ds in results)
        {
            var study = ds.GetString(DicomTags.StudyInstanceUID) ?? http.Request.RouteValues["study"] as string;
            var series = ds.GetString(DicomTags.SeriesInstanceUID) ?? http.Request.RouteValues["series"] as string;
            var sop = ds.GetString(DicomTags.SOPInstanceUID);
            var url = level switch
            {
                QidoLevel.Study => $"{baseUrl}/studies/{study}",
                QidoLevel.Series => $"{baseUrl}/studies/{study}/series/{series}",
                _ => $"{baseUrl}/studies/{study}/series/{series}/instances/{sop}",
            };
            if (study is not null) ds.Set(DicomTags.RetrieveURL, url);
        }
        return DicomJsonResult.Array(results);
    }
}
