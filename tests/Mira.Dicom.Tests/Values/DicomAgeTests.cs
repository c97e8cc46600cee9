using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class DicomAgeTests
{
    [Theory]
    [InlineData("045Y", 45, DicomAgeUnit.Years)]
    [InlineData("003M", 3, DicomAgeUnit.Months)]
    [InlineData("002W", 2, DicomAgeUnit.Weeks)]
    [InlineData("010D", 10, DicomAgeUnit.Days)]
    public void Parses_value_and_unit(string text, int value, DicomAgeUnit unit)
    {
        var age = DicomAge.Parse(text);
        Assert.Equal(value, age.Value);
        Assert.Equal(unit, age.Unit);
        Assert.Equal(text, age.ToString());
    }

    [Fact]
    public void Tolerates_short_and_padded_forms_on_read() => Assert.Equal(new DicomAge(45, DicomAgeUnit.Years), DicomAge.Parse(" 45y "));

    [Fact]
    public void Converts_to_approximate_durations()
    {
        Assert.Equal(TimeSpan.FromDays(14), DicomAge.Parse("002W").ToTimeSpan());
        Assert.Equal(0.5, DicomAge.Parse("006M").TotalYears, 10);
        Assert.Equal(45, DicomAge.Parse("045Y").TotalYears);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Y")]
    [InlineData("0045Y")]
    [InlineData("04.5Y")]
    [InlineData("045")]
    [InlineData("045H")]
    public void Rejects_malformed_ages(string text) => Assert.False(DicomAge.TryParse(text, out _));
}
