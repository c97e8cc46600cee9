using System.Text.Json.Nodes;
using Mira.Storage.Projects;
using Mira.Testing;

namespace Mira.Platform.Tests.Statistics;

public sealed class ProjectDomainsTests
{
    [Fact]
    public void The_domains_are_the_ids_of_the_ten_shipped_annotation_protocols()
    {
        var ids = Directory.GetFiles(Path.Combine(Corpus.SharedRoot, "protocols"), "*.json")
            .Where(f => Path.GetFileName(f) != "protocol.schema.json")
            .Select(f => JsonNode.Parse(File.ReadAllText(f))!["id"]!.ToString())
            .Order(StringComparer.Ordinal);
        Assert.Equal(ids, ProjectDomains.All);
        Assert.Equal(10, ProjectDomains.All.Count);
    }
}
