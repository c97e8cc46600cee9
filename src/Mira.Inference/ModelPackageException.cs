namespace Mira.Inference;

/// <summary>A model package, its manifest, or a run of it was refused; the message says what and where (a JSON pointer, an entry name, a tensor).</summary>
public sealed class ModelPackageException(string message) : Exception(message);
