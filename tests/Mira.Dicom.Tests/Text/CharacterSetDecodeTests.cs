using Mira.Dicom.Text;

namespace Mira.Dicom.Tests.Text;

public class CharacterSetDecodeTests
{
    /// <summary>Bytes from a string of chars 0x00..0xFF (beware: C# \x escapes take up to four hex digits).</summary>
    private static byte[] B(string latin1) =>
        latin1.All(c => c <= 0xFF) ? System.Text.Encoding.Latin1.GetBytes(latin1) : throw new ArgumentException("not Latin-1", nameof(latin1));

    [Fact]
    public void Gbk_decodes_gb2312_and_the_extended_gbk_range()
    {
        var gbk = DicomCharacterSet.FromTerms(["GBK"]);

        Assert.Equal("王^小东", gbk.Decode(B("\xcd\xf5^\xd0\xa1\xb6\xab"), DicomVR.PN));
        Assert.Equal("丂昇﨩", gbk.Decode(B("\x81\x40\x95\x4e\xfe\x4f"), DicomVR.LO)); // GBK/3, GBK/4 and GBK/5-area characters
    }

    [Fact]
    public void Gb18030_decodes_four_byte_sequences_outside_the_bmp()
    {
        var gb18030 = DicomCharacterSet.FromTerms(["GB18030"]);

        Assert.Equal("\u0080\U00020000", gb18030.Decode(B("\x81\x30\x81\x30\x95\x32\x82\x36"), DicomVR.LO));
    }

    [Fact]
    public void Iso_2022_ir_58_decodes_gb2312_designated_to_g1()
    {
        var charset = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 58"]);

        Assert.Equal("Zhang^San=张^三", charset.Decode(B("Zhang^San=\x1b$)A\xd5\xc5^\x1b$)A\xc8\xfd"), DicomVR.PN));
    }

    [Fact]
    public void Iso_2022_ir_159_decodes_jis_x_0212_designated_to_g0()
    {
        var charset = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87", "ISO 2022 IR 159"]);

        var decoded = charset.Decode(B("\x1b$(D\x30\x21\x30\x22\x1b(B^\x1b$B;3\x1b$(D\x30\x23\x1b(B"), DicomVR.PN);

        Assert.Equal("丂丄^山丅", decoded);
    }

    [Fact]
    public void Latin9_decodes_the_euro_sign()
    {
        Assert.Equal("€ŠŒ", DicomCharacterSet.FromTerms(["ISO_IR 203"]).Decode(B("\xa4\xa6\xbc"), DicomVR.LO));
    }

    [Fact]
    public void Tis_620_decodes_thai()
    {
        Assert.Equal("สวัสดี", DicomCharacterSet.FromTerms(["ISO_IR 166"]).Decode(B("\xca\xc7\xd1\xca\xb4\xd5"), DicomVR.LO));
    }

    [Fact]
    public void Iso_ir_13_decodes_half_width_katakana_in_g1()
    {
        Assert.Equal("ﾔﾏﾀﾞ^ﾀﾛｳ", DicomCharacterSet.FromTerms(["ISO_IR 13"]).Decode(B("\xd4\xcf\xc0\xde^\xc0\xdb\xb3"), DicomVR.PN));
    }

    [Fact]
    public void Single_byte_g1_set_designated_by_escape_sequence_switches_to_greek_and_back_at_delimiters()
    {
        var charset = DicomCharacterSet.FromTerms(["ISO 2022 IR 100", "ISO 2022 IR 126"]);

        var decoded = charset.Decode(B("J\xe9r\xf4me\\\x1b-F\xc4\xe9\xef\\\xe9"), DicomVR.LO);

        Assert.Equal("Jérôme\\Διο\\é", decoded);
    }

    [Theory]
    [InlineData("\x1b$B;\\\x1b(B\\x", "施\\x")]   // 0x5C inside a JIS X 0208 pair is not a delimiter
    [InlineData("\x1b$BK=\x1b(B=x", "暴=x")]      // nor is 0x3D
    [InlineData("\x1b$B$^\x1b(B^x", "ま^x")]       // nor is 0x5E
    public void Bytes_inside_a_double_byte_g0_run_are_never_delimiters(string raw, string expected)
    {
        Assert.Equal(expected, DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"]).Decode(B(raw), DicomVR.PN));
    }

    [Fact]
    public void G0_returns_to_ascii_at_a_control_character_even_without_escape_back_but_backslash_is_text_in_lt()
    {
        var charset = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"]);

        Assert.Equal("山\r\nab", charset.Decode(B("\x1b$B;3\r\nab"), DicomVR.LT));
        Assert.Equal("山施", charset.Decode(B("\x1b$B;3;\\"), DicomVR.LT));
    }

    [Fact]
    public void G1_bytes_without_a_designation_use_the_g1_set_a_term_names()
    {
        var charset = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 149"]);

        Assert.Equal("洪^吉洞", charset.Decode(B("\x1b$)C\xfb\xf3^\xd1\xce\xd4\xd7"), DicomVR.PN));
    }

    [Fact]
    public void Escape_sequences_in_a_set_without_extensions_are_honoured_leniently()
    {
        Assert.Equal("Jé山", DicomCharacterSet.FromTerms(["ISO_IR 100"]).Decode(B("J\xe9\x1b$B;3\x1b(B"), DicomVR.LO));
    }

    [Theory]
    [InlineData("\x1b$)Zab", "ab")]      // unknown designation: skipped
    [InlineData("ab\x1b$", "ab")]         // truncated escape sequence
    [InlineData("\x1b$B;", "\uFFFD")]     // half a double-byte character
    [InlineData("\x1b$)C\xfb", "\uFFFD")]
    public void Malformed_iso_2022_input_never_throws(string raw, string expected)
    {
        Assert.Equal(expected, DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87", "ISO 2022 IR 149"]).Decode(B(raw), DicomVR.LO));
    }

    [Fact]
    public void Default_repertoire_reads_bytes_above_0x7f_as_latin1()
    {
        Assert.Equal("Jérôme", DicomCharacterSet.Default.Decode(B("J\xe9r\xf4me"), DicomVR.PN));
    }

    [Fact]
    public void Invalid_utf8_becomes_replacement_characters()
    {
        Assert.Equal("a\uFFFDb", DicomCharacterSet.Utf8.Decode(B("a\xff" + "b"), DicomVR.LO));
    }

    [Fact]
    public void Vrs_not_affected_by_the_character_set_are_read_with_the_default_repertoire()
    {
        var utf8 = DicomCharacterSet.Utf8;

        Assert.Equal("Ã©", utf8.Decode(B("\xc3\xa9"), DicomVR.CS));
        Assert.Equal("é", utf8.Decode(B("\xc3\xa9"), DicomVR.LO));
    }

    [Fact]
    public void Long_values_decode_like_short_ones()
    {
        var charset = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"]);
        var unit = B("Yamada^\x1b$B;3ED\x1b(B\\");
        var raw = Enumerable.Repeat(unit, 200).SelectMany(x => x).ToArray();

        Assert.Equal(string.Concat(Enumerable.Repeat("Yamada^山田\\", 200)), charset.Decode(raw, DicomVR.PN));
        Assert.Equal(new string('é', 2000), DicomCharacterSet.FromTerms(["ISO_IR 100"]).Decode(Enumerable.Repeat((byte)0xE9, 2000).ToArray(), DicomVR.LT));
    }

    [Fact]
    public void Ascii_values_decode_identically_in_every_set()
    {
        var raw = B("DOE^JOHN\\SMITH");
        foreach (var terms in new[] { new[] { "ISO_IR 100" }, ["ISO_IR 192"], ["GB18030"], ["GBK"], ["", "ISO 2022 IR 87"], ["ISO 2022 IR 13", "ISO 2022 IR 87"], ["ISO_IR 13"] })
            Assert.Equal("DOE^JOHN\\SMITH", DicomCharacterSet.FromTerms(terms).Decode(raw, DicomVR.PN));
    }
}
