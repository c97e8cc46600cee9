using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mira.Inference.Sessions;

namespace Mira.Inference.OnnxRuntime;

/// <summary>One ONNX Runtime session: float32 in; float, double, integer or boolean outputs converted to float32.</summary>
internal sealed class OnnxModelSession(InferenceSession session) : IModelSession
{
    public IReadOnlyList<TensorInfo> Inputs { get; } = Describe(session.InputMetadata);
    public IReadOnlyList<TensorInfo> Outputs { get; } = Describe(session.OutputMetadata);

    static TensorInfo[] Describe(IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        metadata.Select(m => new TensorInfo(m.Key, m.Value.IsTensor ? m.Value.Dimensions : [], m.Value.IsTensor ? m.Value.ElementDataType.ToString() : m.Value.OnnxValueType.ToString())).ToArray();

    public IReadOnlyDictionary<string, ModelTensor> Run(string inputName, ModelTensor input, IReadOnlyList<string> outputNames)
    {
        var info = Inputs.FirstOrDefault(i => i.Name == inputName) ?? throw new ModelPackageException($"the model has no input '{inputName}'");
        if (info.ElementType != nameof(TensorElementType.Float))
            throw new ModelPackageException($"input '{inputName}' is {info.ElementType}; Mira gives float32 (/input/dtype)");
        using var value = OrtValue.CreateTensorValueFromMemory(input.Data, input.Shape.Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        IDisposableReadOnlyCollection<OrtValue> results;
        try
        {
            results = session.Run(runOptions, [inputName], [value], outputNames);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelPackageException($"the model failed on an input of shape {input}: {e.Message}");
        }
        using (results)
        {
            var map = new Dictionary<string, ModelTensor>(StringComparer.Ordinal);
            for (var i = 0; i < outputNames.Count; i++) map[outputNames[i]] = ToFloat(outputNames[i], results[i]);
            return map;
        }
    }

    static ModelTensor ToFloat(string name, OrtValue v)
    {
        if (!v.IsTensor) throw new ModelPackageException($"output '{name}' is not a tensor");
        var t = v.GetTensorTypeAndShape();
        var shape = t.Shape.Select(d => checked((int)d)).ToArray();
        float[] data = t.ElementDataType switch
        {
            TensorElementType.Float => v.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Double => Convert(v.GetTensorDataAsSpan<double>(), x => (float)x),
            TensorElementType.Int64 => Convert(v.GetTensorDataAsSpan<long>(), x => x),
            TensorElementType.Int32 => Convert(v.GetTensorDataAsSpan<int>(), x => x),
            TensorElementType.Int16 => Convert(v.GetTensorDataAsSpan<short>(), x => x),
            TensorElementType.UInt16 => Convert(v.GetTensorDataAsSpan<ushort>(), x => x),
            TensorElementType.UInt8 => Convert(v.GetTensorDataAsSpan<byte>(), x => x),
            TensorElementType.Int8 => Convert(v.GetTensorDataAsSpan<sbyte>(), x => x),
            TensorElementType.Bool => Convert(v.GetTensorDataAsSpan<bool>(), x => x ? 1f : 0f),
            var other => throw new ModelPackageException($"output '{name}' is {other}; Mira reads float, integer or boolean outputs"),
        };
        return new ModelTensor(shape, data);
    }

    static float[] Convert<T>(ReadOnlySpan<T> span, Func<T, float> f)
    {
        var r = new float[span.Length];
        for (var i = 0; i < r.Length; i++) r[i] = f(span[i]);
        return r;
    }

    public void Dispose() => session.Dispose();
}
