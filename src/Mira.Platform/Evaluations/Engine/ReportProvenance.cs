using System.Reflection;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>
/// Where a report's numbers come from: the dataset release, the model package and the evaluator, and when. The caller
/// passes the time, so the same inputs give the same report bytes.
/// </summary>
/// <param name="ReleaseId">the dataset release (its id in the registry, or a name for an offline test set).</param>
/// <param name="ReleaseHash">the release's content hash.</param>
/// <param name="ModelPackageSha256">SHA-256 of the model package file, 64 lowercase hex digits.</param>
/// <param name="Created">when the evaluation ran (written in UTC).</param>
public sealed record ReportProvenance(string ReleaseId, string ReleaseHash, string ModelName, string ModelVersion, string ModelPackageSha256, DateTimeOffset Created)
{
    /// <summary>The evaluator's version: Mira.Platform's informational version (with its commit when the build records one).</summary>
    public string EvaluatorVersion { get; init; } = CurrentEvaluatorVersion;

    /// <summary>The split scored (e.g. "test").</summary>
    public string Split { get; init; } = "test";

    public static string CurrentEvaluatorVersion { get; } =
        typeof(ReportProvenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ReportProvenance).Assembly.GetName().Version?.ToString() ?? "unknown";

    internal void Validate()
    {
        foreach (var (name, value) in new[] { ("release id", ReleaseId), ("release hash", ReleaseHash), ("model name", ModelName), ("model version", ModelVersion),
            ("evaluator version", EvaluatorVersion), ("split", Split) })
            if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl) || value.Length > 400)
                throw new EvaluationException($"provenance: the {name} must be 1–400 printable characters");
        if (!IsSha256Hex(ModelPackageSha256)) throw new EvaluationException($"provenance: the model package SHA-256 must be 64 lowercase hex digits, got '{ModelPackageSha256}'");
    }

    internal static bool IsSha256Hex(string? s) => s is { Length: 64 } && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
