using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Server.Dicomweb;

/// <summary>
/// A <c>multipart/related; type="application/dicom"</c> response (RFC 2387, PS3.18 §8.6.1.2): one part per
/// instance, labelled with its transfer syntax. Without a <paramref name="target"/> syntax each part is the stored
/// PS3.10 bytes unchanged, streamed blob by blob; with one, instances stored in another syntax are re-encoded through
/// <paramref name="converter"/> and <see cref="DicomFileWriter"/> (the caller checked that the converter can).
/// </summary>
public sealed class MultipartDicomResult(IBlobStore blobs, IReadOnlyList<StoredInstance> instances,
    TransferSyntax? target = null, ITransferSyntaxConverter? converter = null) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    static readonly DicomWriteOptions transcodeOptions = new() { KeepInvalidValues = true };

    public async Task ExecuteAsync(HttpContext http)
    {
        var boundary = MultipartRelatedResult.NewBoundary();
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "multipart/related; type=\"application/dicom\""
                                    + (target is null ? "" : $"; transfer-syntax={target.Uid}") + $"; boundary={boundary}";
        var body = http.Response.Body;
        var ct = http.RequestAborted;
        foreach (var si in instances)
        {
            if (target is not null && si.TransferSyntaxUid != target.Uid)
            {
                var bytes = await TranscodeAsync(si, target, ct);
                await WriteHeader(body, boundary, target.Uid, bytes.Length, ct);
                await body.WriteAsync(bytes, ct);
            }
            else
            {
                await WriteHeader(body, boundary, si.TransferSyntaxUid, si.BlobSize, ct);
                await using var blob = blobs.OpenRead(si.BlobKey);
                await blob.CopyToAsync(body, ct);
            }
            await body.WriteAsync("\r\n"u8.ToArray(), ct);
        }
        await body.WriteAsync(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"), ct);
    }

    static async Task WriteHeader(Stream body, string boundary, string? syntax, long length, CancellationToken ct)
    {
        var header = new StringBuilder().Append("--").Append(boundary).Append("\r\nContent-Type: application/dicom");
        if (!string.IsNullOrEmpty(syntax)) header.Append("; transfer-syntax=").Append(syntax);
        header.Append("\r\nContent-Length: ").Append(length).Append("\r\n\r\n");
        await body.WriteAsync(Encoding.ASCII.GetBytes(header.ToString()), ct);
    }

    async Task<byte[]> TranscodeAsync(StoredInstance si, TransferSyntax to, CancellationToken ct)
    {
        var file = await StoredObjects.ReadAsync(blobs, si, ct);
        var ds = (converter ?? throw new InvalidOperationException("a target syntax needs a converter")).Convert(file.Dataset, file.TransferSyntax, to);
        return DicomFileWriter.ToBytes(ds, to, file.FileMetaInformation, transcodeOptions);
    }
}
