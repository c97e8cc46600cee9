using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Storage.Index;
using Mira.Storage.Query;

namespace Mira.Server.Dicomweb;

/// <summary>
/// QIDO-RS (PS3.18 §10.6): search for studies, series and instances, at the top level and relative to a study or
/// series. Results are an <c>application/dicom+json</c> array with a RetrieveURL per result; no match is
/// <c>204 No Content</c>. Matching keys the index cannot match on are ignored with a <c>Warning: 299</c> header.
/// </summary>
public static class QidoEndpoints
{
    /// <summary>Maps the searches on <paramref name="routes"/>' source (the intake archive, or a project's).</summary>
    public static void Map(RouteGroupBuilder g, DicomwebRoutes routes)
    {
        var access = routes.Access(AuditActions.QidoSearch);
        // Typed as Delegate: a bare (HttpContext) => Task<IResult> lambda would bind as a RequestDelegate and drop its result.
        Delegate All(QidoLevel level, Func<IIndexStore, QidoQuery, CancellationToken, Task<IReadOnlyList<DicomDataset>>> query) =>
            (HttpContext h) => Search(h, routes.Source(h), level, query);
        g.MapGet("/studies", All(QidoLevel.Study, (i, q, ct) => i.QueryStudiesAsync(q, ct))).AddEndpointFilter(access);
        g.MapGet("/series", All(QidoLevel.Series, (i, q, ct) => i.QuerySeriesAsync(q, null, ct))).AddEndpointFilter(access);
        g.MapGet("/instances", All(QidoLevel.Instance, (i, q, ct) => i.QueryInstancesAsync(q, null, null, ct))).AddEndpointFilter(access);
        g.MapGet("/studies/{study}/series", (HttpContext h, string study) =>
            Search(h, routes.Source(h), QidoLevel.Series, (i, q, ct) => i.QuerySeriesAsync(q, study, ct))).AddEndpointFilter(access);
        g.MapGet("/studies/{study}/instances", (HttpContext h, string study) =>
            Search(h, routes.Source(h), QidoLevel.Instance, (i, q, ct) => i.QueryInstancesAsync(q, study, null, ct))).AddEndpointFilter(access);
        g.MapGet("/studies/{study}/series/{series}/instances", (HttpContext h, string study, string series) =>
            Search(h, routes.Source(h), QidoLevel.Instance, (i, q, ct) => i.QueryInstancesAsync(q, study, series, ct))).AddEndpointFilter(access);
    }

    static async Task<IResult> Search(HttpContext http, DicomwebSource source, QidoLevel level,
        Func<IIndexStore, QidoQuery, CancellationToken, Task<IReadOnlyList<DicomDataset>>> query)
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
            results = await query(source.Index, q, http.RequestAborted);
        }
        catch (QidoQueryException e)
        {
            return Problems.BadRequest(e.Message);
        }
        if (results.Count == 0) return Results.StatusCode(StatusCodes.Status204NoContent);
        var baseUrl = source.BaseUrl;
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
