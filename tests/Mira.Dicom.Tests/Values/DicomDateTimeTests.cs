using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class DicomDateTimeTests
{
    [Theory]
    [InlineData("2026", DicomPrecision.Year)]
    [InlineData("202603", DicomPrecision.Month)]
    [InlineData("20260314", DicomPrecision.Day)]
    [InlineData("2026031410", DicomPrecision.Hour)]
    [InlineData("202603141005", DicomPrecision.Minute)]
    [InlineData("20260314100530", DicomPrecision.Second)]
    [InlineData("20260314100530.123", DicomPrecision.Fraction)]
    [InlineData("20260314100530.123456-0500", DicomPrecision.Fraction)]
    [InlineData("2026+0100", DicomPrecision.Year)]
    public void Keeps_the_precision_given_and_round_trips(string text, DicomPrecision precision)
    {
        var dt = DicomDateTime.Parse(text);
        Assert.Equal(precision, dt.Precision);
        Assert.Equal(text, dt.ToString());
    }

    [Fact]
    public void Negative_offset_is_kept_and_applied()
    {
        var dt = DicomDateTime.Parse("20260314100530-0500");
        Assert.Equal(TimeSpan.FromHours(-5), dt.Offset);
        var dto = dt.ToDateTimeOffset();
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 15, 5, 30, TimeSpan.Zero), dto.ToUniversalTime());
    }

    [Fact]
    public void Uses_caller_default_offset_when_the_value_has_none()
    {
        var dt = DicomDateTime.Parse("20260314100530");
        Assert.Null(dt.Offset);
        Assert.True(DicomDateTime.TryParseOffset("+0130", out var tz));
        Assert.Equal(TimeSpan.FromMinutes(90), dt.ToDateTimeOffset(tz).Offset);
        Assert.Equal(TimeSpan.Zero, dt.ToDateTimeOffset().Offset);
    }

    [Fact]
    public void Own_offset_wins_over_default() =>
        Assert.Equal(TimeSpan.FromHours(9), DicomDateTime.Parse("2026031410+0900").ToDateTimeOffset(TimeSpan.FromHours(-3)).Offset);

    [Fact]
    public void Year_only_value_spans_the_whole_year()
    {
        var dt = DicomDateTime.Parse("2026");
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), dt.Start());
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990), dt.End());
    }

    [Fact]
    public void Month_precision_ends_at_the_last_day_of_that_month() =>
        Assert.Equal(new DateTime(2024, 2, 29), DicomDateTime.Parse("202402").End().Date);

    [Fact]
    public void Year_9999_end_does_not_overflow() => Assert.Equal(9999, DicomDateTime.Parse("9999").End().Year);

    [Theory]
    [InlineData("")]
    [InlineData("202")]
    [InlineData("20261")]
    [InlineData("202613")]
    [InlineData("20230229")]
    [InlineData("2026031424")]
    [InlineData("20260314100530.")]
    [InlineData("20260314100530.1234567")]
    [InlineData("2026031410.5")]
    [InlineData("20260314+05")]
    [InlineData("20260314+0560")]
    [InlineData("20260314+1500")]
    [InlineData("20260314-0500x")]
    public void Rejects_malformed_values(string text) => Assert.False(DicomDateTime.TryParse(text, out _));

    [Fact]
    public void Strict_validation_limits_offsets_to_minus_12_plus_14()
    {
        Assert.Null(DicomValueValidator.Validate(DicomVR.DT, "20260314+1400"));
        Assert.Null(DicomValueValidator.Validate(DicomVR.DT, "20260314-1200"));
        Assert.NotNull(DicomValueValidator.Validate(DicomVR.DT, "20260314-1300"));
    }

    [Fact]
    public void Leap_years_are_checked() => Assert.True(DicomDateTime.TryParse("20240229", out _));

    [Fact]
    public void From_date_time_offset_keeps_offset_and_fraction()
    {
        var dto = new DateTimeOffset(2026, 3, 14, 10, 5, 30, TimeSpan.FromMinutes(-210)).AddTicks(1_234_560);
        Assert.Equal("20260314100530.123456-0330", DicomDateTime.FromDateTimeOffset(dto).ToString());
        Assert.Equal("20260314100530.12-0330", DicomDateTime.FromDateTimeOffset(dto, 2).ToString());
    }

    [Fact]
    public void Offset_formats_with_sign() => Assert.Equal("-0500", DicomDateTime.FormatOffset(TimeSpan.FromHours(-5)));

    [Fact]
    public void Parse_failure_names_the_text() =>
        Assert.Contains("'2026x'", Assert.Throws<FormatException>(() => DicomDateTime.Parse("2026x")).Message);
}
