using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Mira.Server.Dicomweb;

/// <summary>One body part of a multipart/related response: its Content-Type, optional Content-Location and bytes.</summary>
public sealed record BodyPart(string ContentType, ReadOnlyMemory<byte> Content, string? Location = null);

/// <summary>
/// A <c>multipart/related</c> response (RFC 2387, PS3.18 §8.6.1.2) of parts held in memory: frames and bulk data.
/// The <c>type</c> parameter is the parts' media type, and <c>transfer-syntax</c> is added when given.
/// </summary>
public sealed class MultipartRelatedResult(string type, string? transferSyntax, IReadOnlyList<BodyPart> parts) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public IReadOnlyList<BodyPart> Parts => parts;

    public static string NewBoundary() => "mira-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public async Task ExecuteAsync(HttpContext http)
    {
        var boundary = NewBoundary();
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = $"multipart/related; type=\"{type}\""
                                    + (transferSyntax is null ? "" : $"; transfer-syntax={transferSyntax}") + $"; boundary={boundary}";
        var body = http.Response.Body;
        var ct = http.RequestAborted;
        foreach (var part in parts)
        {
            var header = new StringBuilder().Append("--").Append(boundary).Append("\r\nContent-Type: ").Append(part.ContentType);
            if (part.Location is not null) header.Append("\r\nContent-Location: ").Append(part.Location);
            header.Append("\r\nContent-Length: ").Append(part.Content.Length).Append("\r\n\r\n");
            await body.WriteAsync(Encoding.ASCII.GetBytes(header.ToString()), ct);
            await body.WriteAsync(part.Content, ct);
            await body.WriteAsync("\r\n"u8.ToArray(), ct);
        }
        await body.WriteAsync(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"), ct);
    }
}
