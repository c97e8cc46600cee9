using Mira.Imaging;

namespace Mira.Imaging.Tests;

public class ImagingExceptionTests
{
    [Fact]
    public void Imaging_errors_belong_to_the_mira_exception_family() =>
        Assert.IsAssignableFrom<Mira.Dicom.MiraException>(new ImagingException("x"));
}
