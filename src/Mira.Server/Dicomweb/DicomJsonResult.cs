using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Mira.Dicom;
using Mira.Dicom.Json;

namespace Mira.Server.Dicomweb;

/// <summary>An <c>application/dicom+json</c> response (PS3.18 Annex F): one data set, or an array of them.</summary>
public sealed class DicomJsonResult(object body, int statusCode = StatusCodes.Status200OK, DicomJsonWriteOptions? options = null)
    : IResult, IStatusCodeHttpResult
{
    public const string MediaType = "application/dicom+json";

    internal static readonly JsonWriterOptions writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public int? StatusCode => statusCode;

    public static DicomJsonResult Array(IEnumerable<DicomDataset> items, DicomJsonWriteOptions? options = null) => new(items.ToList(), options: options);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var opts = options ?? DicomJsonWriteOptions.Default;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, writerOptions))
        {
            if (body is DicomDataset single) DicomJsonWriter.WriteDataset(w, single, opts);
            else
            {
                w.WriteStartArray();
                foreach (var ds in (IEnumerable<DicomDataset>)body) DicomJsonWriter.WriteDataset(w, ds, opts);
                w.WriteEndArray();
            }
        }
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = MediaType;
        httpContext.Response.ContentLength = ms.Length;
        await httpContext.Response.Body.WriteAsync(ms.GetBuffer().AsMemory(0, (int)ms.Length), httpContext.RequestAborted);
    }
}
