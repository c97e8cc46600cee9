using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Platform.Evaluations.Engine;

namespace Mira.Platform.Tests.Evaluations;

/// <summary>Synthetic label maps with known overlaps, probability maps, and temporary folders for the evaluation tests.</summary>
static class EvaluationFixtures
{
    /// <summary>A UInt8 label map of <paramref name="n"/>³ voxels at the given spacing, value <c>label(i, j, k)</c>.</summary>
    public static Volume LabelMap(int n, Func<int, int, int, int> label, double sz = 1)
    {
        var v = Volume.Create([n, n, n], VoxelType.UInt8, VolumeGeometry.Identity(1, 1, sz));
        for (var k = 0; k < n; k++)
            for (var j = 0; j < n; j++)
                for (var i = 0; i < n; i++)
                    v.SetValue(v.Index(i, j, k), label(i, j, k));
        return v;
    }

    /// <summary>A Float32 map on the same grid as <paramref name="like"/>, value <c>p(i, j, k)</c>.</summary>
    public static Volume Probability(Volume like, Func<int, int, int, double> p)
    {
        var v = Volume.Create(like.Size, VoxelType.Float32, like.Geometry);
        for (var k = 0; k < like.Nz; k++)
            for (var j = 0; j < like.Ny; j++)
                for (var i = 0; i < like.Nx; i++)
                    v.SetValue(v.Index(i, j, k), p(i, j, k));
        return v;
    }

    /// <summary>A box [lo, lo + size) on each axis shifted by <paramref name="shift"/> voxels along x: label 1 core, label 2 a shell slab on top (z) when <paramref name="two"/>.</summary>
    public static Func<int, int, int, int> Box(int lo, int size, int shift = 0, bool two = false) => (i, j, k) =>
    {
        var inside = i >= lo + shift && i < lo + shift + size && j >= lo && j < lo + size && k >= lo && k < lo + size;
        if (!inside) return 0;
        return two && k >= lo + size - 2 ? 2 : 1;
    };

    public static EvaluationSpec TwoLabelSpec(int replicates = 400) => new(EvaluationTask.Segmentation,
        [new EvaluationLabel(1, "core"), new EvaluationLabel(2, "rim")])
    {
        Regions = [new EvaluationRegion("whole", [1, 2])],
        BootstrapReplicates = replicates,
        BootstrapSeed = 7,
    };

    /// <summary>
    /// Eight segmentation cases of six patients (P1 and P2 hold two cases each), on two sites (by patient), with growing shifts, so
    /// Dice falls case by case; a probability map where <paramref name="withProbability"/>.
    /// </summary>
    public static List<EvaluationCase> Cases(bool withProbability = false, int n = 20)
    {
        var list = new List<EvaluationCase>();
        string[] patients = ["P1", "P1", "P2", "P2", "P3", "P4", "P5", "P6"];
        for (var c = 0; c < patients.Length; c++)
        {
            var empty = c == 7; // a negative case: nothing in the reference
            var reference = LabelMap(n, empty ? (_, _, _) => 0 : Box(5, 8, 0, two: true));
            var prediction = LabelMap(n, empty ? Box(14, 2) : Box(5, 8, c % 5, two: true));
            var caseFn = Box(5, 8, c % 5, two: true);
            list.Add(new EvaluationCase($"case-{c:D2}", patients[c])
            {
                Reference = reference,
                Prediction = prediction,
                Probability = withProbability
                    ? Probability(reference, (i, j, k) => caseFn(i, j, k) != 0 ? (empty ? 0.3 : 0.55 + 0.05 * (c % 8)) : ((i * 7 + j * 3 + k * 5 + c) % 11) / 40.0)
                    : null,
                Subgroups = new Dictionary<string, string> { ["site"] = patients[c] is "P1" or "P3" or "P5" ? "A" : "B", ["sex"] = patients[c] is "P1" or "P3" ? "F" : "M" },
                InferenceSeconds = 1.5 + c * 0.25,
            });
        }
        return list;
    }

    public static ReportProvenance Provenance() => new("release-7", "sha256:" + new string('a', 64), "brain-seg", "1.2.0", new string('b', 64),
        new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero)) { EvaluatorVersion = "test-1.0" };

    public static string TempFolder()
    {
        var d = Path.Combine(Path.GetTempPath(), "mira-eval-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    public static void WriteNifti(string path, Volume v) => NiftiVolumes.WriteVolume(path, v);
}
