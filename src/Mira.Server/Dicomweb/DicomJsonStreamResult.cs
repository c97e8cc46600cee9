using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Dicom.Json;

namespace Mira.Server.Dicomweb;

/// <summary>
/// An <c>application/dicom+json</c> array (PS3.18 Annex F) written to the response one data set at a time: each item is
/// loaded, written and flushed before the next is loaded, so a study's metadata (PS3.18 §10.4.1.1.2) costs the memory
/// of one instance, not of the whole array. The response is chunked (no Content-Length); a failure after the first item
/// aborts the response, which the client sees as a truncated body.
/// </summary>
public sealed class DicomJsonStreamResult<T>(IReadOnlyList<T> items, Func<T, CancellationToken, Task<DicomDataset>> load,
    DicomJsonWriteOptions? options = null) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var ct = httpContext.RequestAborted;
        var opts = options ?? DicomJsonWriteOptions.Default;
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = DicomJsonResult.MediaType;
        // One buffer, reused for every item: the JSON writer asks for room for the worst-case escaping of a long value
        // (several times its length), which the response pipe would allocate afresh for each item.
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        await using var w = new Utf8JsonWriter(buffer, DicomJsonResult.writerOptions);
        w.WriteStartArray();
        foreach (var item in items)
        {
            DicomJsonWriter.WriteDataset(w, await load(item, ct), opts);
            await Send();
        }
        w.WriteEndArray();
        await Send();

        async Task Send()
        {
            w.Flush();
            await httpContext.Response.Body.WriteAsync(buffer.WrittenMemory, ct);
            buffer.ResetWrittenCount();
        }
    }
}
