using System.Text.Json;
using Mira.Imaging.MetaImage;
using Mira.Imaging.Volumes;
using Mira.Testing;

namespace Mira.Metrics.Tests;

/// <summary>
/// Generates the bench mask pair once (<c>../shared/bench/gen_bench_data.py --only masks --mask-size 48</c>) into a
/// temporary folder. The manifest's distance references need scipy (python3-scipy, installed by tools/test.sh).
/// </summary>
public sealed class BenchMasks : IDisposable
{
    public const string Python = "/usr/bin/python3";

    public BenchMasks()
    {
        Folder = Path.Combine(Path.GetTempPath(), "mira-metrics-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        ExternalTool.Run(Python, Path.Combine(Corpus.SharedRoot, "bench", "gen_bench_data.py"), Folder, "--only", "masks", "--mask-size", "48");
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(Folder, "manifest.json")));
        Manifest = doc.RootElement.GetProperty("datasets").GetProperty("masks").Clone();
    }

    public string Folder { get; }
    public JsonElement Manifest { get; }

    public double Reference(string key) => Manifest.TryGetProperty(key, out var v)
        ? v.GetDouble()
        : throw new InvalidOperationException($"the bench manifest has no {key}: scipy missing? (apt-get install python3-scipy; tools/test.sh installs it)");

    public string File(string name) => Path.Combine(Folder, "masks", name);

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

public class BenchMaskTests(BenchMasks bench) : IClassFixture<BenchMasks>
{
    [Fact]
    public void MhaPairGivesTheManifestReferences()
    {
        Assert.NotNull(BinaryMask.TryReadPlainMha(bench.File("mask_a.mha"), null)); // the bench files take the fast path
        var a = BinaryMask.Read(bench.File("mask_a.mha"));
        var b = BinaryMask.Read(bench.File("mask_b.mha"));
        var r = SegmentationMetrics.Compute(a, b);
        Assert.Equal((long)bench.Reference("voxels_a"), r.ReferenceVoxels);
        Assert.Equal((long)bench.Reference("voxels_b"), r.PredictionVoxels);
        Assert.Equal((long)bench.Reference("voxels_intersection"), r.IntersectionVoxels);
        Assert.Equal(bench.Reference("dice"), r.Dice, 12);
        Assert.Equal(bench.Reference("jaccard"), r.Jaccard, 12);
        Assert.Equal(bench.Reference("hausdorff_boundary_mm"), r.HausdorffMm, 9);
        Assert.Equal(bench.Reference("hd95_boundary_pooled_mm"), r.Hd95PooledMm, 9);
        Assert.Equal(bench.Reference("hd95_boundary_max_of_directed_mm"), r.Hd95MaxOfDirectedMm, 9);
        Assert.Equal(bench.Reference("avg_surface_distance_mm"), r.AssdMm, 9);
    }

    [Fact]
    public void TreeAndTransformAgreeBitForBitOnTheBenchMasks()
    {
        var a = BinaryMask.Read(bench.File("mask_a.mha"));
        var b = BinaryMask.Read(bench.File("mask_b.mha"));
        var tree = SegmentationMetrics.DirectedByTree(a, b);
        var edt = SegmentationMetrics.DirectedByTransform(a, b);
        Assert.Equal(edt.ReferenceToPrediction, tree.ReferenceToPrediction);
        Assert.Equal(edt.PredictionToReference, tree.PredictionToReference);
    }

    [Fact]
    public void NiftiPairGivesTheSameAsMha()
    {
        var mha = SegmentationMetrics.Compute(BinaryMask.Read(bench.File("mask_a.mha")), BinaryMask.Read(bench.File("mask_b.mha")));
        if (!System.IO.File.Exists(bench.File("mask_a.nii.gz")))
            throw new InvalidOperationException("the bench script wrote no NIfTI masks: nibabel missing (apt-get install python3-nibabel)");
        var nii = SegmentationMetrics.Compute(BinaryMask.Read(bench.File("mask_a.nii.gz")), BinaryMask.Read(bench.File("mask_b.nii.gz")));
        Assert.Equal(mha, nii);
    }

    [Fact]
    public void AnisotropicSpacingMatchesDiceNumpy()
    {
        // The bench masks rewritten with spacing 0.7 × 1.2 × 2.5 mm, compared with dice_numpy.py --distances.
        var paths = new List<string>();
        foreach (var name in new[] { "mask_a", "mask_b" })
        {
            var v = MetaImageFile.Read(bench.File(name + ".mha"));
            var path = Path.Combine(bench.Folder, name + "_aniso.mha");
            MetaImageFile.Write(path, new Volume(v.Size, v.Type, v.Data, VolumeGeometry.Identity(0.7, 1.2, 2.5)));
            paths.Add(path);
        }
        var script = Path.Combine(Corpus.SharedRoot, "bench", "dice_numpy.py");
        using var doc = JsonDocument.Parse(ExternalTool.Run(BenchMasks.Python, script, paths[0], paths[1], "--distances"));
        var e = doc.RootElement;
        var r = SegmentationMetrics.Compute(BinaryMask.Read(paths[0]), BinaryMask.Read(paths[1]));
        Assert.Equal([0.7, 1.2, 2.5], BinaryMask.Read(paths[0]).Spacing);
        Assert.Equal(e.GetProperty("dice").GetDouble(), r.Dice, 12);
        Assert.Equal(e.GetProperty("jaccard").GetDouble(), r.Jaccard, 12);
        Assert.Equal(e.GetProperty("hausdorff_mm").GetDouble(), r.HausdorffMm, 9);
        Assert.Equal(e.GetProperty("hd95_pooled_mm").GetDouble(), r.Hd95PooledMm, 9);
        Assert.Equal(e.GetProperty("avg_surface_distance_mm").GetDouble(), r.AssdMm, 9);
    }
}
