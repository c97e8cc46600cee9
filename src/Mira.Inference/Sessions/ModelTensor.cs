namespace Mira.Inference.Sessions;

/// <summary>A dense float32 tensor, row-major (the last dimension varies fastest).</summary>
public sealed record ModelTensor
{
    public ModelTensor(int[] shape, float[] data)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ModelPackageException($"tensor shape [{string.Join(", ", shape)}] has a negative dimension");
            n = checked(n * d);
        }
        if (n != data.LongLength) throw new ModelPackageException($"tensor shape [{string.Join(", ", shape)}] needs {n} values, got {data.Length}");
        Shape = shape;
        Data = data;
    }

    public int[] Shape { get; }
    public float[] Data { get; }

    public override string ToString() => $"[{string.Join("×", Shape)}]";
}

/// <summary>An input or output of a model: its name and shape (−1 for a dynamic dimension).</summary>
public sealed record TensorInfo(string Name, int[] Shape, string ElementType);
