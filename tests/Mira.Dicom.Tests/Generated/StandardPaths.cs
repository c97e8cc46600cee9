namespace Mira.Dicom.Tests.Generated;

/// <summary>The repository root (found by walking up to Mira.slnx) and the shared standard tables beside it.</summary>
static class StandardPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>&lt;root&gt;/../shared/dicom-standard</c>.</summary>
    public static string StandardDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "dicom-standard"));

    public static string GeneratedDir => Path.Combine(RepoRoot, "src", "Mira.Dicom", "Generated");

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Mira.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"Mira.slnx not found above {AppContext.BaseDirectory}");
    }
}
