using System.Xml.Linq;
using Mira.Testing;

namespace Mira.Imaging.Tests;

/// <summary>Native packages live in leaves (../shared/design.md §2): imaging and metrics reference none; SkiaSharp stays in Mira.Imaging.Rendering.</summary>
public sealed class DependencyTests
{
    static XDocument Project(string name) => XDocument.Load(Path.Combine(Corpus.RepositoryRoot, "src", name, name + ".csproj"));

    static string[] ProjectReferences(XDocument doc) =>
        [.. doc.Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/'))).Order()];

    static string[] Packages(XDocument doc) => [.. doc.Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value).Order()];

    [Fact]
    public void Imaging_references_the_dicom_libraries_and_no_package()
    {
        var doc = Project("Mira.Imaging");
        Assert.Equal(["Mira.Dicom", "Mira.Dicom.Codecs"], ProjectReferences(doc));
        Assert.Empty(Packages(doc));
    }

    [Fact]
    public void Metrics_references_imaging_and_no_package()
    {
        var doc = Project("Mira.Metrics");
        Assert.Equal(["Mira.Imaging"], ProjectReferences(doc));
        Assert.Empty(Packages(doc));
    }

    [Fact]
    public void Rendering_is_a_leaf_holding_the_SkiaSharp_packages()
    {
        var doc = Project("Mira.Imaging.Rendering");
        Assert.Equal(["Mira.Imaging"], ProjectReferences(doc));
        Assert.Equal(["SkiaSharp", "SkiaSharp.NativeAssets.Linux"], Packages(doc));
        var referrers = Directory.EnumerateFiles(Path.Combine(Corpus.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => File.ReadAllText(p).Contains("Mira.Imaging.Rendering.csproj"))
            .Select(Path.GetFileNameWithoutExtension).Order();
        Assert.Equal(["Mira.Cli", "Mira.Server"], referrers);
        var skia = Directory.EnumerateFiles(Path.Combine(Corpus.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => File.ReadAllText(p).Contains("SkiaSharp"))
            .Select(Path.GetFileNameWithoutExtension);
        Assert.Equal(["Mira.Imaging.Rendering"], skia);
    }
}
