using System.Text.Json.Nodes;
using Mira.Platform.Deployment.Ood;

namespace Mira.Platform.Tests.Deployment.Ood;

public class TrainingProfileJsonTests
{
    [Fact]
    public void A_profile_round_trips_through_JSON_and_scores_alike()
    {
        var profile = OodScorerTests.Profile();
        var json = TrainingProfileJson.ToJson(profile);
        var back = TrainingProfileJson.FromJson(json);
        Assert.Equal(json, TrainingProfileJson.ToJson(back));
        var node = JsonNode.Parse(json)!;
        Assert.Equal("mira-ood-profile", (string)node["format"]!);
        Assert.Equal(1, (int)node["version"]!);
        Assert.Equal(3, (int)node["modalities"]!["CT"]!["series"]!);
        Assert.Equal(1.0, (double)node["modalities"]!["CT"]!["numeric"]!["sliceThickness"]!["min"]!);
        Assert.Equal(2.5, (double)node["modalities"]!["CT"]!["numeric"]!["sliceThickness"]!["max"]!);
        Assert.Equal(["Acme"], node["modalities"]!["CT"]!["categorical"]!["manufacturer"]!.AsArray().Select(v => (string)v!));
        var study = OodScorerTests.Features(new SeriesSpec { Key = "json", Seed = 41, SliceThickness = 5 });
        Assert.Equal(OodScorer.Score(profile, study).Reasons, OodScorer.Score(back, study).Reasons);
        Assert.Equal(OodScorer.Score(profile, study).Score, OodScorer.Score(back, study).Score);
    }

    [Fact]
    public void The_same_series_make_the_same_profile()
    {
        Assert.Equal(TrainingProfileJson.ToJson(OodScorerTests.Profile()), TrainingProfileJson.ToJson(OodScorerTests.Profile()));
    }

    [Theory]
    [InlineData("version", "2", "version 2 is not read by this Mira (version 1); recompute it from test:ct")]
    [InlineData("format", "\"other\"", "format 'other' is not 'mira-ood-profile'")]
    public void Refuses_a_profile_of_another_format_or_version(string member, string value, string message)
    {
        var node = JsonNode.Parse(TrainingProfileJson.ToJson(OodScorerTests.Profile()))!;
        node[member] = JsonNode.Parse(value);
        var e = Assert.Throws<OodException>(() => TrainingProfileJson.FromJson(node.ToJsonString()));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Refuses_a_mean_histogram_that_does_not_fit_its_spec_naming_where()
    {
        var node = JsonNode.Parse(TrainingProfileJson.ToJson(OodScorerTests.Profile()))!;
        node["modalities"]!["CT"]!["meanHistogram"]!.AsArray().RemoveAt(0);
        var e = Assert.Throws<OodException>(() => TrainingProfileJson.FromJson(node.ToJsonString()));
        Assert.Contains("$.modalities.CT.meanHistogram: 63 bins, the spec says 64", e.Message);
        Assert.Throws<OodException>(() => TrainingProfileJson.FromJson("{\"format\": 3"));
    }
}
