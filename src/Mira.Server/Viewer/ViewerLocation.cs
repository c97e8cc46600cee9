namespace Mira.Server.Viewer;

/// <summary>
/// Finds the OHIF Viewer's prebuilt files (the <c>dist</c> folder of the npm package <c>@ohif/app</c>, docs/viewer.md):
/// the folder given by <c>--viewer-dir</c> or <c>MIRA_VIEWER</c>; else <c>viewer/</c> beside the program (a published
/// build, tools/publish.sh); else the folder the build extracted it to, named in <c>mira-viewer.path</c> beside the
/// program (OhifViewer.targets). A folder counts only when it holds <c>index.html</c>.
/// </summary>
public static class ViewerLocation
{
    public const string EnvironmentVariable = "MIRA_VIEWER";
    public const string PathFileName = "mira-viewer.path";

    /// <summary>The viewer folder, or null when none is installed. <paramref name="configured"/> wins when given.</summary>
    public static string? Find(string? configured)
    {
        foreach (var candidate in Candidates(configured))
            if (candidate is { Length: > 0 } && File.Exists(Path.Combine(candidate, "index.html")))
                return Path.GetFullPath(candidate);
        return null;
    }

    /// <summary>Where <see cref="Find"/> looked, for the page that says the viewer is missing.</summary>
    public static IReadOnlyList<string> Candidates(string? configured)
    {
        if (configured is { Length: > 0 }) return [configured];
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) return [env];
        var list = new List<string> { Path.Combine(AppContext.BaseDirectory, "viewer") };
        var pathFile = Path.Combine(AppContext.BaseDirectory, PathFileName);
        if (File.Exists(pathFile) && File.ReadLines(pathFile).FirstOrDefault()?.Trim() is { Length: > 0 } built) list.Add(built);
        return list;
    }
}
