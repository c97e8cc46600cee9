using System.Xml.Linq;
using Mira.Testing;

namespace Mira.Platform.Tests.Architecture;

/// <summary>
/// The whole allowed-reference graph of <c>src/</c> in one place (../shared/design.md §2): libraries at the bottom know
/// nothing of the platform, the application core knows nothing of ASP.NET Core or the hosts, storage never reaches up
/// into the core, and native packages live in leaves. A new project fails here until it is given its place.
/// </summary>
public class DependencyGraphTests
{
    /// <summary>Each project and the projects it may reference directly.</summary>
    static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Mira.Dicom"] = [],
        ["Mira.Dicom.Codecs"] = ["Mira.Dicom"],
        ["Mira.Dicom.Codecs.OpenJpeg"] = ["Mira.Dicom.Codecs"],
        ["Mira.Dicom.Network"] = ["Mira.Dicom"],
        ["Mira.Imaging"] = ["Mira.Dicom", "Mira.Dicom.Codecs"],
        ["Mira.Imaging.Rendering"] = ["Mira.Dicom", "Mira.Dicom.Codecs", "Mira.Imaging"],
        ["Mira.Metrics"] = ["Mira.Dicom", "Mira.Imaging"],
        ["Mira.Deid"] = ["Mira.Dicom", "Mira.Dicom.Codecs"],
        ["Mira.Conversion"] = ["Mira.Dicom", "Mira.Dicom.Codecs", "Mira.Imaging"],
        ["Mira.Annotations"] = ["Mira.Dicom", "Mira.Dicom.Codecs", "Mira.Imaging", "Mira.Conversion"],
        ["Mira.Inference"] = ["Mira.Dicom", "Mira.Dicom.Codecs", "Mira.Imaging"],
        ["Mira.Inference.OnnxRuntime"] = ["Mira.Inference"],
        ["Mira.Storage"] = ["Mira.Dicom"],
        ["Mira.Platform"] = ["Mira.Dicom", "Mira.Dicom.Codecs", "Mira.Dicom.Network", "Mira.Imaging", "Mira.Metrics", "Mira.Conversion", "Mira.Annotations", "Mira.Deid", "Mira.Storage",
            "Mira.Inference"],
        ["Mira.Server"] = ["Mira.Dicom", "Mira.Dicom.Codecs", "Mira.Dicom.Codecs.OpenJpeg", "Mira.Dicom.Network", "Mira.Imaging",
            "Mira.Imaging.Rendering", "Mira.Metrics", "Mira.Conversion", "Mira.Annotations", "Mira.Deid", "Mira.Storage", "Mira.Platform",
            "Mira.Inference", "Mira.Inference.OnnxRuntime"],
        ["Mira.Cli"] = ["Mira.Dicom", "Mira.Dicom.Codecs", "Mira.Dicom.Codecs.OpenJpeg", "Mira.Dicom.Network", "Mira.Imaging",
            "Mira.Imaging.Rendering", "Mira.Metrics", "Mira.Conversion", "Mira.Annotations", "Mira.Deid", "Mira.Storage", "Mira.Platform", "Mira.Server",
            "Mira.Inference", "Mira.Inference.OnnxRuntime"],
    };

    /// <summary>
    /// The packages each project may use. Native packages (Skia's, ScottPlot's) only in the rendering leaf and the hosts; the
    /// database drivers only in storage (Microsoft.Data.Sqlite brings SQLite's own native library: the one native part
    /// below the hosts, kept in the persistence layer on purpose, see docs/decisions/0003-dependency-graph.md).
    /// </summary>
    static readonly Dictionary<string, string[]> Packages = new()
    {
        // The S3 blob store (docs/object-storage.md) talks to S3-compatible servers through the AWS SDK.
        ["Mira.Storage"] = ["AWSSDK.S3", "Dapper", "Microsoft.Data.Sqlite", "Npgsql"],
        ["Mira.Imaging.Rendering"] = ["SkiaSharp", "SkiaSharp.NativeAssets.Linux"],
        ["Mira.Cli"] = ["System.CommandLine"],
        // Zstandard-compressed TIFF tiles (a managed port: no native part below the hosts).
        ["Mira.Conversion"] = ["ZstdSharp.Port"],
        // Custom annotation protocols are validated against protocol.schema.json (JSON Schema 2020-12).
        ["Mira.Annotations"] = ["JsonSchema.Net"],
        // Model manifests are validated against mira-model.schema.json (JSON Schema 2020-12).
        ["Mira.Inference"] = ["JsonSchema.Net"],
        // ONNX Runtime and its native library: only in this leaf, which only the hosts reference.
        ["Mira.Inference.OnnxRuntime"] = ["Microsoft.ML.OnnxRuntime"],
        // Statistics plots (SVG); ScottPlot's no-fontconfig Skia build is referenced only to keep its assets out.
        // Plus OpenTelemetry (Prometheus /metrics, OTLP traces): only the host exports; the platform records with the BCL's Meter and ActivitySource.
        ["Mira.Server"] = ["ScottPlot", "SkiaSharp.NativeAssets.Linux.NoDependencies", "OpenTelemetry.Extensions.Hosting",
            "OpenTelemetry.Exporter.Prometheus.AspNetCore", "OpenTelemetry.Instrumentation.AspNetCore", "OpenTelemetry.Instrumentation.Runtime",
            "OpenTelemetry.Exporter.OpenTelemetryProtocol"],
    };

    static readonly string[] Hosts = ["Mira.Server", "Mira.Cli"];

    static IEnumerable<string> ProjectFiles() =>
        Directory.EnumerateFiles(Path.Combine(Corpus.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    static string NameOf(string path) => Path.GetFileNameWithoutExtension(path.Replace('\\', '/'));

    static XDocument Load(string name) => XDocument.Load(ProjectFiles().Single(p => NameOf(p) == name));

    static string[] References(XDocument doc) =>
        [.. doc.Descendants("ProjectReference").Select(r => NameOf(r.Attribute("Include")!.Value)).Order(StringComparer.Ordinal)];

    static string[] PackagesOf(XDocument doc) =>
        [.. doc.Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value).Order(StringComparer.Ordinal)];

    [Fact]
    public void Every_project_has_a_place_in_the_graph_and_references_only_what_it_may()
    {
        foreach (var path in ProjectFiles())
        {
            var name = NameOf(path);
            Assert.True(Allowed.ContainsKey(name), $"{name} is not in the allowed-reference graph: give it a place in {nameof(DependencyGraphTests)}");
            var extra = References(XDocument.Load(path)).Except(Allowed[name]).ToArray();
            Assert.True(extra.Length == 0, $"{name} references {string.Join(", ", extra)}, which it may not");
        }
    }

    [Fact]
    public void Every_project_uses_only_its_allowed_packages()
    {
        foreach (var path in ProjectFiles())
        {
            var name = NameOf(path);
            var extra = PackagesOf(XDocument.Load(path)).Except(Packages.GetValueOrDefault(name, [])).ToArray();
            Assert.True(extra.Length == 0, $"{name} uses the packages {string.Join(", ", extra)}, which it may not");
        }
    }

    [Fact]
    public void The_dicom_core_references_nothing()
    {
        var doc = Load("Mira.Dicom");
        Assert.Empty(References(doc));
        Assert.Empty(PackagesOf(doc));
    }

    [Fact]
    public void The_application_core_never_reaches_ASP_NET_Core_or_a_host_even_indirectly()
    {
        var doc = Load("Mira.Platform");
        Assert.Equal("Microsoft.NET.Sdk", doc.Root!.Attribute("Sdk")!.Value);
        Assert.Empty(doc.Descendants("FrameworkReference"));
        var closure = Closure("Mira.Platform");
        Assert.DoesNotContain("Mira.Server", closure);
        Assert.DoesNotContain("Mira.Cli", closure);
        Assert.All(closure.Append("Mira.Platform"), p =>
        {
            var project = Load(p);
            Assert.DoesNotContain(PackagesOf(project), x => x.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
            Assert.Empty(project.Descendants("FrameworkReference"));
        });
        // And in the code: no ASP.NET Core namespace anywhere under src/Mira.Platform.
        var sources = Directory.EnumerateFiles(Path.Combine(Corpus.RepositoryRoot, "src", "Mira.Platform"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.All(sources, f => Assert.DoesNotContain("Microsoft.AspNetCore", File.ReadAllText(f), StringComparison.Ordinal));
    }

    [Fact]
    public void Storage_never_references_the_application_core()
    {
        Assert.DoesNotContain("Mira.Platform", Closure("Mira.Storage"));
    }

    [Fact]
    public void Native_packages_and_the_native_codec_live_in_leaves_that_only_hosts_reference()
    {
        foreach (var leaf in new[] { "Mira.Dicom.Codecs.OpenJpeg", "Mira.Imaging.Rendering", "Mira.Inference.OnnxRuntime" })
        {
            var referrers = ProjectFiles().Where(p => References(XDocument.Load(p)).Contains(leaf)).Select(NameOf).ToArray();
            Assert.All(referrers, r => Assert.Contains(r, Hosts));
        }
        foreach (var library in new[] { "Mira.Imaging", "Mira.Metrics", "Mira.Deid", "Mira.Dicom.Codecs", "Mira.Inference", "Mira.Platform" })
        {
            var packages = Closure(library).Append(library).SelectMany(p => PackagesOf(Load(p))).ToArray();
            Assert.DoesNotContain(packages, p => p.StartsWith("SkiaSharp", StringComparison.Ordinal));
            Assert.DoesNotContain(packages, p => p.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
        }
    }

    static IReadOnlyList<string> Closure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(References(Load(project)));
        while (stack.TryPop(out var p))
            if (seen.Add(p))
                foreach (var r in References(Load(p))) stack.Push(r);
        return [.. seen.Order(StringComparer.Ordinal)];
    }
}
