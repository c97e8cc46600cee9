using System.Diagnostics;
using Mira.Imaging.Volumes;
using Mira.Inference.Manifest;
using Mira.Inference.Packages;
using Mira.Inference.Sessions;

namespace Mira.Inference.Prediction;

/// <summary>
/// Runs a model package on image volumes: the manifest's preprocessing (intensity source, clip, scale, offset;
/// resampling to its spacing, linear), the model (NCDHW: the whole volume as one tensor; NCHW: slice by slice along k),
/// and the postprocessing back into the image grid (nearest neighbour from a resampled grid): a label map, the foreground
/// probability per voxel when the output is probabilistic, or class scores. The session is made once, in the constructor.
/// </summary>
public sealed class ModelPredictor : IDisposable
{
    readonly IModelSession session;
    readonly TensorInfo input;
    readonly TensorInfo output;
    readonly ModelPredictorOptions options;

    public ModelPredictor(ModelPackage package, IModelSessionFactory factory, ModelPredictorOptions? options = null)
    {
        Package = package;
        Manifest = package.Manifest;
        this.options = options ?? ModelPredictorOptions.Default;
        session = factory.Create(package.OnnxBytes);
        try
        {
            input = ModelSessions.ResolveInput(session, Manifest);
            output = ModelSessions.ResolveOutput(session, Manifest);
            var rank = Manifest.Input.Layout == "NCDHW" ? 5 : 4;
            if (input.Shape.Length != rank)
                throw new ModelPackageException($"/input/layout: {Manifest.Input.Layout} needs a rank-{rank} input, but '{input.Name}' is [{Dims(input.Shape)}]");
            if (input.Shape[1] is not (1 or -1))
                throw new ModelPackageException($"/input: '{input.Name}' takes {input.Shape[1]} channels; Mira gives one series (one channel) per case");
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public ModelPackage Package { get; }
    public ModelManifest Manifest { get; }

    /// <summary>Predicts on one 3D volume of modality values (Rescale Slope/Intercept applied, as DicomVolumeBuilder gives).</summary>
    /// <param name="suvBwFactor">the SUVbw factor per modality unit (PetSuv), needed when the input source is suvbw</param>
    public Prediction Predict(Volume image, double? suvBwFactor = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank != 3) throw new ModelPackageException($"the image is {string.Join('×', image.Size)}: a model takes one 3D volume");
        if (image.Type.IsColour()) throw new ModelPackageException($"the image is {image.Type}: a model takes grey values");
        var m = Manifest.Input;
        if (m.Intensity.Source == IntensityTransform.SuvBw && suvBwFactor is not (> 0 and < double.PositiveInfinity))
            throw new ModelPackageException($"{Manifest.Name} reads SUVbw: the series' SUVbw factor is needed (got {suvBwFactor?.ToString() ?? "none"})");
        var watch = Stopwatch.StartNew();
        var size = image.Size[..3];
        Cap(image.VoxelCount, "the image");
        var values = Preprocess(image, m.Intensity, m.Intensity.Source == IntensityTransform.SuvBw ? suvBwFactor!.Value : 1);
        var modelSize = size;
        double[]? step = null;
        if (m.Spacing is { } spacing)
        {
            modelSize = VoxelResampler.ModelSize(size, image.Geometry.Spacing, spacing);
            step = Enumerable.Range(0, 3).Select(a => spacing[a] / image.Geometry.Spacing[a]).ToArray();
            Cap((long)modelSize[0] * modelSize[1] * modelSize[2], "the resampled input");
            values = VoxelResampler.Linear(values, size, modelSize, step);
        }
        Cap(values.LongLength, "the input");
        var preprocess = watch.Elapsed;

        watch.Restart();
        var (outShape, outData) = Run(values, modelSize);
        var inference = watch.Elapsed;

        watch.Restart();
        var post = OutputDecoder.Decode(Manifest.Output, outShape, outData, modelSize, Manifest.Input.Layout);
        Prediction result;
        if (post.Scores is not null)
            result = new Prediction(null, null, post.Scores, default!);
        else
        {
            var labels = post.Labels!;
            var probability = post.Probability;
            if (step is not null)
            {
                labels = VoxelResampler.NearestBack(labels, modelSize, size, step);
                if (probability is not null) probability = VoxelResampler.NearestBack(probability, modelSize, size, step);
            }
            result = new Prediction(LabelVolume(labels, size, image.Geometry), probability is null ? null : FloatVolume(probability, size, image.Geometry), null, default!);
        }
        return result with { Timings = new PredictionTimings(preprocess, inference, watch.Elapsed) };
    }

    /// <summary>The tensor values of every voxel: the modality value (× the SUVbw factor), clipped, scaled, offset.</summary>
    internal static float[] Preprocess(Volume image, IntensityTransform t, double factor)
    {
        var result = new float[image.VoxelCount];
        for (long i = 0; i < result.LongLength; i++) result[i] = t.Apply(image.GetValue(i) * factor);
        return result;
    }

    (int[] Shape, float[] Data) Run(float[] values, int[] size)
    {
        var (nx, ny, nz) = (size[0], size[1], size[2]);
        if (Manifest.Input.Layout == "NCDHW")
        {
            var shape = new[] { 1, 1, nz, ny, nx };
            CheckFits(shape);
            var o = RunOne(new ModelTensor(shape, values));
            return (o.Shape, o.Data);
        }
        if (Manifest.Output.Kind == OutputKinds.Scores)
        {
            // An NCHW classifier reads a 2D image (a photograph, a slide tile, one radiograph): one slice.
            if (nz != 1) throw new ModelPackageException($"{Manifest.Name} classifies 2D images (NCHW) but the image has {nz} slices");
            var shape = new[] { 1, 1, ny, nx };
            CheckFits(shape);
            var o = RunOne(new ModelTensor(shape, values));
            return (o.Shape, o.Data);
        }
        // NCHW: one slice (k) at a time; the outputs are stacked along a new depth axis after the channel: N, C, D, H, W.
        var slice = nx * ny;
        float[]? stacked = null;
        int[]? sliceShape = null;
        for (var k = 0; k < nz; k++)
        {
            var shape = new[] { 1, 1, ny, nx };
            if (k == 0) CheckFits(shape);
            var o = RunOne(new ModelTensor(shape, values.AsSpan(k * slice, slice).ToArray()));
            if (sliceShape is null)
            {
                sliceShape = o.Shape;
                Cap((long)o.Data.Length * nz, "the output");
                stacked = new float[(long)o.Data.Length * nz];
            }
            else if (!o.Shape.SequenceEqual(sliceShape))
                throw new ModelPackageException($"output '{output.Name}' changed shape between slices: [{Dims(sliceShape)}] then [{Dims(o.Shape)}]");
            // Interleave: for each leading (N·C) plane, slice k's H·W block goes to depth k.
            var plane = sliceShape.Length >= 2 ? sliceShape[^2] * sliceShape[^1] : o.Data.Length;
            var lead = o.Data.Length / plane;
            for (var c = 0; c < lead; c++)
                Array.Copy(o.Data, c * plane, stacked!, ((long)c * nz + k) * plane, plane);
        }
        if (sliceShape!.Length < 2) throw new ModelPackageException($"output '{output.Name}' is [{Dims(sliceShape)}] per slice, not a voxel map");
        int[] full = [.. sliceShape[..^2], nz, sliceShape[^2], sliceShape[^1]];
        return (full, stacked!);
    }

    ModelTensor RunOne(ModelTensor tensor)
    {
        var outputs = session.Run(input.Name, tensor, [output.Name]);
        var o = outputs[output.Name];
        Cap(o.Data.LongLength, "the output");
        return o;
    }

    void CheckFits(int[] shape)
    {
        for (var d = 0; d < shape.Length; d++)
            if (input.Shape[d] >= 0 && input.Shape[d] != shape[d])
                throw new ModelPackageException($"input '{input.Name}' is [{Dims(input.Shape)}] but the image gives [{Dims(shape)}] ({Manifest.Input.Layout}); the model takes a fixed size this image does not have");
    }

    void Cap(long elements, string what)
    {
        if (elements > options.MaxTensorElements)
            throw new ModelPackageException($"{what} would hold {elements} values, more than the limit of {options.MaxTensorElements} (ModelPredictorOptions.MaxTensorElements)");
    }

    static string Dims(int[] shape) => string.Join(", ", shape.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    static Volume LabelVolume(float[] labels, int[] size, VolumeGeometry geometry)
    {
        var type = labels.Length == 0 || labels.Max() <= byte.MaxValue ? VoxelType.UInt8 : VoxelType.UInt16;
        var v = Volume.Create(size, type, geometry);
        for (long i = 0; i < labels.LongLength; i++) v.SetValue(i, labels[i]);
        return v;
    }

    static Volume FloatVolume(float[] values, int[] size, VolumeGeometry geometry)
    {
        var bytes = new byte[values.LongLength * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian) VoxelTypes.SwapBytes(bytes, 4);
        return new Volume(size, VoxelType.Float32, bytes, geometry);
    }

    public void Dispose() => session.Dispose();
}
