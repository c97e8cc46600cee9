using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Json;
using Mira.Server.Security;
using Mira.Storage.Index;
using Mira.Storage.Security;

namespace Mira.Server.Dicomweb;

/// <summary>
/// WADO-RS (PS3.18 §10.4): studies, series and instances as <c>multipart/related; type="application/dicom"</c>
/// with the stored bytes unchanged (original transfer syntax); their metadata as <c>application/dicom+json</c>.
/// Also DELETE of a study (administrators): index rows first, then blobs.
/// </summary>
public static class WadoEndpoints
{
    public static void Map(RouteGroupBuilder g)
    {
        var retrieve = new PatientDataAccess("wado.retrieve", PatientDataAccess.IdentifiedData);
        var metadata = new PatientDataAccess("wado.metadata", PatientDataAccess.IdentifiedData);
        g.MapGet("/studies/{study}", (HttpContext h, Archive a, string study) => Retrieve(h, a, study, null, null)).AddEndpointFilter(retrieve);
        g.MapGet("/studies/{study}/series/{series}", (HttpContext h, Archive a, string study, string series) =>
            Retrieve(h, a, study, series, null)).AddEndpointFilter(retrieve);
        g.MapGet("/studies/{study}/series/{series}/instances/{instance}", (HttpContext h, Archive a, string study, string series, string instance) =>
            Retrieve(h, a, study, series, instance)).AddEndpointFilter(retrieve);
        g.MapGet("/studies/{study}/metadata", (HttpContext h, Archive a, string study) => Metadata(h, a, study, null, null)).AddEndpointFilter(metadata);
        g.MapGet("/studies/{study}/series/{series}/metadata", (HttpContext h, Archive a, string study, string series) =>
            Metadata(h, a, study, series, null)).AddEndpointFilter(metadata);
        g.MapGet("/studies/{study}/series/{series}/instances/{instance}/metadata", (HttpContext h, Archive a, string study, string series, string instance) =>
            Metadata(h, a, study, series, instance)).AddEndpointFilter(metadata);
        g.MapDelete("/studies/{study}", (HttpContext h, Archive a, string study) => DeleteStudy(h, a, study))
            .AddEndpointFilter(new PatientDataAccess("dicomweb.delete", [Roles.Admin]));
    }

    /// <summary>The stored instances of a study, series or single instance, in index order (one index query).</summary>
    public static async Task<IReadOnlyList<StoredInstance>> FindAsync(Archive archive, string study, string? series, string? instance, CancellationToken ct)
    {
        if (instance is null) return await archive.Index.FindInstancesAsync(study, series, ct);
        var one = await archive.Index.FindInstanceAsync(instance, ct);
        return one is not null && one.StudyInstanceUid == study && (series is null || one.SeriesInstanceUid == series) ? [one] : [];
    }

    static string Describe(string study, string? series, string? instance) =>
        instance is not null ? $"instance {instance} of series {series} in study {study}"
        : series is not null ? $"series {series} in study {study}" : $"study {study}";

    static async Task<IResult> Retrieve(HttpContext http, Archive archive, string study, string? series, string? instance)
    {
        if (!AcceptsDicom(http.Request))
            return Problems.Result(StatusCodes.Status406NotAcceptable, "Not Acceptable",
                "this resource is served as multipart/related; type=\"application/dicom\" (original transfer syntax)");
        var found = await FindAsync(archive, study, series, instance, http.RequestAborted);
        if (found.Count == 0) return Problems.NotFound($"no {Describe(study, series, instance)}");
        return new MultipartDicomResult(archive.Blobs, found);
    }

    /// <summary>True unless the Accept header names only media types other than DICOM / multipart / anything.</summary>
    static bool AcceptsDicom(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        if (string.IsNullOrWhiteSpace(accept)) return true;
        foreach (var range in accept.Split(','))
        {
            var r = range.Trim().ToLowerInvariant();
            if (r.StartsWith("*/*") || r.StartsWith("multipart/*") || r.StartsWith("application/*")) return true;
            if (r.StartsWith("multipart/related") && (!r.Contains("type=") || r.Contains("application/dicom\"") || r.Contains("type=application/dicom;")
                                                      || r.EndsWith("type=application/dicom") || r.Contains("type=\"application/dicom;")))
                return !r.Contains("transfer-syntax=") || r.Contains("transfer-syntax=*");
            if (r.StartsWith("application/dicom") && !r.StartsWith("application/dicom+")) return true;
        }
        return false;
    }

    static async Task<IResult> Metadata(HttpContext http, Archive archive, string study, string? series, string? instance)
    {
        var found = await FindAsync(archive, study, series, instance, http.RequestAborted);
        if (found.Count == 0) return Problems.NotFound($"no {Describe(study, series, instance)}");
        var datasets = new List<DicomDataset>(found.Count);
        foreach (var si in found)
        {
            await using var blob = archive.Blobs.OpenRead(si.BlobKey);
            using var ms = new MemoryStream();
            await blob.CopyToAsync(ms, http.RequestAborted);
            datasets.Add(DicomFile.Read(ms.ToArray(), DicomReadOptions.Untrusted with { StopBeforePixelData = true }).Dataset);
        }
        // Bulk data (Pixel Data and large binary values) is left out of the metadata in this slice (no BulkDataURI
        // retrieval yet); see docs/conformance/dicomweb.md.
        var options = new DicomJsonWriteOptions { BulkDataUri = null };
        foreach (var ds in datasets) ds.RemoveAll(e => e is DicomFragmentSequence || (!DicomVRInfo.IsString(e.VR) && e.Length > 4096 && e.VR != DicomVR.SQ));
        return DicomJsonResult.Array(datasets, options);
    }

    static async Task<IResult> DeleteStudy(HttpContext http, Archive archive, string study)
    {
        var found = await FindAsync(archive, study, null, null, http.RequestAborted);
        if (found.Count == 0) return Problems.NotFound($"no study {study}");
        foreach (var si in found)
        {
            await archive.Index.RemoveInstanceAsync(si.SopInstanceUid, CancellationToken.None);
            if (!await archive.Index.IsBlobReferencedAsync(si.BlobKey, CancellationToken.None)) archive.Blobs.Delete(si.BlobKey);
        }
        return Results.NoContent();
    }
}
