using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Server.Dicomweb;

/// <summary>
/// A <c>multipart/related; type="application/dicom"</c> response (RFC 2387, PS3.18 §8.6.1.2): one part per
/// instance, each the stored PS3.10 bytes unchanged, labelled with its transfer syntax. Streams blob by blob.
/// </summary>
public sealed class MultipartDicomResult(IBlobStore blobs, IReadOnlyList<StoredInstance> instances) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext http)
    {
        var boundary = "mira-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = $"multipart/related; type=\"application/dicom\"; boundary={boundary}";
        var body = http.Response.Body;
        var ct = http.RequestAborted;
        foreach (var si in instances)
        {
            var header = new StringBuilder().Append("--").Append(boundary).Append("\r\nContent-Type: application/dicom");
            if (!string.IsNullOrEmpty(si.TransferSyntaxUid)) header.Append("; transfer-syntax=").Append(si.TransferSyntaxUid);
            header.Append("\r\nContent-Length: ").Append(si.BlobSize).Append("\r\n\r\n");
            await body.WriteAsync(Encoding.ASCII.GetBytes(header.ToString()), ct);
            await using (var blob = blobs.OpenRead(si.BlobKey))
                await blob.CopyToAsync(body, ct);
            await body.WriteAsync("\r\n"u8.ToArray(), ct);
        }
        await body.WriteAsync(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"), ct);
    }
}
