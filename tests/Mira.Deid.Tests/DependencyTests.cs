using System.Xml.Linq;
using Mira.Testing;

namespace Mira.Deid.Tests;

/// <summary>Mira.Deid is a feature library over the DICOM core and its codecs only (../shared/design.md §2).</summary>
public sealed class DependencyTests
{
    [Fact]
    public void Deid_references_only_the_dicom_core_and_codecs()
    {
        var doc = XDocument.Load(Path.Combine(Corpus.RepositoryRoot, "src", "Mira.Deid", "Mira.Deid.csproj"));
        var refs = doc.Descendants("ProjectReference").Select(r => Path.GetFileName(r.Attribute("Include")!.Value.Replace('\\', '/'))).Order().ToArray();
        Assert.Equal(["Mira.Dicom.Codecs.csproj", "Mira.Dicom.csproj"], refs);
        Assert.Empty(doc.Descendants("PackageReference"));
    }
}
