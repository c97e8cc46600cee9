namespace Mira.Inference.Sessions;

/// <summary>A loaded model ready to run; made once per process and used for every case (not thread-safe unless the implementation says so).</summary>
public interface IModelSession : IDisposable
{
    IReadOnlyList<TensorInfo> Inputs { get; }
    IReadOnlyList<TensorInfo> Outputs { get; }

    /// <summary>Runs the model on one input and returns the requested outputs by name, converted to float32.</summary>
    IReadOnlyDictionary<string, ModelTensor> Run(string inputName, ModelTensor input, IReadOnlyList<string> outputNames);
}

/// <summary>Makes sessions from a model's ONNX bytes (the runtime is a native leaf the hosts choose).</summary>
public interface IModelSessionFactory
{
    IModelSession Create(byte[] onnxModel);
}
