using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class DicomTimeTests
{
    [Theory]
    [InlineData("10", DicomPrecision.Hour, 0)]
    [InlineData("1005", DicomPrecision.Minute, 0)]
    [InlineData("100530", DicomPrecision.Second, 0)]
    [InlineData("100530.1", DicomPrecision.Fraction, 1)]
    [InlineData("100530.123456", DicomPrecision.Fraction, 6)]
    public void Keeps_the_precision_given(string text, DicomPrecision precision, int digits)
    {
        var t = DicomTime.Parse(text);
        Assert.Equal(precision, t.Precision);
        Assert.Equal(digits, t.FractionDigits);
        Assert.Equal(text, t.ToString());
    }

    [Fact]
    public void Fraction_keeps_its_digits_including_trailing_zeros()
    {
        var t = DicomTime.Parse("100530.120");
        Assert.Equal(120_000, t.Microsecond);
        Assert.Equal("100530.120", t.ToString());
    }

    [Fact]
    public void Converts_to_time_only() =>
        Assert.Equal(new TimeOnly(10, 5, 30).Add(TimeSpan.FromMicroseconds(250_000)), DicomTime.Parse("100530.25").ToTimeOnly());

    [Theory]
    [InlineData("10:05:30", "100530")]
    [InlineData("10:05", "1005")]
    [InlineData("10:05:30.5", "100530.5")]
    public void Accepts_colon_form_on_read(string text, string canonical) => Assert.Equal(canonical, DicomTime.Parse(text).ToString());

    [Fact]
    public void Strict_validation_rejects_colon_form() => Assert.NotNull(DicomValueValidator.Validate(DicomVR.TM, "10:05:30"));

    [Theory]
    [InlineData("240000")]
    [InlineData("24")]
    [InlineData("1060")]
    [InlineData("105961")]
    [InlineData("1")]
    [InlineData("100")]
    [InlineData("10053")]
    [InlineData("100530.")]
    [InlineData("100530.1234567")]
    [InlineData("1005.30")]
    [InlineData("10:0530")]
    [InlineData("")]
    public void Rejects_malformed_times(string text) => Assert.False(DicomTime.TryParse(text, out _));

    [Fact]
    public void Accepts_leap_second_and_clamps_it_on_conversion()
    {
        var t = DicomTime.Parse("235960");
        Assert.Equal(60, t.Second);
        Assert.Equal(new TimeOnly(23, 59, 59).Add(TimeSpan.FromMicroseconds(999_999)), t.ToTimeOnly());
    }

    [Fact]
    public void Partial_hour_covers_the_whole_hour()
    {
        var t = DicomTime.Parse("10");
        Assert.Equal(new TimeOnly(10, 0), t.Start);
        Assert.Equal(new TimeOnly(10, 59, 59).Add(TimeSpan.FromMicroseconds(999_999)), t.End);
    }

    [Fact]
    public void One_fraction_digit_covers_a_tenth_of_a_second()
    {
        var t = DicomTime.Parse("100530.1");
        Assert.Equal(new TimeOnly(10, 5, 30).Add(TimeSpan.FromMicroseconds(199_999)), t.End);
    }

    [Fact]
    public void From_time_only_truncates_to_the_digits_asked()
    {
        var time = new TimeOnly(8, 1, 2).Add(TimeSpan.FromMicroseconds(987_654));
        Assert.Equal("080102.98", DicomTime.FromTimeOnly(time, 2).ToString());
        Assert.Equal("080102", DicomTime.FromTimeOnly(time, 0).ToString());
        Assert.Equal("080102.987654", DicomTime.FromTimeOnly(time).ToString());
    }

    [Fact]
    public void Parse_failure_names_the_text() =>
        Assert.Contains("'240000'", Assert.Throws<FormatException>(() => DicomTime.Parse("240000")).Message);
}
