using System.Text;
using CsCheck;
using Mira.Dicom.Text;

namespace Mira.Dicom.Tests.Text;

/// <summary>Encode then Decode gives back the text, for random strings drawn from each set's repertoire.</summary>
public class CharacterSetRoundTripTests
{
    private const string AsciiText = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_`abcdefghijklmnopqrstuvwxyz{|}~";

    private static readonly string[] TermListValues =
    [
        "ISO_IR 100", "ISO_IR 101", "ISO_IR 109", "ISO_IR 110", "ISO_IR 144", "ISO_IR 127", "ISO_IR 126", "ISO_IR 138",
        "ISO_IR 148", "ISO_IR 203", "ISO_IR 13", "ISO_IR 166",
        "ISO 2022 IR 100", "ISO 2022 IR 126", "ISO 2022 IR 166",
        "\\ISO 2022 IR 87", "ISO 2022 IR 13\\ISO 2022 IR 87", "\\ISO 2022 IR 149", "\\ISO 2022 IR 58", "\\ISO 2022 IR 159",
        "\\ISO 2022 IR 87\\ISO 2022 IR 159", "ISO 2022 IR 100\\ISO 2022 IR 126\\ISO 2022 IR 144\\ISO 2022 IR 138",
        "ISO 2022 IR 13\\ISO 2022 IR 87\\ISO 2022 IR 149\\ISO 2022 IR 58",
    ];

    public static TheoryData<string> TermLists => new(TermListValues);

    private static readonly DicomVR[] Vrs = [DicomVR.PN, DicomVR.LO, DicomVR.SH, DicomVR.LT, DicomVR.UT];

    private static Gen<(string Text, DicomVR Vr)> TextFrom(char[] alphabet) =>
        Gen.Select(
            Gen.Int[0, alphabet.Length - 1].Select(i => alphabet[i]).Array[0, 40].Select(a => new string(a)),
            Gen.Int[0, Vrs.Length - 1].Select(i => Vrs[i]));

    [Theory]
    [MemberData(nameof(TermLists))]
    public void Random_text_from_the_repertoire_round_trips(string termList)
    {
        var charset = DicomCharacterSet.FromTerms(termList.Split('\\'));
        var nonAscii = charset.NonAsciiRepertoire();
        Assert.NotEmpty(nonAscii);
        // Weight the non-ASCII repertoire and the delimiters so runs, switches and resets all get exercised.
        var alphabet = (AsciiText + "\\\\^^==\r\n" + new string([.. nonAscii]) + new string([.. nonAscii.Take(200)])).ToCharArray();

        TextFrom(alphabet).Sample(x =>
        {
            var decoded = charset.Decode(charset.Encode(x.Text, x.Vr), x.Vr);
            Assert.Equal(x.Text, decoded);
        }, iter: 300);
    }

    [Fact]
    public void Random_unicode_round_trips_through_utf8_and_gb18030()
    {
        var scalar = Gen.Int[0x20, 0x10FFFF].Where(cp => cp is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32);
        var text = scalar.Array[0, 20].Select(string.Concat);
        foreach (var charset in new[] { DicomCharacterSet.Utf8, DicomCharacterSet.FromTerms(["GB18030"]) })
            text.Sample(t => Assert.Equal(t, charset.Decode(charset.Encode(t, DicomVR.LO), DicomVR.LO)), iter: 300);
    }

    [Fact]
    public void Random_text_from_the_gbk_repertoire_round_trips()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gbkCodec = Encoding.GetEncoding(936, EncoderFallback.ExceptionFallback, new DecoderReplacementFallback("\uFFFD"));
        var repertoire = new HashSet<char>();
        for (var lead = 0x81; lead <= 0xFE; lead++)
            for (var trail = 0x40; trail <= 0xFE; trail++)
                if (trail != 0x7F && gbkCodec.GetString([(byte)lead, (byte)trail]) is [var c] && c != '\uFFFD' && !char.IsSurrogate(c))
                    repertoire.Add(c);
        Assert.Contains('丂', repertoire);
        var alphabet = (AsciiText + "\\^=" + new string([.. repertoire])).ToCharArray();
        var gbk = DicomCharacterSet.FromTerms(["GBK"]);

        TextFrom(alphabet).Sample(x => Assert.Equal(x.Text, gbk.Decode(gbk.Encode(x.Text, x.Vr), x.Vr)), iter: 300);
    }

    [Fact]
    public void Ascii_text_encodes_to_the_same_bytes_in_every_set()
    {
        var sets = TermListValues.Select(terms => DicomCharacterSet.FromTerms(terms.Split('\\')))
            .Append(DicomCharacterSet.Utf8).Append(DicomCharacterSet.Default).ToArray();
        var alphabet = (AsciiText + "\\^=").ToCharArray();

        TextFrom(alphabet).Sample(x =>
        {
            var expected = Encoding.ASCII.GetBytes(x.Text);
            foreach (var charset in sets)
                Assert.Equal(expected, charset.Encode(x.Text, x.Vr));
        }, iter: 100);
    }
}
