using System.IO.Compression;
using Mira.Inference.Packages;

namespace Mira.Platform.Models;

/// <summary>
/// The form a pushed package is stored in: a zip of its files in ordinal name order, each with the same fixed time
/// stamp, so equal content gives equal bytes whether it was pushed as a folder or as any zip.
/// </summary>
public static class CanonicalPackageZip
{
    static readonly DateTimeOffset Stamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Write(ModelPackage package)
    {
        using var m = new MemoryStream();
        using (var zip = new ZipArchive(m, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var f in package.Files)
            {
                var e = zip.CreateEntry(f.Name, CompressionLevel.Optimal);
                e.LastWriteTime = Stamp;
                using var s = e.Open();
                s.Write(package.ReadFile(f.Name));
            }
        return m.ToArray();
    }

    /// <summary>Writes a package's files into <paramref name="folder"/> (created when missing), for a model worker.</summary>
    public static void Extract(ModelPackage package, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var f in package.Files) File.WriteAllBytes(Path.Combine(folder, f.Name), package.ReadFile(f.Name));
    }
}
