using Mira.Imaging;
using Mira.Imaging.Formats;
using Mira.Imaging.Segmentation;
using Mira.Imaging.Volumes;
using Mira.Metrics;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>What one segmentation case gives: its metrics, detection score and voxel calibration sample.</summary>
sealed record SegmentationCaseScore(IReadOnlyList<SegmentationResult> Structures, double? DetectionScore, bool ReferencePositive,
    int[] CalibrationLabels, double[] CalibrationProbabilities);

/// <summary>
/// Scores one case: reads its label maps (and probability map), puts them on one grid with
/// <see cref="GridAlignment.ToUnionGrid"/> (what <c>mira metrics seg</c> does: same spacing and direction, whole-voxel
/// offsets, anything else refused), builds a <see cref="BinaryMask"/> per structure and calls
/// <see cref="SegmentationMetrics.Compute"/>.
/// </summary>
static class SegmentationCaseScorer
{
    public static SegmentationCaseScore Score(EvaluationCase c, IReadOnlyList<ScoredStructure> structures, EvaluationSpec spec, EmptyMaskConventions conventions)
    {
        var id = c.CaseId;
        var reference = Load(c.Reference, c.ReferencePath, id, "reference", scaled: false)
            ?? throw new EvaluationException($"case {id}: no reference label map");
        var prediction = Load(c.Prediction, c.PredictionPath, id, "prediction", scaled: false)
            ?? throw new EvaluationException($"case {id}: no predicted label map");
        var probability = Load(c.Probability, c.ProbabilityPath, id, "probability map", scaled: true);
        if (probability is not null && (probability.Frames != 1 || !probability.Size.AsSpan(0, 3).SequenceEqual(prediction.Size.AsSpan(0, 3))
            || !probability.Geometry.ApproximatelyEquals(prediction.Geometry, 1e-3)))
            throw new EvaluationException($"case {id}: the probability map ({probability}) is not on the predicted label map's grid ({prediction})");
        try
        {
            var (r, p) = GridAlignment.ToUnionGrid(reference, prediction, "the reference", "the prediction");
            if (probability is not null && !ReferenceEquals(p, prediction)) (_, probability) = GridAlignment.ToUnionGrid(reference, probability);
            (reference, prediction) = (r, p);
        }
        catch (ImagingException e)
        {
            throw new EvaluationException($"case {id}: {e.Message}", e);
        }
        CheckLabels(reference, structures, id, "reference");
        CheckLabels(prediction, structures, id, "prediction");

        var results = new SegmentationResult[structures.Count];
        for (var s = 0; s < structures.Count; s++)
            results[s] = SegmentationMetrics.Compute(Mask(reference, structures[s].Values), Mask(prediction, structures[s].Values), spec.SurfaceToleranceMm, conventions);

        var allValues = structures.SelectMany(s => s.Values).Distinct().Order().ToArray();
        var refForeground = Mask(reference, allValues);
        var referencePositive = refForeground.Voxels.AsSpan().Contains(true);
        if (probability is null) return new SegmentationCaseScore(results, null, referencePositive, [], []);
        var max = MaxProbability(probability, id);
        var (labels, probs) = CalibrationSample(refForeground, Mask(prediction, allValues), probability, spec);
        return new SegmentationCaseScore(results, max, referencePositive, labels, probs);
    }

    static Volume? Load(Volume? given, string? path, string caseId, string what, bool scaled)
    {
        if (given is not null && path is not null) throw new EvaluationException($"case {caseId}: give the {what} as a volume or as a path, not both");
        Volume? v = given;
        if (path is not null)
        {
            try
            {
                v = VolumeFormats.Default.Read(path, new VolumeReadOptions { ApplyScaling = scaled });
            }
            catch (Exception e) when (e is ImagingException or IOException or FormatException)
            {
                throw new EvaluationException($"case {caseId}: cannot read the {what} {Path.GetFileName(path)}: {e.Message}", e);
            }
        }
        if (v is not null && v.Frames != 1) throw new EvaluationException($"case {caseId}: the {what} must be a 3D volume, got {string.Join('×', v.Size)}");
        if (v is not null && v.Type.IsColour()) throw new EvaluationException($"case {caseId}: the {what} has colour voxels ({v.Type})");
        return v;
    }

    /// <summary>A label map must hold whole numbers: a fractional value means a probability map was passed as labels.</summary>
    static void CheckLabels(Volume v, IReadOnlyList<ScoredStructure> structures, string caseId, string what)
    {
        if (v.Type.IsInteger()) return;
        for (long i = 0; i < v.VoxelCount; i++)
        {
            var x = v.GetValue(i);
            if (x != Math.Floor(x) || !double.IsFinite(x))
                throw new EvaluationException($"case {caseId}: the {what} label map holds {x} at voxel {i}, not a label value ({string.Join(", ", structures.Select(s => s.Name))})");
        }
    }

    /// <summary>The voxels whose value is one of <paramref name="values"/>: the OR of <see cref="BinaryMask.FromVolume"/> per value.</summary>
    internal static BinaryMask Mask(Volume v, IReadOnlyList<int> values)
    {
        var mask = BinaryMask.FromVolume(v, values[0]);
        for (var i = 1; i < values.Count; i++)
        {
            var more = BinaryMask.FromVolume(v, values[i]).Voxels;
            var m = mask.Voxels;
            for (var j = 0; j < m.Length; j++) m[j] |= more[j];
        }
        return mask;
    }

    static double MaxProbability(Volume probability, string caseId)
    {
        var max = 0.0;
        for (long i = 0; i < probability.VoxelCount; i++)
        {
            var p = probability.GetValue(i);
            if (!(p >= 0 && p <= 1)) throw new EvaluationException($"case {caseId}: probability {p} at voxel {i} lies outside [0, 1]");
            if (p > max) max = p;
        }
        return max;
    }

    /// <summary>
    /// The voxel sample for calibration: the box holding reference and predicted foreground, widened by
    /// <see cref="EvaluationSpec.CalibrationMarginVoxels"/> on every side (clipped to the volume; the whole volume when
    /// both are empty), walked x fastest and taken at an even stride so that at most
    /// <see cref="EvaluationSpec.CalibrationVoxelsPerCase"/> voxels remain. Deterministic: no random draw.
    /// </summary>
    internal static (int[] Labels, double[] Probabilities) CalibrationSample(BinaryMask reference, BinaryMask prediction, Volume probability, EvaluationSpec spec)
    {
        int nx = reference.Nx, ny = reference.Ny, nz = reference.Nz, m = spec.CalibrationMarginVoxels;
        var box = reference.BoundingBox(prediction) is { } b
            ? (X0: Math.Max(0, b.X0 - m), Y0: Math.Max(0, b.Y0 - m), Z0: Math.Max(0, b.Z0 - m), X1: Math.Min(nx - 1, b.X1 + m), Y1: Math.Min(ny - 1, b.Y1 + m), Z1: Math.Min(nz - 1, b.Z1 + m))
            : (X0: 0, Y0: 0, Z0: 0, X1: nx - 1, Y1: ny - 1, Z1: nz - 1);
        long count = (long)(box.X1 - box.X0 + 1) * (box.Y1 - box.Y0 + 1) * (box.Z1 - box.Z0 + 1);
        var stride = Math.Max(1, (count + spec.CalibrationVoxelsPerCase - 1) / spec.CalibrationVoxelsPerCase);
        var labels = new List<int>();
        var probs = new List<double>();
        long t = 0;
        for (var k = box.Z0; k <= box.Z1; k++)
            for (var j = box.Y0; j <= box.Y1; j++)
                for (var i = box.X0; i <= box.X1; i++, t++)
                {
                    if (t % stride != 0) continue;
                    var o = i + nx * (j + ny * k);
                    labels.Add(reference.Voxels[o] ? 1 : 0);
                    probs.Add(probability.GetValue(o));
                }
        return ([.. labels], [.. probs]);
    }
}
