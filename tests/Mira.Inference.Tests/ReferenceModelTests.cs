using Mira.Imaging.Volumes;
using Mira.Inference.OnnxRuntime;
using Mira.Inference.Packages;
using Mira.Inference.Prediction;
using Mira.Inference.Tests.Fixtures;
using Mira.Testing;

namespace Mira.Inference.Tests;

/// <summary>The reference packages under models/: they load and pass the schema, reproduce from their scripts, and ONNX Runtime in Mira agrees with numpy (the 41 % rule) and with torch (the trained net).</summary>
public class ReferenceModelTests
{
    static string Models(string name) => Path.Combine(Corpus.RepositoryRoot, "models", name);

    [Theory]
    [InlineData("pet-suv41-baseline", "petct-tumour-metabolism", "labelmap")]
    [InlineData("glioma-synthetic-baseline", "glioma-brats", "probabilities")]
    public void Every_reference_package_loads_and_passes_the_schema_as_an_honest_baseline(string name, string protocol, string kind)
    {
        var p = ModelPackage.Open(Models(name));
        Assert.Equal(name, p.Manifest.Name);
        Assert.Equal(protocol, p.Manifest.Protocol);
        Assert.Equal(kind, p.Manifest.Output.Kind);
        Assert.True(p.Manifest.Card.Baseline);
        Assert.NotEmpty(p.Manifest.Card.KnownFailureModes);
        Assert.Equal(64, p.Sha256.Length);
        Assert.True(File.Exists(Path.Combine(Corpus.SharedRoot, "protocols", protocol + ".json")) || !Directory.Exists(Corpus.SharedRoot),
            $"{protocol} is not a protocol in ../shared/protocols");
    }

    [Fact]
    public void The_cards_say_what_the_baselines_are()
    {
        var pet = ModelPackage.Open(Models("pet-suv41-baseline")).Manifest.Card;
        Assert.Contains("not a trained model", pet.Summary);
        Assert.Empty(pet.TrainingReleases);
        var glioma = ModelPackage.Open(Models("glioma-synthetic-baseline")).Manifest.Card;
        Assert.Contains("Synthetic only", glioma.TrainingData);
        Assert.Contains("synthetic", glioma.Summary);
    }

    [Fact]
    public void The_pet_baseline_is_rebuilt_byte_for_byte_by_its_script()
    {
        var rebuilt = Path.Combine(Path.GetTempPath(), $"mira-suv41-{Guid.NewGuid():N}.onnx");
        Python.Run(File.ReadAllText(Path.Combine(Models("pet-suv41-baseline"), "build.py")), rebuilt);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Models("pet-suv41-baseline"), "model.onnx")), File.ReadAllBytes(rebuilt));
    }

    [Fact]
    public void The_ct_bone_baseline_is_rebuilt_byte_for_byte_by_its_script_and_its_card_says_it_is_no_trained_model()
    {
        var rebuilt = Path.Combine(Path.GetTempPath(), $"mira-ct-bone-{Guid.NewGuid():N}.onnx");
        Python.Run(File.ReadAllText(Path.Combine(Models("ct-bone-threshold-baseline"), "build.py")), rebuilt);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Models("ct-bone-threshold-baseline"), "model.onnx")), File.ReadAllBytes(rebuilt));
        var p = ModelPackage.Open(Models("ct-bone-threshold-baseline"));
        Assert.Equal(("CT", "labelmap"), (p.Manifest.Input.Modality, p.Manifest.Output.Kind));
        Assert.True(p.Manifest.Card.Baseline);
        Assert.Contains("Not a trained model", p.Manifest.Description);
    }

    [Fact]
    public void The_ct_bone_baseline_in_onnx_runtime_equals_a_250_hu_threshold_opened_in_each_slice_by_scipy()
    {
        // HU-like values: noise around soft tissue, a bone block, single hot voxels the opening must drop, values past the clip.
        var rng = new Random(250);
        var image = TestVolumes.Make(24, 20, 6, (i, j, k) =>
            (i is >= 5 and < 15 && j is >= 4 and < 12 ? 700 : 40) + rng.NextDouble() * 60 + ((i * 7 + j * 3 + k) % 97 == 0 ? 900 : 0) + (i == 23 ? 5000 : 0));
        using var predictor = new ModelPredictor(ModelPackage.Open(Models("ct-bone-threshold-baseline")), new OnnxSessionFactory());
        var mask = TestVolumes.Values(predictor.Predict(image).LabelMap!);

        var dir = Directory.CreateTempSubdirectory("mira-ct-bone-").FullName;
        Python.WriteFloats(Path.Combine(dir, "hu.f32"), TestVolumes.Values(image));
        Python.Run("""
            import sys
            import numpy as np
            from scipy import ndimage
            d = sys.argv[1]
            hu = np.clip(np.fromfile(d + "/hu.f32", dtype=np.float32), -1024, 3071).reshape(6, 20, 24)
            above = (hu >= 250).astype(np.uint8)
            # Grey erosion then dilation with a 1 x 3 x 3 window; 'nearest' padding repeats edge voxels, which are in the window anyway,
            # as ONNX MaxPool's padding (ignored, never chosen) does.
            opened = ndimage.grey_dilation(ndimage.grey_erosion(above, size=(1, 3, 3), mode="nearest"), size=(1, 3, 3), mode="nearest")
            opened.astype(np.float32).tofile(d + "/mask.f32")
            """, dir);
        Assert.Equal(Python.ReadFloats(Path.Combine(dir, "mask.f32")), mask);
        Assert.InRange(mask.Count(v => v == 1), 40, mask.Length / 2); // the block, not the noise
    }

    [Fact]
    public void The_pet_baseline_in_onnx_runtime_equals_41_percent_of_suvmax_in_numpy()
    {
        // Bq/ml-like modality values: noise, two hot blobs; SUVbw factor 0.00021 g/ml per Bq/ml.
        var rng = new Random(41);
        var image = TestVolumes.Make(24, 20, 12, (i, j, k) =>
            rng.NextDouble() * 3000 + 20000 * Math.Exp(-((i - 6) * (i - 6) + (j - 5) * (j - 5) + (k - 4) * (k - 4)) / 4.0)
                                    + 12000 * Math.Exp(-((i - 17) * (i - 17) + (j - 14) * (j - 14) + (k - 8) * (k - 8)) / 6.0));
        const double factor = 0.00021;
        using var predictor = new ModelPredictor(ModelPackage.Open(Models("pet-suv41-baseline")), new OnnxSessionFactory());
        var mask = TestVolumes.Values(predictor.Predict(image, factor).LabelMap!);

        var dir = Directory.CreateTempSubdirectory("mira-suv41-").FullName;
        Python.WriteFloats(Path.Combine(dir, "bqml.f32"), TestVolumes.Values(image));
        Python.Run("""
            import sys
            import numpy as np
            d = sys.argv[1]
            bqml = np.fromfile(d + "/bqml.f32", dtype=np.float32)
            suv = (bqml.astype(np.float64) * float(sys.argv[2])).astype(np.float32)
            mask = (suv >= np.float32(0.41) * suv.max()) & (suv > 0)
            mask.astype(np.float32).tofile(d + "/mask.f32")
            """, dir, factor.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        var expected = Python.ReadFloats(Path.Combine(dir, "mask.f32"));
        Assert.Equal(expected, mask);
        Assert.InRange(mask.Count(v => v == 1), 10, mask.Length / 4); // a lesion, not everything
    }

    [Fact]
    public void The_glioma_net_in_onnx_runtime_reproduces_torch_and_segments_a_synthetic_case()
    {
        var folder = Models("glioma-synthetic-baseline");
        var dir = Directory.CreateTempSubdirectory("mira-glioma-").FullName;
        Python.Run("""
            import sys
            sys.dont_write_bytecode = True
            sys.path.insert(0, sys.argv[1])
            import numpy as np
            import torch
            import train
            torch.set_num_threads(2)
            image, mask = train.synthetic_case(np.random.default_rng(2026))
            net = train.TinySegNet()
            net.load_state_dict(torch.load(sys.argv[1] + "/weights.pt"))
            net.eval()
            with torch.no_grad():
                p = torch.softmax(net(torch.from_numpy(train.preprocess(image))[None, None]), dim=1)[0, 1].numpy()
            d = sys.argv[2]
            image.astype(np.float32).tofile(d + "/image.f32")
            mask.astype(np.float32).tofile(d + "/mask.f32")
            p.astype(np.float32).tofile(d + "/torch.f32")
            """, folder, dir);
        var raw = Python.ReadFloats(Path.Combine(dir, "image.f32"));
        var image = TestVolumes.Make(32, 32, 16, (i, j, k) => raw[i + 32 * (j + 32 * k)]);
        using var predictor = new ModelPredictor(ModelPackage.Open(folder), new OnnxSessionFactory());
        var prediction = predictor.Predict(image);
        var ort = TestVolumes.Values(prediction.Probability!);
        var torch = Python.ReadFloats(Path.Combine(dir, "torch.f32"));
        Assert.Equal(torch.Length, ort.Length);
        Assert.True(torch.Zip(ort).All(t => Math.Abs(t.First - t.Second) < 1e-5), $"largest difference {torch.Zip(ort).Max(t => Math.Abs(t.First - t.Second))}");
        var labels = TestVolumes.Values(prediction.LabelMap!);
        var truth = Python.ReadFloats(Path.Combine(dir, "mask.f32"));
        var both = labels.Zip(truth).Count(t => t.First == 1 && t.Second == 1);
        var dice = 2.0 * both / (labels.Count(v => v == 1) + truth.Count(v => v == 1));
        Assert.True(dice > 0.9, $"Dice {dice:0.###} on a synthetic case");
        Assert.Equal(VoxelType.UInt8, prediction.LabelMap!.Type);
    }
}
