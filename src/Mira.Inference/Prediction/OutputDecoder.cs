using Mira.Inference.Manifest;

namespace Mira.Inference.Prediction;

/// <summary>
/// Reads a model's output tensor as the manifest says. Voxel outputs end in the spatial dimensions D, H, W of the input
/// (N = 1, an optional channel axis C before them):
/// <list type="bullet">
/// <item><c>labelmap</c>: one channel of label values (rounded); each must be 0 or a value of <c>output.labels</c>.</item>
/// <item><c>probabilities</c> with one channel: the foreground probability; a voxel at or above <c>threshold</c> gets the
/// one label's value.</item>
/// <item><c>probabilities</c> with 1 + L channels (softmax over background and the L labels in order): the foreground
/// probability is 1 − p(background); a voxel at or above the threshold gets the label of its most probable non-background channel.</item>
/// <item><c>scores</c>: K values (shape [K] or [1, K]), one per class, after the manifest's activation.</item>
/// </list>
/// </summary>
internal static class OutputDecoder
{
    public sealed record Decoded(float[]? Labels, float[]? Probability, IReadOnlyList<ClassScore>? Scores);

    public static Decoded Decode(ModelOutput spec, int[] shape, float[] data, int[] size, string layout)
    {
        if (spec.Kind == OutputKinds.Scores) return new Decoded(null, null, Scores(spec, shape, data, layout));
        var (nx, ny, nz) = (size[0], size[1], size[2]);
        var voxels = (long)nx * ny * nz;
        if (shape.Length < 3 || shape[^1] != nx || shape[^2] != ny || shape[^3] != nz || shape.Length > 5 || (shape.Length >= 4 && shape[0] != 1))
            throw new ModelPackageException($"output shape [{string.Join(", ", shape)}] is not (1, [C,] {nz}, {ny}, {nx}): a voxel output must keep the input's grid");
        var channels = (int)(data.LongLength / voxels);
        return spec.Kind switch
        {
            OutputKinds.LabelMap => new Decoded(LabelMap(spec, data, channels), null, null),
            OutputKinds.Probabilities => Probabilities(spec, data, channels, voxels),
            _ => throw new ModelPackageException($"/output/kind: '{spec.Kind}' is not known"),
        };
    }

    static float[] LabelMap(ModelOutput spec, float[] data, int channels)
    {
        if (channels != 1) throw new ModelPackageException($"a labelmap output has one channel, this one has {channels}");
        var allowed = spec.Labels.Select(l => l.Value).Append(0).ToHashSet();
        var result = new float[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            var v = MathF.Round(data[i]);
            if (!allowed.Contains((int)v))
                throw new ModelPackageException($"the label map has the value {data[i]} at element {i}, which is neither 0 nor a value of /output/labels");
            result[i] = v;
        }
        return result;
    }

    static Decoded Probabilities(ModelOutput spec, float[] data, int channels, long voxels)
    {
        var threshold = (float)spec.Threshold!.Value;
        var labels = new float[voxels];
        var foreground = new float[voxels];
        if (channels == 1)
        {
            if (spec.Labels.Count != 1)
                throw new ModelPackageException($"a one-channel probability output gives one label, but /output/labels has {spec.Labels.Count}");
            var value = spec.Labels[0].Value;
            for (long i = 0; i < voxels; i++)
            {
                foreground[i] = data[i];
                labels[i] = data[i] >= threshold ? value : 0;
            }
            return new Decoded(labels, foreground, null);
        }
        if (channels != spec.Labels.Count + 1)
            throw new ModelPackageException($"a probability output has 1 channel or 1 + {spec.Labels.Count} (background and /output/labels), this one has {channels}");
        for (long i = 0; i < voxels; i++)
        {
            var p = 1 - data[i];
            foreground[i] = p;
            if (p < threshold) continue;
            var best = 1;
            for (var c = 2; c < channels; c++) if (data[c * voxels + i] > data[best * voxels + i]) best = c;
            labels[i] = spec.Labels[best - 1].Value;
        }
        return new Decoded(labels, foreground, null);
    }

    static IReadOnlyList<ClassScore> Scores(ModelOutput spec, int[] shape, float[] data, string layout)
    {
        if (layout != "NCDHW" && layout != "NCHW") throw new ModelPackageException($"layout {layout} cannot give scores");
        if (shape.Length > 2 || (shape.Length == 2 && shape[0] != 1) || data.Length != spec.Classes.Count)
            throw new ModelPackageException($"a scores output is [K] or [1, K] with K = {spec.Classes.Count} classes; this one is [{string.Join(", ", shape)}]");
        var raw = data.Select(v => (double)v).ToArray();
        double[] scores = spec.Activation switch
        {
            "softmax" => Softmax(raw),
            "sigmoid" => raw.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(),
            _ => raw,
        };
        return spec.Classes.OrderBy(c => c.Index).Select(c => new ClassScore(c.Index, c.Name, scores[c.Index])).ToArray();
    }

    static double[] Softmax(double[] x)
    {
        var max = x.Max();
        var e = x.Select(v => Math.Exp(v - max)).ToArray();
        var sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
