using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class DicomDateTests
{
    [Fact]
    public void Parses_canonical_date() => Assert.Equal(new DateOnly(2026, 3, 14), DicomDate.Parse("20260314").ToDateOnly());

    [Fact]
    public void Accepts_acr_nema_dotted_form_on_read() => Assert.Equal(new DicomDate(1993, 1, 2), DicomDate.Parse("1993.01.02"));

    [Fact]
    public void Ignores_space_and_nul_padding_on_read() => Assert.Equal(new DicomDate(2026, 1, 1), DicomDate.Parse(" 20260101\0"));

    [Fact]
    public void Formats_canonically() => Assert.Equal("19930102", DicomDate.Parse("1993.01.02").ToString());

    [Theory]
    [InlineData("20240229", true)]
    [InlineData("20000229", true)]
    [InlineData("19000229", false)]
    [InlineData("20230229", false)]
    public void Knows_leap_years(string text, bool valid) => Assert.Equal(valid, DicomDate.TryParse(text, out _));

    [Theory]
    [InlineData("")]
    [InlineData("2026031")]
    [InlineData("202603145")]
    [InlineData("20261301")]
    [InlineData("20260431")]
    [InlineData("20260100")]
    [InlineData("00000101")]
    [InlineData("2026-03-14")]
    [InlineData("2026031a")]
    public void Rejects_malformed_dates(string text) => Assert.False(DicomDate.TryParse(text, out _));

    [Fact]
    public void Parse_failure_names_the_text()
    {
        var ex = Assert.Throws<FormatException>(() => DicomDate.Parse("20261301"));
        Assert.Contains("'20261301'", ex.Message);
        Assert.Contains("DA", ex.Message);
    }

    [Fact]
    public void Strict_validation_rejects_acr_nema_form()
    {
        Assert.NotNull(DicomValueValidator.Validate(DicomVR.DA, "1993.01.02"));
        Assert.Null(DicomValueValidator.Validate(DicomVR.DA, "19930102"));
    }
}
