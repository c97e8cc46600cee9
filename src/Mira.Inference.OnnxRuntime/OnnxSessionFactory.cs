using Microsoft.ML.OnnxRuntime;
using Mira.Inference.Sessions;

namespace Mira.Inference.OnnxRuntime;

/// <summary>Makes ONNX Runtime sessions on the CPU execution provider (the one Mira uses; docs/models.md).</summary>
public sealed class OnnxSessionFactory : IModelSessionFactory
{
    /// <param name="intraOpThreads">threads one operator may use (1 by default: workers run side by side)</param>
    public OnnxSessionFactory(int intraOpThreads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        IntraOpThreads = intraOpThreads;
    }

    public int IntraOpThreads { get; }

    public IModelSession Create(byte[] onnxModel)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        var options = new SessionOptions
        {
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            return new OnnxModelSession(new InferenceSession(onnxModel, options));
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelPackageException($"model.onnx cannot be loaded by ONNX Runtime: {e.Message}");
        }
        finally
        {
            options.Dispose();
        }
    }
}
