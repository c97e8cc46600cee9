using System.Xml.Linq;

namespace Mira.Dicom.Tests.Architecture;

/// <summary>Dependencies point inward (../shared/design.md §2): the DICOM core uses the base library only.</summary>
public class DependencyTests
{
    static XDocument Project(string relative) => XDocument.Load(Path.Combine(Mira.Testing.Corpus.RepositoryRoot, relative));

    [Fact]
    public void Dicom_core_references_no_project_and_no_package()
    {
        var doc = Project("src/Mira.Dicom/Mira.Dicom.csproj");
        Assert.Empty(doc.Descendants("ProjectReference"));
        Assert.Empty(doc.Descendants("PackageReference"));
    }

    [Fact]
    public void Storage_references_only_the_dicom_core_among_projects()
    {
        var refs = Project("src/Mira.Storage/Mira.Storage.csproj").Descendants("ProjectReference")
            .Select(r => Path.GetFileName(r.Attribute("Include")!.Value.Replace('\\', '/'))).ToArray();
        Assert.Equal(["Mira.Dicom.csproj"], refs);
    }

    [Fact]
    public void Generator_does_not_depend_on_what_it_generates()
    {
        Assert.Empty(Project("tools/Mira.StandardGen/Mira.StandardGen.csproj").Descendants("ProjectReference"));
    }
}
