using Mira.Imaging.Volumes;
using Mira.Inference.OnnxRuntime;
using Mira.Inference.Packages;
using Mira.Inference.Prediction;
using Mira.Inference.Tests.Fixtures;
using static Mira.Inference.Tests.Fixtures.OnnxGraphs;

namespace Mira.Inference.Tests;

/// <summary>The predictor over ONNX Runtime with models built in the test, every expected value computed by hand.</summary>
public class ModelPredictorTests
{
    static readonly OnnxSessionFactory Factory = new();

    const string OneChannel = $$"""{ "kind": "probabilities", "threshold": 0.5, "labels": {{TestPackages.LesionLabels}} }""";

    static object[] Dims(string layout) => layout == "NCDHW" ? ["N", 1, "D", "H", "W"] : ["N", 1, "H", "W"];

    static byte[] Identity(string layout) => Model([Node("Identity", ["x"], ["y"])], [Float("x", Dims(layout))], [Float("y", Dims(layout))]);

    static ModelPredictor Predictor(string manifest, byte[] onnx, ModelPredictorOptions? options = null) =>
        new(ModelPackage.Open(TestPackages.Folder(manifest, onnx)), Factory, options);

    [Fact]
    public void Applies_clip_then_scale_then_offset_to_the_modality_values()
    {
        // CT-like Int16 values; clip [-1000, 1000], × 0.001, + 0.5.
        var image = TestVolumes.Make(5, 1, 1, (i, _, _) => new[] { -2000, -100, 0, 50, 3000 }[i], VoxelType.Int16);
        using var p = Predictor(TestPackages.Manifest(intensity: """{ "source": "modality", "clip": [-1000, 1000], "scale": 0.001, "offset": 0.5 }""", output: OneChannel), Identity("NCDHW"));
        var prediction = p.Predict(image);
        var expected = new[] { -0.5f, 0.4f, 0.5f, 0.55f, 1.5f };
        Assert.Equal(expected, TestVolumes.Values(prediction.Probability!), (a, b) => Math.Abs(a - b) < 1e-6);
        // threshold 0.5: the voxels whose tensor value is at least 0.5 get label 1
        Assert.Equal([0f, 0, 1, 1, 1], TestVolumes.Values(prediction.LabelMap!));
    }

    [Fact]
    public void Multiplies_by_the_suvbw_factor_before_clipping()
    {
        var image = TestVolumes.Make(3, 1, 1, (i, _, _) => new[] { 1000.0, 4000, 9000 }[i]);
        using var p = Predictor(TestPackages.Manifest(modality: "PT", intensity: """{ "source": "suvbw", "clip": [0, 20] }""", output: OneChannel), Identity("NCDHW"));
        var e = Assert.Throws<ModelPackageException>(() => p.Predict(image));
        Assert.Contains("SUVbw factor is needed", e.Message);
        var prediction = p.Predict(image, suvBwFactor: 0.003);
        Assert.Equal([3f, 12f, 20f], TestVolumes.Values(prediction.Probability!), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    static byte[] DivideByMax(string layout)
    {
        long[] axes = layout == "NCDHW" ? [2, 3, 4] : [2, 3];
        return Model([Node("ReduceMax", ["x"], ["m"], Ints("axes", axes), Int("keepdims", 1)), Node("Div", ["x", "m"], ["y"])],
            [Float("x", Dims(layout))], [Float("y", Dims(layout))]);
    }

    [Fact]
    public void NCDHW_gives_the_model_the_whole_volume_and_NCHW_one_slice_at_a_time()
    {
        // Slice k = 0 holds 1..4, slice k = 1 holds 10..40; the model divides by the maximum of what it is given.
        var image = TestVolumes.Make(2, 2, 2, (i, j, k) => (1 + i + 2 * j) * (k == 0 ? 1 : 10));
        using var whole = Predictor(TestPackages.Manifest(output: OneChannel), DivideByMax("NCDHW"));
        using var sliced = Predictor(TestPackages.Manifest(layout: "NCHW", output: OneChannel), DivideByMax("NCHW"));
        Assert.Equal([1 / 40f, 2 / 40f, 3 / 40f, 4 / 40f, 10 / 40f, 20 / 40f, 30 / 40f, 40 / 40f],
            TestVolumes.Values(whole.Predict(image).Probability!), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal([1 / 4f, 2 / 4f, 3 / 4f, 4 / 4f, 10 / 40f, 20 / 40f, 30 / 40f, 40 / 40f],
            TestVolumes.Values(sliced.Predict(image).Probability!), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    static byte[] TwoChannelSoftmax(string layout)
    {
        object[] dims = layout == "NCDHW" ? ["N", 2, "D", "H", "W"] : ["N", 2, "H", "W"];
        return Model([Node("Neg", ["x"], ["n"]), Node("Concat", ["n", "x"], ["c"], Int("axis", 1)), Node("Softmax", ["c"], ["y"], Int("axis", 1))],
            [Float("x", Dims(layout))], [Float("y", dims)]);
    }

    [Theory]
    [InlineData("NCDHW")]
    [InlineData("NCHW")]
    public void Reads_background_and_label_channels_as_foreground_probability_and_thresholds_it(string layout)
    {
        // Channels (−x, x) through a softmax: p(foreground) = 1 − p(background) = σ(2x); threshold 0.7 ⇔ x ≥ ½·ln(7/3).
        var image = TestVolumes.Make(3, 2, 2, (i, j, k) => -1 + 0.2 * (i + 3 * j + 6 * k));
        var output = $$"""{ "kind": "probabilities", "threshold": 0.7, "labels": {{TestPackages.LesionLabels.Replace("\"value\": 1", "\"value\": 7")}} }""";
        using var p = Predictor(TestPackages.Manifest(layout: layout, output: output), TwoChannelSoftmax(layout));
        var prediction = p.Predict(image);
        var x = TestVolumes.Values(image);
        Assert.Equal(x.Select(v => (float)(1 / (1 + Math.Exp(-2 * v)))), TestVolumes.Values(prediction.Probability!), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(x.Select(v => 1 / (1 + Math.Exp(-2 * v)) >= 0.7 ? 7f : 0f), TestVolumes.Values(prediction.LabelMap!));
        Assert.Contains(7f, TestVolumes.Values(prediction.LabelMap!));
        Assert.Contains(0f, TestVolumes.Values(prediction.LabelMap!));
    }

    [Fact]
    public void A_convolution_matches_a_hand_computed_neighbourhood_mean()
    {
        // Conv3d 3×3×3, every weight 1/27, bias 0.5, zero padding 1: each voxel becomes the mean of its neighbourhood (zeros outside) + 0.5.
        var weights = Constant("w", [1, 1, 3, 3, 3], Enumerable.Repeat(1f / 27, 27).ToArray());
        var bias = Constant("b", [1], [0.5f]);
        var onnx = Model([Node("Conv", ["x", "w", "b"], ["y"], Ints("kernel_shape", 3, 3, 3), Ints("pads", 1, 1, 1, 1, 1, 1))],
            [Float("x", Dims("NCDHW"))], [Float("y", Dims("NCDHW"))], [weights, bias]);
        var image = TestVolumes.Make(4, 3, 3, (i, j, k) => i + 10 * j + 100 * k);
        using var p = Predictor(TestPackages.Manifest(output: OneChannel), onnx);
        var prob = p.Predict(image).Probability!;
        double Hand(int i, int j, int k)
        {
            var sum = 0.0;
            for (var dk = -1; dk <= 1; dk++)
                for (var dj = -1; dj <= 1; dj++)
                    for (var di = -1; di <= 1; di++)
                    {
                        int a = i + di, b = j + dj, c = k + dk;
                        if (a is >= 0 and < 4 && b is >= 0 and < 3 && c is >= 0 and < 3) sum += a + 10 * b + 100 * c;
                    }
            return sum / 27 + 0.5;
        }
        Assert.Equal(Hand(1, 1, 1), prob[1, 1, 1], 4); // centre: 27 neighbours inside
        Assert.Equal(Hand(0, 0, 0), prob[0, 0, 0], 4); // corner: 8 neighbours inside
        Assert.Equal(Hand(3, 2, 1), prob[3, 2, 1], 4);
        Assert.Equal(111 + 0.5, prob[1, 1, 1], 4);
    }

    [Fact]
    public void Resamples_linearly_to_the_model_spacing_and_back_by_nearest_neighbour()
    {
        // Spacing 1 mm along i; the model wants 1.5 mm: its voxels lie at image i = 0, 1.5, 3 (linear: 0, 1.5, 3);
        // back: image voxel i takes model voxel round(i / 1.5) = 0, 1, 1, 2.
        var g = new VolumeGeometry([0, 0, 0], [1, 1, 1], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
        var image = TestVolumes.Make(4, 1, 1, (i, _, _) => i, geometry: g);
        using var p = Predictor(TestPackages.Manifest(output: OneChannel, resampling: """{ "spacing": [1.5, 1, 1] }"""), Identity("NCDHW"));
        var prediction = p.Predict(image);
        Assert.Equal([0f, 1.5f, 1.5f, 3f], TestVolumes.Values(prediction.Probability!));
        Assert.Equal(image.Size, prediction.LabelMap!.Size);
        Assert.True(prediction.LabelMap.Geometry.ApproximatelyEquals(image.Geometry));
    }

    [Fact]
    public void The_label_map_keeps_the_image_geometry()
    {
        var image = TestVolumes.Make(3, 2, 2, (i, _, _) => i);
        using var p = Predictor(TestPackages.Manifest(output: OneChannel), Identity("NCDHW"));
        var prediction = p.Predict(image);
        Assert.True(prediction.LabelMap!.Geometry.ApproximatelyEquals(image.Geometry));
        Assert.Equal(VoxelType.UInt8, prediction.LabelMap.Type);
        Assert.True(prediction.Timings.Total > TimeSpan.Zero);
    }

    [Fact]
    public void Reads_an_argmax_label_map()
    {
        // ArgMax over channels (−x, x): 1 where x > 0 (a tie at 0 takes the first channel).
        var onnx = Model([Node("Neg", ["x"], ["n"]), Node("Concat", ["n", "x"], ["c"], Int("axis", 1)), Node("ArgMax", ["c"], ["y"], Int("axis", 1), Int("keepdims", 1))],
            [Float("x", Dims("NCDHW"))], [Value("y", Onnx.TensorProto.Types.DataType.Int64, Dims("NCDHW"))]);
        var image = TestVolumes.Make(5, 1, 1, (i, _, _) => i - 2);
        using var p = Predictor(TestPackages.Manifest(), onnx);
        var prediction = p.Predict(image);
        Assert.Equal([0f, 0, 0, 1, 1], TestVolumes.Values(prediction.LabelMap!));
        Assert.Null(prediction.Probability);
    }

    [Fact]
    public void Refuses_a_label_value_the_manifest_does_not_list()
    {
        var image = TestVolumes.Make(3, 1, 1, (i, _, _) => i);
        using var p = Predictor(TestPackages.Manifest(), Identity("NCDHW"));
        var e = Assert.Throws<ModelPackageException>(() => p.Predict(image));
        Assert.Contains("the value 2 at element 2", e.Message);
    }

    [Fact]
    public void Gives_class_scores_after_a_softmax()
    {
        var onnx = Model([Node("Flatten", ["x"], ["y"], Int("axis", 1))], [Float("x", 1, 1, 1, 3)], [Float("y", 1, 3)]);
        var output = """{ "kind": "scores", "activation": "softmax", "classes": [{ "index": 0, "name": "a" }, { "index": 1, "name": "b" }, { "index": 2, "name": "c" }] }""";
        using var p = Predictor(TestPackages.Manifest(task: "classification", layout: "NCHW", output: output), onnx);
        var scores = p.Predict(TestVolumes.Make(3, 1, 1, (i, _, _) => i)).Scores!;
        var e = new[] { 1.0, Math.E, Math.E * Math.E };
        Assert.Equal(e.Select(v => v / e.Sum()), scores.Select(s => s.Score), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(["a", "b", "c"], scores.Select(s => s.Name));
        var e3 = Assert.Throws<ModelPackageException>(() => p.Predict(TestVolumes.Make(3, 1, 2, (i, _, _) => i)));
        Assert.Contains("classifies 2D images (NCHW) but the image has 2 slices", e3.Message);
    }

    [Fact]
    public void Refuses_a_tensor_bigger_than_the_cap()
    {
        using var p = Predictor(TestPackages.Manifest(output: OneChannel), Identity("NCDHW"), new ModelPredictorOptions { MaxTensorElements = 100 });
        var e = Assert.Throws<ModelPackageException>(() => p.Predict(TestVolumes.Make(5, 5, 5, (_, _, _) => 0)));
        Assert.Contains("125 values, more than the limit of 100", e.Message);
        // 4×4×4 at 1 mm is 64 values; at 0.5 mm it becomes 7×7×7 = 343.
        using var fine = Predictor(TestPackages.Manifest(output: OneChannel, resampling: """{ "spacing": [0.5, 0.5, 0.5] }"""), Identity("NCDHW"),
            new ModelPredictorOptions { MaxTensorElements = 100 });
        var g = new VolumeGeometry([0, 0, 0], [1, 1, 1], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
        e = Assert.Throws<ModelPackageException>(() => fine.Predict(TestVolumes.Make(4, 4, 4, (_, _, _) => 0, geometry: g)));
        Assert.Contains("the resampled input would hold 343 values", e.Message);
    }

    [Fact]
    public void Refuses_a_fixed_size_model_given_another_size_and_an_input_name_it_lacks()
    {
        var onnx = Model([Node("Identity", ["x"], ["y"])], [Float("x", 1, 1, 2, 2, 2)], [Float("y", 1, 1, 2, 2, 2)]);
        using var p = Predictor(TestPackages.Manifest(output: OneChannel), onnx);
        Assert.Contains("fixed size", Assert.Throws<ModelPackageException>(() => p.Predict(TestVolumes.Make(3, 2, 2, (_, _, _) => 0))).Message);
        var e = Assert.Throws<ModelPackageException>(() => Predictor(TestPackages.Manifest(output: OneChannel, inputName: "image"), onnx));
        Assert.Contains("/input/name: the model has no input 'image' (it has x)", e.Message);
    }

    [Fact]
    public void Refuses_a_layout_whose_rank_the_model_does_not_take()
    {
        var e = Assert.Throws<ModelPackageException>(() => Predictor(TestPackages.Manifest(layout: "NCHW", output: OneChannel), Identity("NCDHW")));
        Assert.Contains("NCHW needs a rank-4 input", e.Message);
    }
}
