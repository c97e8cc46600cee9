using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Mira.Inference.Manifest;

namespace Mira.Inference.Packages;

/// <summary>One file of a package with its SHA-256 (lower-case hex).</summary>
public sealed record PackageFile(string Name, long Length, string Sha256);

/// <summary>
/// A model package: a folder or a zip holding <c>model.onnx</c> and <c>mira-model.json</c> (and optionally other flat
/// files: notes, the script that built it, its training log). Files sit at the top level; sub-folders, path traversal,
/// links and names outside <c>[A-Za-z0-9._-]</c> are refused, as are packages over the limits (<see cref="ModelPackageLimits"/>).
/// <see cref="Sha256"/> identifies the content whatever the container: SHA-256 of the UTF-8 listing that has, for each
/// file in ordinal name order, one line <c>&lt;sha256 hex&gt;  &lt;name&gt;\n</c> (the output of <c>sha256sum</c> over the sorted files).
/// </summary>
public sealed partial class ModelPackage
{
    public const string ManifestFileName = "mira-model.json";
    public const string ModelFileName = "model.onnx";

    readonly Dictionary<string, byte[]> files;

    ModelPackage(Dictionary<string, byte[]> files)
    {
        this.files = files;
        if (!files.TryGetValue(ManifestFileName, out var manifest)) throw new ModelPackageException($"the package has no {ManifestFileName}");
        if (!files.TryGetValue(ModelFileName, out var onnx)) throw new ModelPackageException($"the package has no {ModelFileName}");
        if (onnx.Length == 0) throw new ModelPackageException($"{ModelFileName} is empty");
        string json;
        try { json = new UTF8Encoding(false, true).GetString(manifest); }
        catch (DecoderFallbackException) { throw new ModelPackageException($"{ManifestFileName} is not UTF-8 text"); }
        ManifestJson = json.TrimStart('\uFEFF');
        Manifest = ModelManifestReader.Read(ManifestJson);
        OnnxBytes = onnx;
        Files = files.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new PackageFile(f.Key, f.Value.LongLength, Convert.ToHexStringLower(SHA256.HashData(f.Value)))).ToArray();
        Sha256 = ContentHash(Files);
    }

    public ModelManifest Manifest { get; }
    public string ManifestJson { get; }
    public byte[] OnnxBytes { get; }
    /// <summary>The content hash (see the class summary), lower-case hex.</summary>
    public string Sha256 { get; }
    /// <summary>Every file, in ordinal name order.</summary>
    public IReadOnlyList<PackageFile> Files { get; }

    /// <summary>The bytes of one file of the package.</summary>
    public byte[] ReadFile(string name) => files.TryGetValue(name, out var b) ? b : throw new ModelPackageException($"the package has no file '{name}'");

    /// <summary>SHA-256 over the listing <c>&lt;sha256&gt;  &lt;name&gt;\n</c> of the files in ordinal name order.</summary>
    public static string ContentHash(IEnumerable<PackageFile> files)
    {
        var listing = new StringBuilder();
        foreach (var f in files.OrderBy(f => f.Name, StringComparer.Ordinal)) listing.Append(f.Sha256).Append("  ").Append(f.Name).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }

    /// <summary>Opens a package folder or a <c>.zip</c> file.</summary>
    public static ModelPackage Open(string path, ModelPackageLimits? limits = null)
    {
        limits ??= ModelPackageLimits.Default;
        if (Directory.Exists(path)) return FromFolder(path, limits);
        if (!File.Exists(path)) throw new ModelPackageException($"{path}: no such package folder or zip file");
        using var s = File.OpenRead(path);
        return Read(s, limits);
    }

    /// <summary>Reads a zipped package.</summary>
    public static ModelPackage Read(Stream zip, ModelPackageLimits? limits = null)
    {
        limits ??= ModelPackageLimits.Default;
        if (!zip.CanSeek) zip = Buffer(zip, limits.MaxPackageBytes); // ZipArchive would copy an unseekable stream whole, unbounded
        if (zip.Length > limits.MaxPackageBytes)
            throw new ModelPackageException($"the package is {zip.Length} bytes, more than the limit of {limits.MaxPackageBytes}");
        ZipArchive archive;
        try { archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new ModelPackageException($"the package is not a zip file: {e.Message}"); }
        using (archive)
        {
            if (archive.Entries.Count > limits.MaxEntries)
                throw new ModelPackageException($"the package has {archive.Entries.Count} entries, more than the limit of {limits.MaxEntries}");
            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            long total = 0;
            foreach (var e in archive.Entries)
            {
                if (e.FullName.EndsWith('/') && e.Length == 0) throw new ModelPackageException($"'{e.FullName}': a package holds files at its top level only, no folders");
                var name = CheckName(e.FullName);
                if (e.Length > limits.MaxPackageBytes - total)
                    throw new ModelPackageException($"'{name}' decompresses to {e.Length} bytes: the package would exceed {limits.MaxPackageBytes} bytes");
                if (e.CompressedLength > 0 && e.Length > 1 << 20 && e.Length / (double)e.CompressedLength > limits.MaxCompressionRatio)
                    throw new ModelPackageException($"'{name}' decompresses {e.Length / (double)e.CompressedLength:0}-fold, more than the limit of {limits.MaxCompressionRatio}: refused as a zip bomb");
                byte[] content;
                try { content = ReadBounded(e, limits.MaxPackageBytes - total, name); }
                catch (InvalidDataException x) { throw new ModelPackageException($"'{name}' cannot be decompressed: {x.Message}"); }
                total += content.LongLength;
                if (!files.TryAdd(name, content)) throw new ModelPackageException($"'{name}' is in the package twice");
            }
            return new ModelPackage(files);
        }
    }

    static MemoryStream Buffer(Stream source, long limit)
    {
        var m = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = source.Read(buffer)) > 0)
        {
            if (m.Length + n > limit) throw new ModelPackageException($"the package is more than the limit of {limit} bytes");
            m.Write(buffer, 0, n);
        }
        m.Position = 0;
        return m;
    }

    /// <summary>Reads an entry, counting the bytes really produced (the declared size of an entry can lie).</summary>
    static byte[] ReadBounded(ZipArchiveEntry e, long budget, string name)
    {
        using var s = e.Open();
        using var m = new MemoryStream((int)Math.Min(Math.Max(e.Length, 0), 1 << 24));
        var buffer = new byte[81920];
        int n;
        while ((n = s.Read(buffer)) > 0)
        {
            if (m.Length + n > budget) throw new ModelPackageException($"'{name}' decompresses past the package limit: refused as a zip bomb");
            m.Write(buffer, 0, n);
        }
        return m.ToArray();
    }

    static ModelPackage FromFolder(string folder, ModelPackageLimits limits)
    {
        var dir = new DirectoryInfo(folder);
        var subfolders = dir.GetDirectories();
        if (subfolders.Length > 0) throw new ModelPackageException($"{folder}: a package holds files at its top level only, not the folder '{subfolders[0].Name}'");
        var entries = dir.GetFiles();
        if (entries.Length > limits.MaxEntries) throw new ModelPackageException($"{folder}: {entries.Length} files, more than the limit of {limits.MaxEntries}");
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        long total = 0;
        foreach (var f in entries)
        {
            if (f.LinkTarget is not null) throw new ModelPackageException($"{f.Name}: a package may not hold links");
            var name = CheckName(f.Name);
            total += f.Length;
            if (total > limits.MaxPackageBytes) throw new ModelPackageException($"{folder}: the files exceed the package limit of {limits.MaxPackageBytes} bytes");
            files[name] = File.ReadAllBytes(f.FullName);
        }
        return new ModelPackage(files);
    }

    static string CheckName(string name)
    {
        if (name.Contains('/') || name.Contains('\\') || name is "." or ".." || !NamePattern().IsMatch(name))
            throw new ModelPackageException($"'{name}': a package entry is a plain file name ([A-Za-z0-9._-], at the top level, no path)");
        return name;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex NamePattern();
}
