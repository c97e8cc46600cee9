using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class DicomValueValidatorTests
{
    [Theory]
    [InlineData(DicomVR.AE, "STORESCP")]
    [InlineData(DicomVR.AE, " MY AE ")]
    [InlineData(DicomVR.AS, "045Y")]
    [InlineData(DicomVR.CS, "ORIGINAL_1 X")]
    [InlineData(DicomVR.DA, "20240229")]
    [InlineData(DicomVR.TM, "235959.999999")]
    [InlineData(DicomVR.DT, "20260314100530.5-0500")]
    [InlineData(DicomVR.DS, "-1.5e3")]
    [InlineData(DicomVR.IS, "-12")]
    [InlineData(DicomVR.LO, "Ünïcode is fine")]
    [InlineData(DicomVR.SH, "sixteen chars ok")]
    [InlineData(DicomVR.PN, "Yamada^Tarou=山田^太郎=やまだ^たろう")]
    [InlineData(DicomVR.PN, "A^B^C^D^E")]
    [InlineData(DicomVR.UI, "1.2.840.10008.1.2.1")]
    [InlineData(DicomVR.UI, "1.2.3\0")]
    [InlineData(DicomVR.UR, "https://example.org/a%20b?q=1#x")]
    [InlineData(DicomVR.LT, "line one\r\nline two\\with backslash")]
    [InlineData(DicomVR.ST, "tab\there")]
    [InlineData(DicomVR.UT, "text")]
    [InlineData(DicomVR.UC, "unlimited characters")]
    [InlineData(DicomVR.LO, "")]
    public void Accepts_valid_values(DicomVR vr, string value) => Assert.Null(DicomValueValidator.Validate(vr, value));

    [Theory]
    [InlineData(DicomVR.AE, "SEVENTEEN_CHARS_X")]
    [InlineData(DicomVR.AE, "    ")]
    [InlineData(DicomVR.AE, "A\\B")]
    [InlineData(DicomVR.AE, "A\tB")]
    [InlineData(DicomVR.AS, "45Y")]
    [InlineData(DicomVR.AS, "045X")]
    [InlineData(DicomVR.AS, "045y")]
    [InlineData(DicomVR.CS, "lower")]
    [InlineData(DicomVR.CS, "A-B")]
    [InlineData(DicomVR.CS, "SEVENTEEN_CHARS_X")]
    [InlineData(DicomVR.DA, "20230229")]
    [InlineData(DicomVR.TM, "240000")]
    [InlineData(DicomVR.DT, "2026-")]
    [InlineData(DicomVR.DS, "1.234567890123456")]
    [InlineData(DicomVR.IS, "2147483648")]
    [InlineData(DicomVR.SH, "seventeen chars!!")]
    [InlineData(DicomVR.LO, "a\\b")]
    [InlineData(DicomVR.LO, "bell\u0007")]
    [InlineData(DicomVR.LO, "line\nbreak")]
    [InlineData(DicomVR.PN, "a=b=c=d")]
    [InlineData(DicomVR.PN, "A^B^C^D^E^F")]
    [InlineData(DicomVR.UI, "1.02")]
    [InlineData(DicomVR.UR, "http://x/ y")]
    [InlineData(DicomVR.UR, "http://x/ ")]
    [InlineData(DicomVR.UR, "http://x/%zz")]
    [InlineData(DicomVR.US, "1")]
    [InlineData(DicomVR.SQ, "x")]
    public void Rejects_invalid_values_with_a_reason(DicomVR vr, string value) =>
        Assert.False(string.IsNullOrEmpty(DicomValueValidator.Validate(vr, value)));

    [Fact]
    public void Lo_counts_characters_not_bytes()
    {
        Assert.Null(DicomValueValidator.Validate(DicomVR.LO, new string('é', 64)));
        Assert.NotNull(DicomValueValidator.Validate(DicomVR.LO, new string('é', 65)));
    }

    [Fact]
    public void Surrogate_pairs_count_as_one_character() =>
        Assert.Null(DicomValueValidator.Validate(DicomVR.SH, string.Concat(Enumerable.Repeat("😀", 16))));

    [Fact]
    public void Pn_limits_each_component_group_to_64_characters()
    {
        var group = new string('x', 64);
        Assert.Null(DicomValueValidator.Validate(DicomVR.PN, $"{group}={group}={group}"));
        Assert.NotNull(DicomValueValidator.Validate(DicomVR.PN, $"{group}x"));
    }

    [Fact]
    public void Text_length_limits_follow_the_standard()
    {
        Assert.Null(DicomValueValidator.Validate(DicomVR.LT, new string('x', 10240)));
        Assert.NotNull(DicomValueValidator.Validate(DicomVR.LT, new string('x', 10241)));
        Assert.Null(DicomValueValidator.Validate(DicomVR.ST, new string('x', 1024)));
        Assert.NotNull(DicomValueValidator.Validate(DicomVR.ST, new string('x', 1025)));
        Assert.Null(DicomValueValidator.Validate(DicomVR.UT, new string('x', 100_000)));
    }

    [Fact]
    public void Reason_mentions_what_is_wrong() =>
        Assert.Contains("leading zero", DicomValueValidator.Validate(DicomVR.UI, "1.02"));
}
