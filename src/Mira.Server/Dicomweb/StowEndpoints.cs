using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;
using Mira.Server.Security;

namespace Mira.Server.Dicomweb;

/// <summary>
/// STOW-RS (PS3.18 §10.5): <c>POST /studies</c> and <c>POST /studies/{study}</c> with a
/// <c>multipart/related; type="application/dicom"</c> body (one PS3.10 object per part) or a single
/// <c>application/dicom</c> body. Parts go through an <see cref="IntakeSession"/> in batches, each parsed once; the response is a
/// Store Instances Response Module data set (<c>application/dicom+json</c>). A request of more than
/// <see cref="ServerOptions.MaxStowParts"/> parts is answered 413 once the next part begins, without reading the rest, so
/// the response (one item per part) and the work stay bounded.
/// </summary>
public static class StowEndpoints
{
    const string Dicom = "application/dicom";
    /// <summary>A batch is handed to the ingest pipeline at <c>IngestService.BatchSize</c> parts or this many bytes.</summary>
    const long BatchBytes = 32L << 20;

    /// <summary>Batches being stored at once for one request (memory: about this many batches, plus the one being read).</summary>
    const int StoringBatches = 2;

    public static void Map(RouteGroupBuilder dicomweb)
    {
        dicomweb.MapPost("/studies", (HttpContext http, MiraPlatform a, ServerOptions o) => StoreAsync(http, o, IntakeTarget(http, a), null))
            .AddEndpointFilter(new PatientDataAccess(AuditActions.StowStore, PatientDataAccess.IdentifiedData));
        // A task performer may store results into the input study of a work item it holds (Workitems.WorkitemInputAccess).
        dicomweb.MapPost("/studies/{study}", (HttpContext http, MiraPlatform a, ServerOptions o, string study) => StoreAsync(http, o, IntakeTarget(http, a), study))
            .AddEndpointFilter(new Workitems.WorkitemInputAccess(AuditActions.StowStore,
                new PatientDataAccess(AuditActions.StowStore, PatientDataAccess.IdentifiedData), store: true));
    }

    /// <summary>The intake archive: an <see cref="IntakeSession"/> (ingest, then the after-store steps: project rules).</summary>
    static StowTarget IntakeTarget(HttpContext http, MiraPlatform archive)
    {
        var uploader = MiraAuthentication.UserOf(http)?.Name;
        var source = new IngestSource("stow-rs", http.Connection.RemoteIpAddress?.ToString(), uploader);
        // The HTTP access filter audits the request (stow.store), so the session itself writes no audit record.
        var session = archive.Intake.Begin(new IntakeContext(source, uploader ?? "anonymous", Uploader: uploader,
            Client: http.Connection.RemoteIpAddress?.ToString()));
        return new StowTarget(archive.Ingest, source, DicomwebUrls.Base(http.Request), session.StoreAsync);
    }

    sealed record Part(ReadOnlyMemory<byte> Data, StoreResult? Refusal, IDisposable? Owner);

    /// <summary>
    /// Parses a batch's parts, each once and in parallel (<see cref="IncomingInstance.Parse"/>), applies the target study
    /// rule to that parse, and hands them to the target (the intake: ingest, then the after-store steps, project rules).
    /// </summary>
    static async Task<IReadOnlyList<StoreResult>> StoreBatchAsync(StowTarget target, List<Part> batch, string? study, CancellationToken ct)
    {
        var source = target.Source;
        var toParse = batch.Where(p => p.Refusal is null).Select(p => p.Data).ToList();
        var parsed = target.Ingest.Parse(toParse, _ => source, ct);
        var k = 0;
        var incoming = batch.Select(p => p.Refusal is { } refused ? IncomingInstance.Refused(p.Data, source, refused) : parsed[k++]).ToList();
        if (study is not null)
            foreach (var i in incoming) i.RequireStudy(study);
        return await target.Store(incoming, ct);
    }

    /// <summary>
    /// Reads a STOW-RS request and hands its parts, parsed once, to <paramref name="target"/> in batches; answers the
    /// Store Instances Response. Used for the intake (<c>/dicomweb/studies</c>) and for a project's annotation objects
    /// (<see cref="ProjectStowEndpoints"/>).
    /// </summary>
    internal static async Task<IResult> StoreAsync(HttpContext http, ServerOptions options, StowTarget target, string? study)
    {
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType))
            return Unsupported("a Content-Type header is required");
        var results = new List<StoreResult>();
        var pending = new List<Part>();
        long pendingBytes = 0;

        // Batches are stored while the next is read from the request, up to StoringBatches at once (so parsing one
        // batch overlaps the disk flush of the one before); results are collected in request order.
        var storing = new Queue<Task<IReadOnlyList<StoreResult>>>();

        async Task<IReadOnlyList<StoreResult>> Store(List<Part> batch)
        {
            try
            {
                return await StoreBatchAsync(target, batch, study, http.RequestAborted);
            }
            finally
            {
                foreach (var p in batch) p.Owner?.Dispose(); // the parts' pooled buffers go back once the batch is stored
            }
        }

        void Release()
        {
            foreach (var p in pending) p.Owner?.Dispose();
            pending.Clear();
        }

        async Task Drain(int keep)
        {
            while (storing.Count > keep) results.AddRange(await storing.Dequeue());
        }

        async Task Flush()
        {
            if (pending.Count == 0) return;
            var batch = pending.ToList();
            pending.Clear();
            pendingBytes = 0;
            await Drain(StoringBatches - 1);
            storing.Enqueue(Task.Run(() => Store(batch)));
        }

        var parts = 0;
        async Task Add(ReadOnlyMemory<byte> data, string? partType, IDisposable? owner = null)
        {
            if (++parts > options.MaxStowParts)
            {
                owner?.Dispose();
                throw new TooManyPartsException();
            }
            pending.Add(new Part(data, CheckMediaType(partType), owner));
            pendingBytes += data.Length;
            if (pending.Count >= target.Ingest.BatchSize || pendingBytes >= BatchBytes) await Flush();
        }

        try
        {
            if (contentType.MediaType.Equals(Dicom, StringComparison.OrdinalIgnoreCase))
                await Add(await ReadAllAsync(http.Request.Body, options.MaxPartBytes, http.RequestAborted), Dicom);
            else if (contentType.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
            {
                var type = HeaderUtilities.RemoveQuotes(contentType.Parameters.FirstOrDefault(p => p.Name.Equals("type", StringComparison.OrdinalIgnoreCase))?.Value ?? default);
                if (type.HasValue && !type.Equals(Dicom, StringComparison.OrdinalIgnoreCase))
                    return Unsupported($"only type=\"{Dicom}\" parts are accepted, not \"{type}\"");
                var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
                if (string.IsNullOrEmpty(boundary)) return Problems.BadRequest("the multipart/related Content-Type has no boundary");
                var reader = new MultipartRelatedReader(http.Request.BodyReader, boundary, options.MaxPartBytes);
                while (await reader.ReadNextAsync(http.RequestAborted) is { } part)
                    await Add(part.Data, part.ContentType, part.Owner);
            }
            else return Unsupported($"'{contentType.MediaType}' is not accepted; send multipart/related; type=\"{Dicom}\" or {Dicom}");
            await Flush();
            await Drain(0);
        }
        catch (InvalidDataException e)
        {
            await Drain(0); // parts already handed to the ingest pipeline finish (and stay stored) before answering
            Release();
            return Problems.Result(StatusCodes.Status400BadRequest, "Bad Request", "malformed or oversized multipart body: " + e.Message);
        }
        catch (BadHttpRequestException e)
        {
            await Drain(0);
            Release();
            return Problems.Result(e.StatusCode, "Bad Request", e.Message);
        }
        catch (TooManyPartsException)
        {
            // The parts read so far are stored (as they would have been had the request ended there); the rest of the body
            // is not read: the answer is the same whatever it holds, and reading it is the attack.
            await Flush();
            await Drain(0);
            Release();
            var kept = results.Count(r => r.IsSuccess);
            return Problems.Result(StatusCodes.Status413PayloadTooLarge, "Too many parts",
                $"a STOW-RS request may carry at most {options.MaxStowParts} parts; this one has more. The first {options.MaxStowParts} parts were "
                + $"processed ({kept} instance(s) stored or already stored, {results.Count - kept} refused) and the rest was not read: send at most "
                + $"{options.MaxStowParts} parts per request (a resent instance is answered 'already stored').");
        }
        if (results.Count == 0) return Problems.BadRequest("the request carried no DICOM part");

        var studies = results.Where(r => r.Instance is not null).Select(r => r.Instance!.StudyInstanceUid).Distinct().ToList();
        if (study is null && studies.Count > 0) http.Items[PatientDataAccess.ResourceKey] = string.Join(",", studies);
        return Response(http, target.BaseUrl, results, study ?? (studies.Count == 1 ? studies[0] : null));
    }

    /// <summary>
    /// Where a STOW-RS request's parts go: the ingest service that parses them (its limits and batch size), the source
    /// recorded with them, the base URL of the Retrieve URLs answered, and what stores a parsed batch (results in
    /// input order; a part already refused carries its refusal).
    /// </summary>
    internal sealed record StowTarget(IngestService Ingest, IngestSource Source, string BaseUrl,
        Func<IReadOnlyList<IncomingInstance>, CancellationToken, Task<IReadOnlyList<StoreResult>>> Store);

    /// <summary>A request with more parts than <see cref="ServerOptions.MaxStowParts"/>.</summary>
    sealed class TooManyPartsException : Exception;

    /// <summary>Refuses a part before parsing when its media type is not application/dicom.</summary>
    static StoreResult? CheckMediaType(string? partType) =>
        partType is not null && MediaTypeHeaderValue.TryParse(partType, out var pt) && !pt.MediaType.Equals(Dicom, StringComparison.OrdinalIgnoreCase)
            ? StoreResult.Refuse(StoreRefusal.MediaType, StoreStatus.CannotUnderstand, $"part media type '{pt.MediaType}' is not {Dicom}")
            : null;

    static IResult Response(HttpContext http, string baseUrl, List<StoreResult> results, string? study)
    {
        var response = new DicomDataset();
        if (study is not null) response.Set(DicomTags.RetrieveURL, $"{baseUrl}/studies/{study}");
        var failed = new DicomSequence(DicomTags.FailedSOPSequence);
        var referenced = new DicomSequence(DicomTags.ReferencedSOPSequence);
        foreach (var r in results)
        {
            var item = new DicomDataset();
            if (r.SopClassUid is not null) item.Set(DicomTags.ReferencedSOPClassUID, r.SopClassUid);
            if (r.SopInstanceUid is not null) item.Set(DicomTags.ReferencedSOPInstanceUID, r.SopInstanceUid);
            if (r.IsSuccess && r.Instance is { } i)
            {
                item.Set(DicomTags.RetrieveURL, $"{baseUrl}/studies/{i.StudyInstanceUid}/series/{i.SeriesInstanceUid}/instances/{i.SopInstanceUid}");
                referenced.Items.Add(item);
            }
            else
            {
                item.Set(new DicomElement(DicomTags.FailureReason, DicomVR.US, DicomBinary.ToBytes<ushort>([r.Status])));
                failed.Items.Add(item);
            }
        }
        if (failed.Items.Count > 0) response.Set(failed);
        if (referenced.Items.Count > 0) response.Set(referenced);
        foreach (var r in results.Where(r => r.Reason is not null && (r.HasWarning || !r.IsSuccess)).Take(20))
            http.Response.Headers.Append("Warning", $"299 mira \"{Sanitize($"{r.SopInstanceUid ?? "part"}: 0x{r.Status:X4} {r.Reason}")}\"");
        var status = referenced.Items.Count == 0 ? StatusCodes.Status409Conflict
            : failed.Items.Count > 0 || results.Any(r => r.HasWarning) ? StatusCodes.Status202Accepted
            : StatusCodes.Status200OK;
        return new DicomJsonResult(response, status);
    }

    static string Sanitize(string s)
    {
        var clean = new string(s.Select(c => c is '"' or '\\' || char.IsControl(c) || c > 126 ? '\'' : c).ToArray());
        return clean.Length > 300 ? clean[..300] : clean;
    }

    static IResult Unsupported(string detail) => Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", detail);

    static async Task<ReadOnlyMemory<byte>> ReadAllAsync(Stream body, long limit, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (ms.Length + n > limit) throw new InvalidDataException($"a part is larger than {limit} bytes");
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }
}
