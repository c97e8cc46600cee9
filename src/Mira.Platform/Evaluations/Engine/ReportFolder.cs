using System.Security.Cryptography;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>
/// The files of a report folder as the signature lists them: every regular file below the folder except the root's
/// <c>signature.json</c>, by '/'-separated relative path in ordinal order, with SHA-256 and size. A link or anything
/// other than a file or folder is refused (a link could point anywhere); the folder is read with limits.
/// </summary>
public static class ReportFolder
{
    public const string ReportJsonName = "report.json";
    public const string ReportHtmlName = "report.html";
    public const string SignatureName = "signature.json";
    public const int MaxFiles = 10_000;
    public const int MaxDepth = 16;

    /// <summary>The files with their hashes; <paramref name="problems"/> gets one line per entry that cannot be signed.</summary>
    public static IReadOnlyList<SignedFile> Files(string dir, List<string> problems)
    {
        var root = new DirectoryInfo(dir);
        var files = new List<SignedFile>();
        Walk(root, "", 0, files, problems);
        return files.OrderBy(f => f.Path, StringComparer.Ordinal).ToArray();
    }

    static void Walk(DirectoryInfo d, string prefix, int depth, List<SignedFile> files, List<string> problems)
    {
        if (depth > MaxDepth)
        {
            problems.Add($"{prefix} lies more than {MaxDepth} folders deep");
            return;
        }
        foreach (var e in d.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var path = prefix + e.Name;
            if (files.Count >= MaxFiles)
            {
                problems.Add($"the folder holds more than {MaxFiles} files");
                return;
            }
            if (e.LinkTarget is not null) problems.Add($"{path} is a link");
            else if (e is DirectoryInfo sub) Walk(sub, path + "/", depth + 1, files, problems);
            else if (e is FileInfo f && (f.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0)
            {
                if (depth == 0 && e.Name == SignatureName) continue;
                files.Add(new SignedFile(path, Sha256(f.FullName), f.Length));
            }
            else problems.Add($"{path} is not a regular file");
        }
    }

    public static string Sha256(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
