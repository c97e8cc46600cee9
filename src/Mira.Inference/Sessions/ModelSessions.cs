using Mira.Inference.Manifest;

namespace Mira.Inference.Sessions;

public static class ModelSessions
{
    /// <summary>The input the manifest names, or the model's only input.</summary>
    public static TensorInfo ResolveInput(IModelSession session, ModelManifest manifest) =>
        Resolve(session.Inputs, manifest.Input.Name, "input", "/input/name");

    /// <summary>The output the manifest names, or the model's only output.</summary>
    public static TensorInfo ResolveOutput(IModelSession session, ModelManifest manifest) =>
        Resolve(session.Outputs, manifest.Output.Name, "output", "/output/name");

    static TensorInfo Resolve(IReadOnlyList<TensorInfo> all, string? name, string what, string pointer)
    {
        if (name is not null)
            return all.FirstOrDefault(t => t.Name == name)
                ?? throw new ModelPackageException($"{pointer}: the model has no {what} '{name}' (it has {string.Join(", ", all.Select(t => t.Name))})");
        if (all.Count != 1)
            throw new ModelPackageException($"{pointer}: the model has {all.Count} {what}s ({string.Join(", ", all.Select(t => t.Name))}); the manifest must name one");
        return all[0];
    }
}
