using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class DicomRangeTests
{
    [Fact]
    public void Date_range_includes_both_bounds()
    {
        var r = DicomDateRange.Parse("20260101-20260131");
        Assert.True(r.Contains(new DateOnly(2026, 1, 1)));
        Assert.True(r.Contains(new DateOnly(2026, 1, 31)));
        Assert.False(r.Contains(new DateOnly(2026, 2, 1)));
    }

    [Fact]
    public void Open_date_ranges_have_one_bound()
    {
        var from = DicomDateRange.Parse("20260101-");
        Assert.Null(from.Upper);
        Assert.True(from.Contains(new DateOnly(9999, 1, 1)));
        Assert.False(from.Contains(new DateOnly(2025, 12, 31)));
        var until = DicomDateRange.Parse("-20260101");
        Assert.Null(until.Lower);
        Assert.True(until.Contains(new DateOnly(1900, 1, 1)));
        Assert.Equal("-20260101", until.ToString());
    }

    [Theory]
    [InlineData("-")]
    [InlineData("")]
    [InlineData("2026-2027")]
    [InlineData("20260101-20260132")]
    public void Rejects_malformed_date_ranges(string text) => Assert.False(DicomDateRange.TryParse(text, out _));

    [Fact]
    public void Partial_time_bound_covers_its_period()
    {
        var r = DicomTimeRange.Parse("10-11");
        Assert.True(r.Contains(new TimeOnly(11, 59, 59)));
        Assert.False(r.Contains(new TimeOnly(12, 0)));
        Assert.False(r.Contains(new TimeOnly(9, 59, 59)));
    }

    [Fact]
    public void Single_partial_time_is_a_range_over_its_period()
    {
        var r = DicomTimeRange.Parse("10");
        Assert.True(r.Contains(new TimeOnly(10, 59, 59).Add(TimeSpan.FromMicroseconds(999_999))));
        Assert.False(r.Contains(new TimeOnly(11, 0)));
    }

    [Fact]
    public void Time_range_contains_a_partial_value_only_when_its_whole_period_fits()
    {
        var r = DicomTimeRange.Parse("1000-1030");
        Assert.True(r.Contains(DicomTime.Parse("1015")));
        Assert.False(r.Contains(DicomTime.Parse("10")));
    }

    [Fact]
    public void Date_time_range_with_year_bounds_spans_whole_years()
    {
        var r = DicomDateTimeRange.Parse("2025-2026");
        Assert.True(r.Contains(new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero)));
        Assert.False(r.Contains(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.True(r.Contains(DicomDateTime.Parse("202506")));
    }

    [Fact]
    public void Date_time_range_separator_is_found_next_to_offsets()
    {
        var r = DicomDateTimeRange.Parse("20260101-0500-20260102-0500");
        Assert.Equal("20260101-0500", r.Lower.ToString());
        Assert.Equal("20260102-0500", r.Upper.ToString());
        Assert.True(r.Contains(new DateTimeOffset(2026, 1, 1, 5, 0, 0, TimeSpan.Zero)));
        Assert.False(r.Contains(new DateTimeOffset(2026, 1, 1, 4, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void Open_date_time_range_with_offset_lower_bound()
    {
        var r = DicomDateTimeRange.Parse("20260101-0500-");
        Assert.Equal(TimeSpan.FromHours(-5), r.Lower!.Value.Offset);
        Assert.Null(r.Upper);
    }

    [Fact]
    public void Date_time_range_applies_default_offset_to_unzoned_values()
    {
        var r = DicomDateTimeRange.Parse("2026010110-2026010111");
        var instant = new DateTimeOffset(2026, 1, 1, 9, 30, 0, TimeSpan.Zero);
        Assert.False(r.Contains(instant));
        Assert.True(r.Contains(instant, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Malformed_range_parse_names_the_text() =>
        Assert.Contains("'x-y'", Assert.Throws<FormatException>(() => DicomTimeRange.Parse("x-y")).Message);
}
