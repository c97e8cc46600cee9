namespace Mira.Inference.Packages;

/// <summary>What a model package may be: it is untrusted input (an upload), so its size, entry count and names are bounded.</summary>
public sealed record ModelPackageLimits
{
    /// <summary>Largest package: the zip file, or the files of a folder together, and the decompressed entries together.</summary>
    public long MaxPackageBytes { get; init; } = 512L << 20;
    /// <summary>Most files in a package (model.onnx, mira-model.json and a few notes or scripts).</summary>
    public int MaxEntries { get; init; } = 64;
    /// <summary>Largest decompressed/compressed ratio of one zip entry (a zip bomb is refused before it fills memory).</summary>
    public double MaxCompressionRatio { get; init; } = 200;

    public static ModelPackageLimits Default { get; } = new();
}
