using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Microsoft.AspNetCore.Mvc;
using Mira.Server.Security;
using Mira.Storage.Index;
using Mira.Storage.Security;

namespace Mira.Server.Dicomweb;

/// <summary>
/// WADO-RS (PS3.18 §10.4): studies, series and instances as <c>multipart/related; type="application/dicom"</c>, the
/// stored bytes unchanged unless the Accept header asks for another transfer syntax (<c>transfer-syntax=</c>, PS3.18
/// §8.7.3.5.2), which <see cref="ITransferSyntaxConverter"/> produces or refuses (406); their metadata as
/// <c>application/dicom+json</c> with BulkDataURIs; frames and bulk data (<see cref="WadoBulkDataEndpoints"/>).
/// Also DELETE of a study (administrators): index rows first, then blobs.
/// </summary>
public static class WadoEndpoints
{
    /// <summary>The intake archive: every retrieval resource, and DELETE of a study (administrators).</summary>
    public static void Map(RouteGroupBuilder g)
    {
        MapRetrieval(g, DicomwebRoutes.Intake);
        g.MapDelete("/studies/{study}", (HttpContext h, MiraPlatform a, string study) => DeleteStudy(h, a, study))
            .AddEndpointFilter(new PatientDataAccess(AuditActions.DicomwebDelete, [Roles.Admin]));
    }

    /// <summary>
    /// Every WADO-RS resource (instances, metadata, frames, bulk data, rendered, thumbnails) on
    /// <paramref name="routes"/>' source: the intake archive, or a research project's own archive.
    /// </summary>
    public static void MapRetrieval(RouteGroupBuilder g, DicomwebRoutes routes)
    {
        var retrieve = routes.Access(AuditActions.WadoRetrieve);
        var metadata = routes.Access(AuditActions.WadoMetadata);
        g.MapGet("/studies/{study}", (HttpContext h, [FromServices] ITransferSyntaxConverter c, string study) =>
            Retrieve(h, routes.Source(h), c, study, null, null)).AddEndpointFilter(retrieve);
        g.MapGet("/studies/{study}/series/{series}", (HttpContext h, [FromServices] ITransferSyntaxConverter c, string study, string series) =>
            Retrieve(h, routes.Source(h), c, study, series, null)).AddEndpointFilter(retrieve);
        g.MapGet("/studies/{study}/series/{series}/instances/{instance}", (HttpContext h, [FromServices] ITransferSyntaxConverter c,
            string study, string series, string instance) => Retrieve(h, routes.Source(h), c, study, series, instance)).AddEndpointFilter(retrieve);
        g.MapGet("/studies/{study}/metadata", (HttpContext h, string study) =>
            Metadata(h, routes.Source(h), study, null, null)).AddEndpointFilter(metadata);
        g.MapGet("/studies/{study}/series/{series}/metadata", (HttpContext h, string study, string series) =>
            Metadata(h, routes.Source(h), study, series, null)).AddEndpointFilter(metadata);
        g.MapGet("/studies/{study}/series/{series}/instances/{instance}/metadata", (HttpContext h, string study, string series, string instance) =>
            Metadata(h, routes.Source(h), study, series, instance)).AddEndpointFilter(metadata);
        WadoBulkDataEndpoints.Map(g, routes, retrieve);
        WadoRenderedEndpoints.Map(g, routes);
    }

    const string DicomMediaType = "application/dicom";

    /// <summary>The stored instances of a study, series or single instance, in index order (one index query).</summary>
    public static async Task<IReadOnlyList<StoredInstance>> FindAsync(IIndexStore index, string study, string? series, string? instance, CancellationToken ct)
    {
        if (instance is null) return await index.FindInstancesAsync(study, series, ct);
        var one = await index.FindInstanceAsync(instance, ct);
        return one is not null && one.StudyInstanceUid == study && (series is null || one.SeriesInstanceUid == series) ? [one] : [];
    }

    static string Describe(string study, string? series, string? instance) =>
        instance is not null ? $"instance {instance} of series {series} in study {study}"
        : series is not null ? $"series {series} in study {study}" : $"study {study}";

    static async Task<IResult> Retrieve(HttpContext http, DicomwebSource source, ITransferSyntaxConverter converter, string study, string? series, string? instance)
    {
        var ranges = AcceptedMediaType.Parse(http.Request.Headers.Accept).Where(a => a.Matches(DicomMediaType)).ToList();
        if (ranges.Count == 0)
            return Problems.Result(StatusCodes.Status406NotAcceptable, "Not Acceptable",
                $"this resource is served as multipart/related; type=\"{DicomMediaType}\" (stored transfer syntax, or another one asked for with transfer-syntax=)");
        var found = await FindAsync(source.Index, study, series, instance, http.RequestAborted);
        if (found.Count == 0) return Problems.NotFound($"no {Describe(study, series, instance)}");
        string? refusal = null;
        foreach (var range in ranges)
        {
            if (range.AnySyntax) return new MultipartDicomResult(source.Blobs, found);
            var target = TransferSyntax.Lookup(range.TransferSyntax!);
            var cannot = found.FirstOrDefault(si => !converter.CanConvert(StoredObjects.SyntaxOf(si), target));
            if (cannot is null) return new MultipartDicomResult(source.Blobs, found, target, converter);
            refusal ??= $"instance {cannot.SopInstanceUid} is stored in {StoredObjects.SyntaxOf(cannot)} and cannot be delivered in "
                        + $"{target} (no codec for its Pixel Data); ask for transfer-syntax={StoredObjects.SyntaxOf(cannot).Uid} or transfer-syntax=*";
        }
        return Problems.Result(StatusCodes.Status406NotAcceptable, "Not Acceptable", refusal!);
    }

    /// <summary>
    /// Metadata (PS3.18 §10.4.1.1.2) read from the stored objects, with Pixel Data and other bulk values replaced by
    /// BulkDataURIs pointing at <c>…/bulkdata/{path}</c> (<see cref="BulkDataPath"/>), nested values included. The array
    /// is written instance by instance (<see cref="DicomJsonStreamResult{T}"/>): a study of thousands of instances costs
    /// the memory of one.
    /// </summary>
    static async Task<IResult> Metadata(HttpContext http, DicomwebSource source, string study, string? series, string? instance)
    {
        var found = await FindAsync(source.Index, study, series, instance, http.RequestAborted);
        if (found.Count == 0) return Problems.NotFound($"no {Describe(study, series, instance)}");
        var baseUrl = source.BaseUrl;
        return new DicomJsonStreamResult<StoredInstance>(found, (si, ct) =>
        {
            var ds = StoredObjects.ReadForMetadata(source.Blobs, si).Dataset;
            BulkDataPath.ReplaceWithUris(ds, $"{baseUrl}/studies/{si.StudyInstanceUid}/series/{si.SeriesInstanceUid}/instances/{si.SopInstanceUid}");
            return Task.FromResult(ds);
        });
    }

    static async Task<IResult> DeleteStudy(HttpContext http, MiraPlatform archive, string study)
    {
        var found = await FindAsync(archive.Index, study, null, null, http.RequestAborted);
        if (found.Count == 0) return Problems.NotFound($"no study {study}");
        foreach (var si in found)
        {
            await archive.Index.RemoveInstanceAsync(si.SopInstanceUid, CancellationToken.None);
            if (!await archive.Index.IsBlobReferencedAsync(si.BlobKey, CancellationToken.None)) archive.Blobs.Delete(si.BlobKey);
        }
        return Results.NoContent();
    }
}
