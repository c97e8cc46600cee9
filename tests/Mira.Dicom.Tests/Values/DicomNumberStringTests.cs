using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class DicomNumberStringTests
{
    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData(" +1.5 ", 1.5)]
    [InlineData("1e-3", 0.001)]
    [InlineData("2.5E+2", 250)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5)]
    [InlineData("-0", -0.0)]
    [InlineData("0.000\0", 0)]
    [InlineData("-12", -12)]
    public void Reads_decimal_strings(string text, double expected) => Assert.Equal(expected, DicomNumberString.ParseDouble(text));

    [Fact]
    public void Minus_zero_keeps_its_sign() => Assert.True(double.IsNegative(DicomNumberString.ParseDouble("-0")));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    [InlineData("e5")]
    [InlineData("1e")]
    [InlineData("1.2.3")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e999")]
    [InlineData("1,5")]
    [InlineData("0x10")]
    [InlineData("1 5")]
    public void Rejects_malformed_decimal_strings(string text) => Assert.False(DicomNumberString.TryParseDouble(text, out _));

    [Fact]
    public void Reads_decimal_strings_as_decimal() => Assert.Equal(0.001m, DicomNumberString.ParseDecimal(" 1e-3"));

    [Theory]
    [InlineData("1.5", true)]
    [InlineData(" 1.5", true)]
    [InlineData("1.23456789012345", true)]   // 16 characters
    [InlineData("1.234567890123456", false)] // 17 characters
    [InlineData("1e-3", true)]
    [InlineData("1.5\0", false)]
    [InlineData("abc", false)]
    public void Validates_decimal_strings_for_writing(string text, bool valid) => Assert.Equal(valid, DicomNumberString.IsValidDS(text));

    [Theory]
    [InlineData("42", 42)]
    [InlineData(" -42 ", -42)]
    [InlineData("+7", 7)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("-0", 0)]
    public void Reads_integer_strings(string text, int expected) => Assert.Equal(expected, DicomNumberString.ParseInt32(text));

    [Theory]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("")]
    [InlineData("+")]
    public void Rejects_integer_strings_outside_is(string text) => Assert.False(DicomNumberString.TryParseInt32(text, out _));

    [Fact]
    public void Int64_read_tolerates_values_beyond_is_range() => Assert.Equal(2147483648L, DicomNumberString.ParseInt64("2147483648"));

    [Fact]
    public void Integer_overflow_of_long_is_rejected() => Assert.False(DicomNumberString.TryParseInt64("99999999999999999999", out _));

    [Theory]
    [InlineData("2147483647", true)]
    [InlineData("2147483648", false)]
    [InlineData(" -2147483648", true)]
    [InlineData("0000000000001", false)] // 13 characters
    [InlineData("1.0", false)]
    public void Validates_integer_strings_for_writing(string text, bool valid) => Assert.Equal(valid, DicomNumberString.IsValidIS(text));

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(1.5, "1.5")]
    [InlineData(100.0, "100")]
    [InlineData(0.001, "0.001")]
    [InlineData(1e-7, "0.0000001")]
    [InlineData(1.25e-17, "1.25E-17")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1e16, "1E16")]
    [InlineData(1e20, "1E20")]
    [InlineData(-123456.789, "-123456.789")]
    public void Formats_shortest_decimal_string(double value, string expected) => Assert.Equal(expected, DicomNumberString.FormatDS(value));

    [Theory]
    [InlineData(Math.PI)]
    [InlineData(-1.0 / 3)]
    [InlineData(1.2345678901234567e-300)]
    [InlineData(-9.87654321098765e300)]
    [InlineData(double.MaxValue)]
    [InlineData(double.Epsilon)]
    public void Long_values_fall_back_to_fewer_digits_within_16_characters(double value)
    {
        var s = DicomNumberString.FormatDS(value);
        Assert.True(s.Length <= 16, s);
        Assert.True(DicomNumberString.IsValidDS(s), s);
        Assert.Equal(value, DicomNumberString.ParseDouble(s), Math.Abs(value) * 1e-7);
    }

    [Fact]
    public void Formatting_nan_throws() => Assert.Throws<ArgumentOutOfRangeException>(() => DicomNumberString.FormatDS(double.NaN));

    [Fact]
    public void Parse_failure_names_the_text() =>
        Assert.Contains("'1.2.3'", Assert.Throws<FormatException>(() => DicomNumberString.ParseDouble("1.2.3")).Message);
}
