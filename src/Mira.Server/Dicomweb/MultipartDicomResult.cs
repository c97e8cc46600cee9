using Mira.Dicom.Codecs;
using System.Buffers;
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
        // Parts go straight into the response pipe: blobs are read into its buffers, without a copy through a stream.
        var body = http.Response.BodyWriter;
        var ct = http.RequestAborted;
        foreach (var si in instances)
        {
            if (target is not null && si.TransferSyntaxUid != target.Uid)
            {
                var bytes = await TranscodeAsync(si, target, ct);
                WriteHeader(body, boundary, target.Uid, bytes.Length);
                body.Write(bytes);
            }
            else
            {
                WriteHeader(body, boundary, si.TransferSyntaxUid, si.BlobSize);
                await CopyBlobAsync(si, body, ct);
            }
            body.Write("\r\n"u8);
            if ((await body.FlushAsync(ct)).IsCanceled) return;
        }
        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        await body.FlushAsync(ct);
    }

    const int ChunkBytes = 256 * 1024;

    async Task CopyBlobAsync(StoredInstance si, System.IO.Pipelines.PipeWriter body, CancellationToken ct)
    {
        await using var blob = blobs.OpenRead(si.BlobKey);
        while (true)
        {
            var memory = body.GetMemory(ChunkBytes);
            var n = await blob.ReadAsync(memory, ct);
            if (n == 0) return;
            body.Advance(n);
            var flushed = await body.FlushAsync(ct);
            if (flushed.IsCanceled || flushed.IsCompleted) return;
        }
    }

    static void WriteHeader(System.IO.Pipelines.PipeWriter body, string boundary, string? syntax, long length)
    {
        var header = new StringBuilder().Append("--").Append(boundary).Append("\r\nContent-Type: application/dicom");
        if (!string.IsNullOrEmpty(syntax)) header.Append("; transfer-syntax=").Append(syntax);
        header.Append("\r\nContent-Length: ").Append(length).Append("\r\n\r\n");
        body.Write(Encoding.ASCII.GetBytes(header.ToString()));
    }

    async Task<byte[]> TranscodeAsync(StoredInstance si, TransferSyntax to, CancellationToken ct)
    {
        var file = await StoredObjects.ReadAsync(blobs, si, ct);
        var ds = (converter ?? throw new InvalidOperationException("a target syntax needs a converter")).Convert(file.Dataset, file.TransferSyntax, to);
        return DicomFileWriter.ToBytes(ds, to, file.FileMetaInformation, transcodeOptions);
    }
}
