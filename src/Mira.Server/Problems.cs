using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Mira.Server;

/// <summary>Errors as RFC 9457 problem details (<c>application/problem+json</c>).</summary>
public static class Problems
{
    public static IResult Result(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);

    public static IResult NotFound(string detail) => Result(StatusCodes.Status404NotFound, "Not Found", detail);

    public static IResult BadRequest(string detail) => Result(StatusCodes.Status400BadRequest, "Bad Request", detail);

    /// <summary>Writes a problem directly (for middleware, outside endpoint results).</summary>
    public static async Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("type", $"https://tools.ietf.org/html/rfc9110#status.{status}");
            w.WriteString("title", title);
            w.WriteNumber("status", status);
            w.WriteString("detail", detail);
            w.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(ms.GetBuffer().AsMemory(0, (int)ms.Length), context.RequestAborted);
    }
}
