using Mira.Dicom.Text;

namespace Mira.Dicom.Tests.Text;

public class CharacterSetEncodeTests
{
    [Fact]
    public void Unencodable_character_is_named_in_the_argument_exception()
    {
        var ex = Assert.Throws<ArgumentException>(() => DicomCharacterSet.FromTerms(["ISO_IR 100"]).Encode("Jérôme Ω", DicomVR.PN));

        Assert.Contains("'Ω'", ex.Message);
        Assert.Contains("U+03A9", ex.Message);
        Assert.Contains("ISO_IR 100", ex.Message);
    }

    [Fact]
    public void Default_repertoire_encodes_ascii_only()
    {
        Assert.Equal("DOE^JOHN"u8.ToArray(), DicomCharacterSet.Default.Encode("DOE^JOHN", DicomVR.PN));
        var ex = Assert.Throws<ArgumentException>(() => DicomCharacterSet.Default.Encode("é", DicomVR.PN));
        Assert.Contains("U+00E9", ex.Message);
    }

    [Fact]
    public void Iso_2022_set_rejects_characters_outside_all_its_terms()
    {
        var ex = Assert.Throws<ArgumentException>(() => DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"]).Encode("山田^홍", DicomVR.PN));

        Assert.Contains("'홍'", ex.Message);
        Assert.Contains("index 3", ex.Message);
    }

    [Fact]
    public void Escape_character_in_text_is_rejected_where_it_would_be_read_as_an_escape_sequence()
    {
        Assert.Throws<ArgumentException>(() => DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"]).Encode("a\u001B$Bb", DicomVR.LO));
        Assert.Throws<ArgumentException>(() => DicomCharacterSet.FromTerms(["ISO_IR 100"]).Encode("a\u001B", DicomVR.LO));
    }

    [Fact]
    public void Gbk_rejects_characters_outside_its_repertoire_and_utf8_rejects_lone_surrogates()
    {
        Assert.Throws<ArgumentException>(() => DicomCharacterSet.FromTerms(["GBK"]).Encode("王\U00020000", DicomVR.LO));
        var ex = Assert.Throws<ArgumentException>(() => DicomCharacterSet.Utf8.Encode("a\uD800b", DicomVR.LO));
        Assert.Contains("U+D800", ex.Message);
    }

    [Fact]
    public void Latin9_encodes_the_euro_sign()
    {
        Assert.Equal(new byte[] { 0xA4 }, DicomCharacterSet.FromTerms(["ISO_IR 203"]).Encode("€", DicomVR.LO));
        Assert.Throws<ArgumentException>(() => DicomCharacterSet.FromTerms(["ISO_IR 100"]).Encode("€", DicomVR.LO));
    }

    [Fact]
    public void Jis_x_0212_characters_are_designated_with_esc_dollar_paren_d()
    {
        var charset = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87", "ISO 2022 IR 159"]);

        var encoded = charset.Encode("山丂", DicomVR.LO);

        Assert.Equal("\u001B$B;3\u001B$(D0!\u001B(B", System.Text.Encoding.Latin1.GetString(encoded));
    }

    [Fact]
    public void Gb2312_characters_are_designated_to_g1_again_after_each_delimiter()
    {
        var encoded = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 58"]).Encode("Zhang^San=张^三", DicomVR.PN);

        Assert.Equal(
            (byte[])[.. "Zhang^San="u8.ToArray(), 0x1B, 0x24, 0x29, 0x41, 0xD5, 0xC5, (byte)'^', 0x1B, 0x24, 0x29, 0x41, 0xC8, 0xFD],
            encoded);
    }

    [Fact]
    public void Greek_designated_to_g1_is_redesignated_as_latin1_after_a_backslash()
    {
        var charset = DicomCharacterSet.FromTerms(["ISO 2022 IR 100", "ISO 2022 IR 126"]);

        var encoded = charset.Encode("é\\Δé\\é", DicomVR.LO);

        Assert.Equal(new byte[] { 0xE9, 0x5C, 0x1B, 0x2D, 0x46, 0xC4, 0x1B, 0x2D, 0x41, 0xE9, 0x5C, 0xE9 }, encoded);
        Assert.Equal("é\\Δé\\é", charset.Decode(encoded, DicomVR.LO));
        Assert.Equal(new byte[] { 0x1B, 0x2D, 0x46, 0xC4, 0x1B, 0x2D, 0x41, 0x5C, 0xE9 }, charset.Encode("Δ\\é", DicomVR.LO));
    }

    [Fact]
    public void Vrs_not_affected_by_the_character_set_encode_as_ascii()
    {
        Assert.Throws<ArgumentException>(() => DicomCharacterSet.Utf8.Encode("é", DicomVR.CS));
        Assert.Equal("ABC"u8.ToArray(), DicomCharacterSet.Utf8.Encode("ABC", DicomVR.CS));
    }
}
