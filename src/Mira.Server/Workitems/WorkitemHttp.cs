using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Dicom.Json;
using Mira.Platform.Workitems;
using Mira.Server.Dicomweb;
using Mira.Server.Security;
using Mira.Storage.Query;

namespace Mira.Server.Workitems;

/// <summary>What the UPS-RS endpoints share: the caller as a <see cref="WorkitemActor"/>, bodies read with limits, refusals as problems.</summary>
static class WorkitemHttp
{
    /// <summary>The largest work item body read (a DICOM JSON data set); larger ones are answered 413 unread.</summary>
    public const int MaxBodyBytes = 1 << 20;

    public static WorkitemActor Actor(HttpContext h)
    {
        var user = MiraAuthentication.UserOf(h) ?? throw new InvalidOperationException("the authentication middleware did not run");
        return new WorkitemActor(user.Name, [.. Roles.All.Where(user.IsInRole)], h.Connection.RemoteIpAddress?.ToString());
    }

    /// <summary>A refusal as a problem: 400, 403, 404 or 409 with the service's message (naming the item and the states).</summary>
    public static IResult Problem(WorkitemRefusedException e) => e.Kind switch
    {
        WorkitemRefusalKind.NotFound => Problems.NotFound(e.Message),
        WorkitemRefusalKind.Forbidden => Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", e.Message),
        WorkitemRefusalKind.Conflict => Problems.Result(StatusCodes.Status409Conflict, "Conflict", e.Message),
        _ => Problems.BadRequest(e.Message),
    };

    /// <summary>Runs a worklist call, answering a refusal as its problem.</summary>
    public static async Task<IResult> Run(HttpContext h, string? resource, Func<WorkitemActor, Task<IResult>> call)
    {
        if (resource is not null) h.Items[PatientDataAccess.ResourceKey] = resource;
        try
        {
            return await call(Actor(h));
        }
        catch (WorkitemRefusedException e)
        {
            return Problem(e);
        }
    }

    /// <summary>
    /// Null when the <c>Accept</c> header admits <c>application/dicom+json</c> (or <c>application/json</c>, or has none);
    /// else the <c>406</c> problem: work items are answered in DICOM JSON only (PS3.18 §11.1.2; no XML).
    /// </summary>
    public static IResult? NotAcceptable(HttpContext h)
    {
        var ranges = AcceptedMediaType.Parse(h.Request.Headers.Accept);
        return ranges.Count == 0 || ranges.Any(r => r.Matches(DicomJsonResultMediaType) || r.Matches("application/json"))
            ? null
            : Problems.Result(StatusCodes.Status406NotAcceptable, "Not Acceptable", $"work items are served as {DicomJsonResultMediaType} only");
    }

    /// <summary>Adds a <c>Warning: 299</c> header (PS3.18 §8.5, the warnings of PS3.4 CC.2.1.3 and CC.2.2.3).</summary>
    public static void Warn(HttpContext h, string? warning)
    {
        if (warning is not null) h.Response.Headers.Append("Warning", $"299 mira \"{warning.Replace('"', '\'')}\"");
    }

    /// <summary>
    /// The request body as one DICOM JSON data set (an object, or an array of exactly one): at most
    /// <see cref="MaxBodyBytes"/>, read with the untrusted-input limits of <see cref="DicomJsonReadOptions.Untrusted"/>.
    /// Throws <see cref="WorkitemRefusedException"/> naming what is wrong.
    /// </summary>
    public static async Task<DicomDataset> ReadDatasetAsync(HttpContext h)
    {
        var type = h.Request.ContentType ?? "";
        if (!type.StartsWith(DicomJsonResultMediaType, StringComparison.OrdinalIgnoreCase) && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            throw WorkitemRefusedException.Invalid($"the body must be {DicomJsonResultMediaType} (a DICOM JSON data set), not '{type}'");
        if (h.Request.ContentLength > MaxBodyBytes) throw new BodyTooLargeException();
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int n;
        while ((n = await h.Request.Body.ReadAsync(chunk, h.RequestAborted)) > 0)
        {
            if (buffer.Length + n > MaxBodyBytes) throw new BodyTooLargeException();
            buffer.Write(chunk, 0, n);
        }
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        try
        {
            var first = bytes.TrimStart(" \t\r\n"u8);
            if (first.Length > 0 && first[0] == (byte)'[')
            {
                var all = DicomJsonReader.ParseArray(bytes, DicomJsonReadOptions.Untrusted);
                return all.Count == 1 ? all[0] : throw WorkitemRefusedException.Invalid($"the body holds {all.Count} data sets; a work item is one");
            }
            return DicomJsonReader.Parse(bytes, DicomJsonReadOptions.Untrusted);
        }
        catch (Exception e) when (e is DicomJsonException or JsonException or MiraException)
        {
            throw WorkitemRefusedException.Invalid("the body is not a DICOM JSON data set (PS3.18 Annex F): " + e.Message);
        }
    }

    const string DicomJsonResultMediaType = "application/dicom+json";

    /// <summary>A search's matching keys and page from the query string (QIDO-RS syntax, PS3.18 §8.3.4), without the given parameters.</summary>
    public static WorkitemQuery ParseQuery(HttpRequest request, params string[] skip)
    {
        var parameters = request.Query.Where(p => !skip.Contains(p.Key, StringComparer.OrdinalIgnoreCase))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? "")));
        QidoQuery q;
        try
        {
            q = QidoQuery.Parse(parameters);
        }
        catch (QidoQueryException e)
        {
            throw WorkitemRefusedException.Invalid(e.Message);
        }
        var limit = Math.Clamp(q.Limit ?? WorkitemQuery.DefaultLimit, 1, WorkitemQuery.MaxLimit);
        return new WorkitemQuery([.. q.Matches.Select(m => new WorkitemMatchKey(m.Path, m.Value))], q.Offset, limit);
    }
}

/// <summary>A body over <see cref="WorkitemHttp.MaxBodyBytes"/>.</summary>
sealed class BodyTooLargeException() : Exception($"the body is larger than {WorkitemHttp.MaxBodyBytes} bytes");
