using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Mira.Server;

/// <summary>The JSON object body of a REST request (projects, accounts).</summary>
public static class JsonBody
{
    /// <summary>The body as a JSON object; null when it is not valid JSON or not an object (the caller answers 400).</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpContext h)
    {
        try
        {
            return await JsonNode.ParseAsync(h.Request.Body, cancellationToken: h.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
