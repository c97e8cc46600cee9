using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Mira.Server.Viewer;

/// <summary>
/// Serves the OHIF Viewer's files under <see cref="BasePath"/> (<c>/viewer/</c>, below the path of
/// <c>--public-url</c> when it has one). The prebuilt package assumes it is served at <c>/</c>: <c>index.html</c> and a
/// few bundles and the style sheet hold <c>"/"</c> as their public path (webpack's <c>__webpack_require__.p</c>, the microscopy viewer's
/// import), so those texts are rewritten to the base path once, on first use, and kept in memory; every other file is
/// sent from disk. Paths without an extension are the viewer's own routes and get <c>index.html</c>.
/// Content-hashed bundles are cached for a year; everything else is revalidated.
/// </summary>
public sealed partial class ViewerFiles(string root, string basePath)
{
    const string Immutable = "private, max-age=31536000, immutable";
    const string Revalidate = "private, no-cache";
    static readonly FileExtensionContentTypeProvider Types = CreateTypes();
    // Files of the package that Mira does not serve: Mira writes app-config.js itself, and serves no service worker
    // (it would cache patient data in the browser) nor the package's hosting rules.
    static readonly HashSet<string> Withheld = new(StringComparer.Ordinal) { "app-config.js", "sw.js", "_headers", "_redirects", "serve.json" };

    readonly string root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
    readonly ConcurrentDictionary<string, Lazy<byte[]?>> rewritten = new(StringComparer.Ordinal);
    // Rewritten files differ per base path: the validator says which one a cached copy was made for.
    readonly string baseTag = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(basePath)))[..8];

    /// <summary>The URL path the viewer is served under, with a trailing slash (e.g. <c>/viewer/</c>).</summary>
    public string BasePath { get; } = basePath;

    public string Root => root;

    public IResult Serve(HttpContext http, string? relative)
    {
        relative ??= "";
        if (!IsSafe(relative)) return Results.NotFound();
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (relative.Length == 0 || !File.Exists(full))
        {
            // The viewer's own routes (/viewer/viewer/intake?…) have no extension; a missing file does.
            if (Path.GetExtension(relative).Length > 0) return Results.NotFound();
            relative = "index.html";
            full = Path.Combine(root, relative);
        }
        if (Withheld.Contains(relative)) return Results.NotFound();
        var info = new FileInfo(full);
        var tag = new EntityTagHeaderValue($"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}-{baseTag}\"");
        http.Response.Headers.CacheControl = HashedName().IsMatch(Path.GetFileName(relative)) ? Immutable : Revalidate;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        var type = Types.TryGetContentType(relative, out var t) ? t : "application/octet-stream";
        if (Rewritten(relative, full) is { } bytes)
            return Results.Bytes(bytes, type, lastModified: info.LastWriteTimeUtc, entityTag: tag);
        return Results.File(full, type, lastModified: info.LastWriteTimeUtc, entityTag: tag, enableRangeProcessing: true);
    }

    /// <summary>
    /// Prepares what every first visit loads before anything else (<c>index.html</c> and the main bundle, 17 MB), so the
    /// first person to open the viewer after a start does not wait for the rewrite; the server calls it before it
    /// listens (a few tens of milliseconds). The other bundles are prepared when first asked for.
    /// </summary>
    public void Prepare()
    {
        Rewritten("index.html", Path.Combine(root, "index.html"));
        foreach (var bundle in Directory.EnumerateFiles(root, "app.bundle.*.js"))
            Rewritten(Path.GetFileName(bundle), bundle);
    }

    /// <summary>A relative path with no empty, <c>.</c> or <c>..</c> segment and no backslash: it stays under the root.</summary>
    static bool IsSafe(string relative) =>
        relative.Length == 0 || (!relative.Contains('\\') && !relative.Contains('\0') &&
                                 relative.Split('/').All(s => s.Length > 0 && s != "." && s != ".."));

    /// <summary>The file's bytes with the base path put in, or null when the file needs no change.</summary>
    byte[]? Rewritten(string relative, string full)
    {
        var html = relative == "index.html";
        var topLevel = !relative.Contains('/');
        var css = topLevel && relative.EndsWith(".css", StringComparison.Ordinal);
        if (!html && !css && !(topLevel && relative.EndsWith(".js", StringComparison.Ordinal))) return null;
        return rewritten.GetOrAdd(relative, _ => new Lazy<byte[]?>(() =>
        {
            var bytes = File.ReadAllBytes(full);
            var changed = html ? RewriteIndex(bytes, BasePath) : css ? RewriteStyles(bytes, BasePath) : RewriteBundle(bytes, BasePath);
            return ReferenceEquals(changed, bytes) ? null : changed;
        })).Value;
    }

    /// <summary>index.html: <c>window.PUBLIC_URL</c> and every root-absolute <c>href</c>/<c>src</c>.</summary>
    public static byte[] RewriteIndex(byte[] text, string basePath) => Replace(text,
        ("window.PUBLIC_URL=\"/\"", $"window.PUBLIC_URL=\"{basePath}\""),
        ("href=\"/", $"href=\"{basePath}"),
        ("src=\"/", $"src=\"{basePath}"));

    /// <summary>A style sheet: root-absolute <c>url(/…)</c> references (the fonts); the same array when there are none.</summary>
    public static byte[] RewriteStyles(byte[] text, string basePath) => Replace(text, ("url(/", $"url({basePath}"));

    /// <summary>A bundle: webpack's public path and the microscopy viewer's import; the same array when neither occurs.</summary>
    public static byte[] RewriteBundle(byte[] text, string basePath) => Replace(text,
        ("__webpack_require__.p = \"/\"", $"__webpack_require__.p = \"{basePath}\""),
        ("'/dicom-microscopy-viewer/", $"'{basePath}dicom-microscopy-viewer/"));

    /// <summary>
    /// Every occurrence of each pattern replaced, in UTF-8 bytes (the patterns are ASCII, so no character is split):
    /// a 17 MB bundle costs one output array, not the two UTF-16 copies of a string replace. The same array when
    /// nothing occurs.
    /// </summary>
    static byte[] Replace(byte[] text, params (string From, string To)[] pairs)
    {
        foreach (var (from, to) in pairs)
        {
            var pattern = Encoding.UTF8.GetBytes(from);
            var replacement = Encoding.UTF8.GetBytes(to);
            var found = new List<int>();
            for (var at = 0; ;)
            {
                var i = text.AsSpan(at).IndexOf(pattern);
                if (i < 0) break;
                found.Add(at + i);
                at += i + pattern.Length;
            }
            if (found.Count == 0) continue;
            var output = new byte[text.Length + found.Count * (replacement.Length - pattern.Length)];
            int read = 0, written = 0;
            foreach (var i in found)
            {
                text.AsSpan(read, i - read).CopyTo(output.AsSpan(written));
                written += i - read;
                replacement.CopyTo(output.AsSpan(written));
                written += replacement.Length;
                read = i + pattern.Length;
            }
            text.AsSpan(read).CopyTo(output.AsSpan(written));
            text = output;
        }
        return text;
    }

    static FileExtensionContentTypeProvider CreateTypes()
    {
        var p = new FileExtensionContentTypeProvider();
        p.Mappings[".wasm"] = "application/wasm";
        p.Mappings[".mjs"] = "text/javascript";
        p.Mappings[".js"] = "text/javascript";
        p.Mappings[".map"] = "application/json";
        p.Mappings[".woff2"] = "font/woff2";
        return p;
    }

    /// <summary>Webpack's content-hashed names: <c>app.bundle.0f6159c501addfe9.js</c>, <c>0ddf166f7a343eda.wasm</c>.</summary>
    [GeneratedRegex(@"(^|\.)[0-9a-f]{16}\.(js|wasm|woff2)$")]
    private static partial Regex HashedName();
}
