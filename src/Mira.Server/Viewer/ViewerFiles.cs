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
    /// first person to open the viewer after a start does not wait about a second for the rewrite. The other bundles are
    /// prepared when first asked for.
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

    /// <summary>The file's text with the base path put in, or null when the file needs no change.</summary>
    byte[]? Rewritten(string relative, string full)
    {
        var html = relative == "index.html";
        var topLevel = !relative.Contains('/');
        var css = topLevel && relative.EndsWith(".css", StringComparison.Ordinal);
        if (!html && !css && !(topLevel && relative.EndsWith(".js", StringComparison.Ordinal))) return null;
        return rewritten.GetOrAdd(relative, _ => new Lazy<byte[]?>(() =>
        {
            var text = File.ReadAllText(full, Encoding.UTF8);
            var changed = html ? RewriteIndex(text, BasePath) : css ? RewriteStyles(text, BasePath) : RewriteBundle(text, BasePath);
            return ReferenceEquals(changed, text) ? null : Encoding.UTF8.GetBytes(changed);
        })).Value;
    }

    /// <summary>index.html: <c>window.PUBLIC_URL</c> and every root-absolute <c>href</c>/<c>src</c>.</summary>
    public static string RewriteIndex(string text, string basePath) => text
        .Replace("window.PUBLIC_URL=\"/\"", $"window.PUBLIC_URL=\"{basePath}\"", StringComparison.Ordinal)
        .Replace("href=\"/", $"href=\"{basePath}", StringComparison.Ordinal)
        .Replace("src=\"/", $"src=\"{basePath}", StringComparison.Ordinal);

    /// <summary>A style sheet: root-absolute <c>url(/…)</c> references (the fonts); the same string when there are none.</summary>
    public static string RewriteStyles(string text, string basePath) =>
        text.Contains("url(/", StringComparison.Ordinal) ? text.Replace("url(/", $"url({basePath}", StringComparison.Ordinal) : text;

    /// <summary>A bundle: webpack's public path and the microscopy viewer's import; the same string when neither occurs.</summary>
    public static string RewriteBundle(string text, string basePath)
    {
        const string publicPath = "__webpack_require__.p = \"/\"", microscopy = "'/dicom-microscopy-viewer/";
        if (!text.Contains(publicPath, StringComparison.Ordinal) && !text.Contains(microscopy, StringComparison.Ordinal)) return text;
        return text.Replace(publicPath, $"__webpack_require__.p = \"{basePath}\"", StringComparison.Ordinal)
            .Replace(microscopy, $"'{basePath}dicom-microscopy-viewer/", StringComparison.Ordinal);
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
