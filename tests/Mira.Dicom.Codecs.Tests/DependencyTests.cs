using System.Xml.Linq;
using Mira.Testing;

namespace Mira.Dicom.Codecs.Tests;

/// <summary>Dependencies point inward (../shared/design.md §2): the codecs use the DICOM core and the base library only.</summary>
public class DependencyTests
{
    [Fact]
    public void Codecs_reference_only_the_dicom_core_and_no_package()
    {
        var doc = XDocument.Load(Path.Combine(Corpus.RepositoryRoot, "src/Mira.Dicom.Codecs/Mira.Dicom.Codecs.csproj"));
        Assert.Equal(["Mira.Dicom.csproj"], doc.Descendants("ProjectReference").Select(r => Path.GetFileName(r.Attribute("Include")!.Value.Replace('\\', '/'))));
        Assert.Empty(doc.Descendants("PackageReference"));
    }
}
