using Mira.Dicom.Text;

namespace Mira.Dicom.Tests.Text;

public class CharacterSetTermTests
{
    [Theory]
    [InlineData("ISO-IR 100")]
    [InlineData("ISO_IR100")]
    [InlineData("iso_ir 100")]
    [InlineData("ISO IR 100")]
    public void Misspelt_latin1_term_is_read_as_iso_ir_100_with_a_warning(string term)
    {
        var warnings = new List<string>();

        var charset = DicomCharacterSet.FromTerms([term], warnings);

        Assert.Equal(["ISO_IR 100"], charset.Terms);
        Assert.Equal("é", charset.Decode([0xE9], DicomVR.LO));
        Assert.Contains(warnings, w => w.Contains(term) && w.Contains("ISO_IR 100"));
    }

    [Theory]
    [InlineData("ISO_IR 100 ")]
    [InlineData("ISO_IR 100\0")]
    [InlineData(" ISO_IR 100")]
    public void Padding_around_a_defined_term_is_accepted_silently(string term)
    {
        var warnings = new List<string>();

        Assert.Equal(["ISO_IR 100"], DicomCharacterSet.FromTerms([term], warnings).Terms);
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("GBK")]
    [InlineData("GB18030")]
    [InlineData("ISO_IR 192")]
    [InlineData("ISO 2022 IR 58")]
    [InlineData("ISO_IR 166")]
    [InlineData("ISO_IR 203")]
    public void Defined_terms_give_no_warning(string term)
    {
        var warnings = new List<string>();

        Assert.Equal([term], DicomCharacterSet.FromTerms([term], warnings).Terms);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Unknown_term_falls_back_to_the_default_repertoire_with_a_warning()
    {
        var warnings = new List<string>();

        var charset = DicomCharacterSet.FromTerms(["KLINGON"], warnings);

        Assert.Same(DicomCharacterSet.Default, charset);
        Assert.Contains(warnings, w => w.Contains("KLINGON"));
        Assert.Equal("é", charset.Decode([0xE9], DicomVR.PN));
    }

    [Fact]
    public void Unknown_extension_term_is_dropped_and_the_others_are_kept()
    {
        var warnings = new List<string>();

        var charset = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 999", "ISO 2022 IR 87"], warnings);

        Assert.Equal(["", "ISO 2022 IR 87"], charset.Terms);
        Assert.Single(warnings);
    }

    [Theory]
    [InlineData("UTF-8", "ISO_IR 192")]
    [InlineData("utf8", "ISO_IR 192")]
    [InlineData("GB2312", "GBK")]
    [InlineData("ISO-8859-15", "ISO_IR 203")]
    [InlineData("ISO 2022 GB18030", "GB18030")]
    public void Common_non_dicom_names_are_mapped_with_a_warning(string term, string canonical)
    {
        var warnings = new List<string>();

        Assert.Equal([canonical], DicomCharacterSet.FromTerms([term], warnings).Terms);
        Assert.Single(warnings);
    }

    [Fact]
    public void Single_byte_term_used_with_code_extensions_is_read_as_its_iso_2022_form()
    {
        var warnings = new List<string>();

        var charset = DicomCharacterSet.FromTerms(["ISO_IR 100", "ISO 2022 IR 126"], warnings);

        Assert.Equal(["ISO 2022 IR 100", "ISO 2022 IR 126"], charset.Terms);
        Assert.Single(warnings);
    }

    [Fact]
    public void Utf8_cannot_be_combined_with_code_extensions()
    {
        var warnings = new List<string>();

        var charset = DicomCharacterSet.FromTerms(["ISO_IR 192", "ISO 2022 IR 87"], warnings);

        Assert.Same(DicomCharacterSet.Utf8, charset);
        Assert.Single(warnings);
    }

    [Fact]
    public void Empty_or_missing_terms_mean_the_default_repertoire()
    {
        Assert.Same(DicomCharacterSet.Default, DicomCharacterSet.FromTerms([]));
        Assert.Same(DicomCharacterSet.Default, DicomCharacterSet.FromTerms([""]));
        Assert.Same(DicomCharacterSet.Default, DicomCharacterSet.FromTerms(["ISO_IR 6"]));
        Assert.Empty(DicomCharacterSet.Default.Terms);
    }

    [Fact]
    public void Empty_first_value_is_kept_when_code_extensions_follow()
    {
        Assert.Equal(["", "ISO 2022 IR 149"], DicomCharacterSet.FromTerms(["", "ISO 2022 IR 149"]).Terms);
        Assert.Equal(["ISO 2022 IR 13", "ISO 2022 IR 87"], DicomCharacterSet.FromTerms(["ISO 2022 IR 13", "ISO 2022 IR 87"]).Terms);
    }

    [Fact]
    public void Equal_terms_give_the_same_cached_instance()
    {
        Assert.Same(DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"]), DicomCharacterSet.FromTerms([" ", "ISO 2022 IR 87 "]));
        Assert.Same(DicomCharacterSet.FromTerms(["ISO_IR 100"]), DicomCharacterSet.FromTerms(["ISO-IR 100"]));
    }

    [Fact]
    public void Ascii_fast_path_flag_is_set_only_for_stateless_single_byte_sets()
    {
        Assert.True(DicomCharacterSet.Default.IsDefaultOrAsciiCompatibleSingleByte);
        Assert.True(DicomCharacterSet.FromTerms(["ISO_IR 100"]).IsDefaultOrAsciiCompatibleSingleByte);
        Assert.False(DicomCharacterSet.FromTerms(["ISO 2022 IR 100"]).IsDefaultOrAsciiCompatibleSingleByte);
        Assert.False(DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"]).IsDefaultOrAsciiCompatibleSingleByte);
        Assert.False(DicomCharacterSet.Utf8.IsDefaultOrAsciiCompatibleSingleByte);
    }
}
