using Mira.Inference.Manifest;
using Mira.Inference.Tests.Fixtures;

namespace Mira.Inference.Tests;

public class ModelManifestReaderTests
{
    [Fact]
    public void Reads_a_valid_manifest_into_its_records()
    {
        var m = ModelManifestReader.Read(TestPackages.Manifest(intensity: """{ "source": "modality", "clip": [-100, 400], "scale": 0.01, "offset": -1 }""",
            resampling: """{ "spacing": [2, 2, 3] }""", inputName: "ct"));
        Assert.Equal("test-model", m.Name);
        Assert.Equal("0.1.0", m.Version);
        Assert.Equal(ModelTasks.Segmentation, m.Task);
        Assert.Equal("ct", m.Input.Name);
        Assert.Equal([2.0, 2.0, 3.0], m.Input.Spacing!);
        Assert.Equal([-100.0, 400.0], m.Input.Intensity.Clip!);
        Assert.Equal(0.01, m.Input.Intensity.Scale);
        Assert.Equal(-1, m.Input.Intensity.Offset);
        Assert.Equal(OutputKinds.LabelMap, m.Output.Kind);
        Assert.Null(m.Output.Name);
        var label = Assert.Single(m.Output.Labels);
        Assert.Equal((1, "LESION", "108369006"), (label.Value, label.Name, label.Code.Code));
        Assert.Equal("Apache-2.0", m.Card.Licence);
        Assert.False(m.Card.Baseline);
    }

    [Fact]
    public void Defaults_scale_to_one_offset_to_zero_and_no_clip()
    {
        var t = ModelManifestReader.Read(TestPackages.Manifest()).Input.Intensity;
        Assert.Equal((null, 1.0, 0.0), (t.Clip, t.Scale, t.Offset));
    }

    [Fact]
    public void Names_every_schema_violation_by_its_json_pointer()
    {
        var json = TestPackages.Manifest(layout: "NHWC", intensity: """{ "source": "hounsfield" }""").Replace("\"version\": \"0.1.0\"", "\"version\": \"one\"");
        var e = Assert.Throws<ModelPackageException>(() => ModelManifestReader.Read(json));
        Assert.Contains("/input/layout", e.Message);
        Assert.Contains("/input/intensity/source", e.Message);
        Assert.Contains("/version", e.Message);
    }

    [Fact]
    public void Refuses_a_manifest_without_its_model_card()
    {
        var json = TestPackages.Manifest();
        json = json[..json.IndexOf(",\n  \"card\"", StringComparison.Ordinal)] + "\n}";
        var e = Assert.Throws<ModelPackageException>(() => ModelManifestReader.Read(json));
        Assert.Contains("card", e.Message);
    }

    [Fact]
    public void Refuses_a_probability_output_without_a_threshold()
    {
        var e = Assert.Throws<ModelPackageException>(() => ModelManifestReader.Read(TestPackages.Manifest(
            output: $$"""{ "kind": "probabilities", "labels": {{TestPackages.LesionLabels}} }""")));
        Assert.Contains("/output", e.Message);
    }

    [Fact]
    public void Refuses_label_values_given_twice()
    {
        var labels = """[{ "value": 1, "name": "A", "code": { "scheme": "SCT", "code": "1", "meaning": "a" } }, { "value": 1, "name": "B", "code": { "scheme": "SCT", "code": "2", "meaning": "b" } }]""";
        var e = Assert.Throws<ModelPackageException>(() => ModelManifestReader.Read(TestPackages.Manifest(output: $$"""{ "kind": "labelmap", "labels": {{labels}} }""")));
        Assert.Contains("/output/labels/1/value: 1 is given twice", e.Message);
    }

    [Fact]
    public void Refuses_an_output_kind_that_does_not_fit_the_task()
    {
        var e = Assert.Throws<ModelPackageException>(() => ModelManifestReader.Read(TestPackages.Manifest(task: "classification")));
        Assert.Contains("/output/kind: a classification model gives class scores", e.Message);
        var scores = """{ "kind": "scores", "classes": [{ "index": 0, "name": "benign" }, { "index": 1, "name": "malignant" }] }""";
        e = Assert.Throws<ModelPackageException>(() => ModelManifestReader.Read(TestPackages.Manifest(output: scores)));
        Assert.Contains("/output/kind: a segmentation model gives a voxel map", e.Message);
    }

    [Fact]
    public void Refuses_class_indices_that_are_not_zero_to_k_minus_one()
    {
        var scores = """{ "kind": "scores", "classes": [{ "index": 0, "name": "benign" }, { "index": 2, "name": "malignant" }] }""";
        var e = Assert.Throws<ModelPackageException>(() => ModelManifestReader.Read(TestPackages.Manifest(task: "classification", output: scores)));
        Assert.Contains("/output/classes: the indices [0, 2]", e.Message);
    }

    [Fact]
    public void Refuses_a_clip_that_is_not_a_range_and_suv_read_from_another_modality()
    {
        var e = Assert.Throws<ModelPackageException>(() => ModelManifestReader.Read(TestPackages.Manifest(
            intensity: """{ "source": "suvbw", "clip": [5, 5] }""", modality: "MR")));
        Assert.Contains("/input/intensity/clip: [5, 5] is not a range", e.Message);
        Assert.Contains("/input/intensity/source: suvbw needs a PET input, not modality MR", e.Message);
    }

    [Fact]
    public void Refuses_malformed_json_with_the_parser_message()
    {
        var e = Assert.Throws<ModelPackageException>(() => ModelManifestReader.Read("{ \"name\": "));
        Assert.StartsWith("mira-model.json is not valid JSON", e.Message);
    }

    [Fact]
    public void The_schema_is_json_schema_2020_12()
    {
        Assert.Contains("https://json-schema.org/draft/2020-12/schema", ModelManifestReader.SchemaText);
    }
}
