using System.Security.Cryptography;
using System.Text;

namespace Mira.Platform.Evaluations;

/// <summary>
/// The content hash of an offline test set (a release has its own id): SHA-256 of the listing that has, for every file
/// under the images and labels folders and the cases table, in ordinal order of its relative path, one line
/// <c>&lt;sha256 hex&gt;  &lt;path&gt;\n</c> (paths prefixed <c>images/</c>, <c>labels/</c>, <c>cases.tsv</c>). Any changed voxel,
/// label or field gives another hash, so a report names exactly what it scored.
/// </summary>
public static class TestSetHash
{
    public static string Of(string images, string? labels, string? casesTsv)
    {
        var entries = new List<(string Path, string File)>();
        entries.AddRange(Files(images, "images"));
        if (labels is not null) entries.AddRange(Files(labels, "labels"));
        if (casesTsv is not null) entries.Add(("cases.tsv", casesTsv));
        var listing = new StringBuilder();
        foreach (var (path, file) in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            using var s = File.OpenRead(file);
            listing.Append(Convert.ToHexStringLower(SHA256.HashData(s))).Append("  ").Append(path).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }

    static IEnumerable<(string, string)> Files(string root, string prefix) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => (prefix + "/" + Path.GetRelativePath(root, f).Replace('\\', '/'), f));
}
