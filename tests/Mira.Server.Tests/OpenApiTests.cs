using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mira.Server.Tests;

/// <summary>The committed OpenAPI description (<c>wwwroot/openapi.json</c>) against the endpoints the server maps.</summary>
public sealed class OpenApiTests(TestArchive server) : IClassFixture<TestArchive>
{
    /// <summary>"GET /dicomweb/studies/{study}" for every mapped API route; catch-all parameters written as OpenAPI writes
    /// them. The web workspace's pages and their forms are excluded from the description, explicitly, where they are mapped.</summary>
    HashSet<string> Mapped() =>
    [
        .. server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e =>
        {
            var path = "/" + e.RoutePattern.RawText!.Trim('/').Replace("{**", "{", StringComparison.Ordinal);
            return (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {path}");
        }),
    ];

    async Task<HashSet<string>> DescribedAsync()
    {
        var paths = JsonNode.Parse(await server.Admin.GetStringAsync("/openapi.json"))!["paths"]!.AsObject();
        return [.. paths.SelectMany(p => p.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {p.Key}"))];
    }

    [Fact]
    public async Task Every_mapped_endpoint_is_described_and_every_described_one_is_mapped()
    {
        var mapped = Mapped();
        var described = await DescribedAsync();
        Assert.Contains("GET /api/projects/{id}/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/{frames}", mapped);
        Assert.Empty(mapped.Except(described).Order());
        Assert.Empty(described.Except(mapped).Order());
    }
}
