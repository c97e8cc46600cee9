using System.Text.Json.Nodes;
using Mira.Annotations.Protocols;
using Mira.Testing;

namespace Mira.Annotations.Tests.Protocols;

public class ProtocolReaderTests
{
    static string SharedProtocol(string id) => File.ReadAllText(Path.Combine(Corpus.SharedRoot, "protocols", id + ".json"));

    [Fact]
    public void The_ten_built_in_protocols_are_the_shared_files_verbatim_and_all_validate()
    {
        Assert.Equal(10, BuiltInProtocols.Protocols.Count);
        foreach (var p in BuiltInProtocols.Protocols)
        {
            Assert.Equal(SharedProtocol(p.Id), p.Json);
            Assert.NotEmpty(p.Labels);
        }
        Assert.Equal(File.ReadAllText(Path.Combine(Corpus.SharedRoot, "protocols", "protocol.schema.json")), BuiltInProtocols.SchemaJson);
    }

    [Fact]
    public void Glioma_reads_labels_codes_regions_and_a_dice_workflow()
    {
        var p = BuiltInProtocols.Find("glioma-brats")!;
        Assert.Equal(["MR"], p.Modalities);
        Assert.Equal("labelmap", p.LabelEncoding);
        var et = p.LabelByValue(3)!;
        Assert.Equal("ET", et.Name);
        Assert.True(et.Type.SameAs("NCIt", "C113842"));
        Assert.Equal((255, 215, 0), ((int)et.Rgb.R, (int)et.Rgb.G, (int)et.Rgb.B));
        Assert.Equal([1, 3], p.DerivedRegions.Single(r => r.Name == "TC").From);
        Assert.Equal(AgreementStatistic.Dice, p.Workflow.Statistic);
        Assert.Equal(["ET", "TC", "WT"], p.Workflow.AppliesTo);
        Assert.False(p.LabelsOverlap);
    }

    [Fact]
    public void Fundus_grades_are_an_ordinal_scale_compared_by_weighted_kappa()
    {
        var p = BuiltInProtocols.Find("fundus-dr-multidisease")!;
        var dr = p.FieldByName("icdrDr")!;
        Assert.Equal(5, dr.Values.Count);
        Assert.Equal(2, dr.IndexOf("2"));
        Assert.Equal(AgreementStatistic.WeightedKappa, p.Workflow.Statistic);
        Assert.True(p.LabelsOverlap);
    }

    [Fact]
    public void A_custom_protocol_breaking_the_schema_is_refused_naming_where()
    {
        var json = JsonNode.Parse(SharedProtocol("glioma-brats"))!;
        json["labels"]![0]!["color"] = "red";
        json["labels"]![1]!.AsObject().Remove("category");
        var e = Assert.Throws<ProtocolException>(() => ProtocolReader.Read(json.ToJsonString()));
        Assert.Contains("/labels/0/color", e.Message);
        Assert.Contains("/labels/1", e.Message);
    }

    [Fact]
    public void A_custom_protocol_with_a_duplicate_label_value_is_refused()
    {
        var json = JsonNode.Parse(SharedProtocol("glioma-brats"))!;
        json["id"] = "my-glioma";
        json["labels"]![1]!["value"] = 1;
        var e = Assert.Throws<ProtocolException>(() => ProtocolReader.Read(json.ToJsonString()));
        Assert.Contains("label value '1' appears twice", e.Message);
    }

    [Fact]
    public void A_workflow_naming_an_unknown_region_is_refused()
    {
        var e = Assert.Throws<ProtocolException>(() => ProtocolReader.Read(SharedProtocol("glioma-brats"),
            new ProtocolWorkflow(AgreementStatistic.Dice, ["XX"], 0.8)));
        Assert.Contains("'XX' is not a label or derived region", e.Message);
    }

    [Fact]
    public void A_valid_custom_protocol_reads_with_its_default_workflow()
    {
        var json = JsonNode.Parse(SharedProtocol("thyroid-us-tirads"))!;
        json["id"] = "thyroid-local";
        var p = ProtocolReader.Read(json.ToJsonString());
        Assert.Equal("thyroid-local", p.Id);
        Assert.Equal(AgreementStatistic.Dice, p.Workflow.Statistic); // masks and polygons: Dice on its labels by default
    }

    [Fact]
    public void Malformed_json_is_refused_with_the_parser_position()
    {
        var e = Assert.Throws<ProtocolException>(() => ProtocolReader.Read("{\"id\": "));
        Assert.Contains("not valid JSON", e.Message);
    }
}
