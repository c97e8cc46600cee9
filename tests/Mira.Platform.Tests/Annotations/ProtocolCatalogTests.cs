using System.Text.Json.Nodes;
using Mira.Annotations.Protocols;
using Mira.Platform.Annotations;

namespace Mira.Platform.Tests.Annotations;

/// <summary>Protocol versions: the built-ins registered once as version 1, custom protocols validated and versioned.</summary>
public sealed class ProtocolCatalogTests(AnnotationPlatform fixture) : IClassFixture<AnnotationPlatform>
{
    ProtocolCatalog Catalog => fixture.Service.Protocols;

    static string Custom(string id, string title)
    {
        var json = JsonNode.Parse(BuiltInProtocols.Find("glioma-brats")!.Json)!.AsObject();
        json["id"] = id;
        json["title"] = title;
        return json.ToJsonString();
    }

    [Fact]
    public async Task The_ten_built_in_protocols_are_version_1_and_opening_again_adds_none()
    {
        var all = await Catalog.ListAsync();
        Assert.Equal(BuiltInProtocols.Ids, all.Where(p => p.BuiltIn).Select(p => p.Id));
        Assert.All(all.Where(p => p.BuiltIn), p => Assert.Equal(1, p.Version));
        Assert.Empty(await Catalog.EnsureBuiltInsAsync());
        var glioma = (await Catalog.GetAsync("glioma-brats"))!;
        Assert.Equal(ProtocolCatalog.WorkflowToJson(BuiltInProtocols.Find("glioma-brats")!.Workflow), ProtocolCatalog.WorkflowToJson(glioma.Protocol.Workflow));
        Assert.Equal(BuiltInProtocols.Find("glioma-brats")!.Json, glioma.Protocol.Json);
    }

    [Fact]
    public async Task A_custom_protocol_is_validated_and_each_change_is_a_new_version()
    {
        var steward = AnnotationPlatform.Steward;
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => fixture.Service.AddProtocolAsync(steward, "{\"id\": \"x\"", null));
        Assert.Contains("not valid JSON", e.Message);
        e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => fixture.Service.AddProtocolAsync(steward, "{\"id\": \"broken\"}", null));
        Assert.Contains("does not follow protocol.schema.json", e.Message);
        e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => fixture.Service.AddProtocolAsync(steward, BuiltInProtocols.Find("glioma-brats")!.Json, null));
        Assert.Contains("is a built-in protocol", e.Message);
        e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => fixture.Service.AddProtocolAsync(AnnotationPlatform.Person("alice"), Custom("glioma-site", "A"), null));
        Assert.Equal(RefusalKind.Forbidden, e.Kind);

        var (v1, added) = await fixture.Service.AddProtocolAsync(steward, Custom("glioma-site", "Site glioma"), null);
        Assert.Equal((1, true, false), (v1.Version, added, v1.BuiltIn));
        Assert.False((await fixture.Service.AddProtocolAsync(steward, Custom("glioma-site", "Site glioma"), null)).Added);
        var (v2, _) = await fixture.Service.AddProtocolAsync(steward, Custom("glioma-site", "Site glioma, second edition"),
            """{"statistic": "dice", "appliesTo": ["WT"], "threshold": 0.8}""");
        Assert.Equal(2, v2.Version);
        Assert.Equal(new ProtocolWorkflow(AgreementStatistic.Dice, ["WT"], 0.8).Statistic, v2.Protocol.Workflow.Statistic);
        Assert.Equal(0.8, v2.Protocol.Workflow.Threshold);
        Assert.Equal("Site glioma", (await Catalog.GetAsync("glioma-site", 1))!.Protocol.Title);
        e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => fixture.Service.AddProtocolAsync(steward, Custom("glioma-site", "C"),
            """{"statistic": "median", "appliesTo": [], "threshold": 1}"""));
        Assert.Contains("'median' is not one of", e.Message);
    }
}
