using Mira.Dicom.Text;

namespace Mira.Dicom.Tests.Text;

/// <summary>
/// The Patient's Name values listed in ../shared/corpus/dicom/charset/FileInfo.txt, as raw bytes, with the
/// Unicode text they must decode to (worked out with Python's codecs) and, where the writer's choices are
/// canonical, the exact bytes Encode must produce.
/// </summary>
public class CharacterSetSampleTests
{
    /// <summary>Bytes from a string of chars 0x00..0xFF (beware: C# \x escapes take up to four hex digits).</summary>
    private static byte[] B(string latin1) =>
        latin1.All(c => c <= 0xFF) ? System.Text.Encoding.Latin1.GetBytes(latin1) : throw new ArgumentException("not Latin-1", nameof(latin1));

    public static TheoryData<string, string[], byte[], string> Rows => new()
    {
        {
            // chrArab: b'\xe2\xc8\xc7\xe6\xea^\xe4\xe6\xd2\xc7\xd1'
            "chrArab", ["ISO_IR 127"],
            [0xE2, 0xC8, 0xC7, 0xE6, 0xEA, 0x5E, 0xE4, 0xE6, 0xD2, 0xC7, 0xD1],
            "قباني^لنزار"
        },
        {
            // chrFren: b'Buc^J\xe9r\xf4me'
            "chrFren", ["ISO_IR 100"],
            [0x42, 0x75, 0x63, 0x5E, 0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65],
            "Buc^Jérôme"
        },
        {
            // chrFrenMulti: b'Buc^J\xe9r\xf4me'
            "chrFrenMulti", ["ISO_IR 100"],
            [0x42, 0x75, 0x63, 0x5E, 0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65],
            "Buc^Jérôme"
        },
        {
            // chrGerm: b'\xc4neas^R\xfcdiger'
            "chrGerm", ["ISO_IR 100"],
            [0xC4, 0x6E, 0x65, 0x61, 0x73, 0x5E, 0x52, 0xFC, 0x64, 0x69, 0x67, 0x65, 0x72],
            "Äneas^Rüdiger"
        },
        {
            // chrGreek: b'\xc4\xe9\xef\xed\xf5\xf3\xe9\xef\xf2'
            "chrGreek", ["ISO_IR 126"],
            [0xC4, 0xE9, 0xEF, 0xED, 0xF5, 0xF3, 0xE9, 0xEF, 0xF2],
            "Διονυσιος"
        },
        {
            // chrH31: b'Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B'
            "chrH31", ["", "ISO 2022 IR 87"],
            [0x59, 0x61, 0x6D, 0x61, 0x64, 0x61, 0x5E, 0x54, 0x61, 0x72, 0x6F, 0x75, 0x3D, 0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x42, 0x3D, 0x1B, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x42],
            "Yamada^Tarou=山田^太郎=やまだ^たろう"
        },
        {
            // chrH32: b'\xd4\xcf\xc0\xde^\xc0\xdb\xb3=\x1b$B;3ED\x1b(J^\x1b$BB@O:\x1b(J=\x1b$B$d$^$@\x1b(J^\x1b$B$?$m$&\x1b(J'
            "chrH32", ["ISO 2022 IR 13", "ISO 2022 IR 87"],
            [0xD4, 0xCF, 0xC0, 0xDE, 0x5E, 0xC0, 0xDB, 0xB3, 0x3D, 0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x4A, 0x5E, 0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x4A, 0x3D, 0x1B, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B, 0x28, 0x4A, 0x5E, 0x1B, 0x24, 0x42, 0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x4A],
            "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"
        },
        {
            // chrHbrw: b'\xf9\xf8\xe5\xef^\xe3\xe1\xe5\xf8\xe4'
            "chrHbrw", ["ISO_IR 138"],
            [0xF9, 0xF8, 0xE5, 0xEF, 0x5E, 0xE3, 0xE1, 0xE5, 0xF8, 0xE4],
            "שרון^דבורה"
        },
        {
            // chrI2: b'Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7=\x1b$)C\xc8\xab^\x1b$)C\xb1\xe6\xb5\xbf'
            "chrI2", ["", "ISO 2022 IR 149"],
            [0x48, 0x6F, 0x6E, 0x67, 0x5E, 0x47, 0x69, 0x6C, 0x64, 0x6F, 0x6E, 0x67, 0x3D, 0x1B, 0x24, 0x29, 0x43, 0xFB, 0xF3, 0x5E, 0x1B, 0x24, 0x29, 0x43, 0xD1, 0xCE, 0xD4, 0xD7, 0x3D, 0x1B, 0x24, 0x29, 0x43, 0xC8, 0xAB, 0x5E, 0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE6, 0xB5, 0xBF],
            "Hong^Gildong=洪^吉洞=홍^길동"
        },
        {
            // chrRuss: b'\xbb\xee\xdace\xdc\xd1yp\xd3'
            "chrRuss", ["ISO_IR 144"],
            [0xBB, 0xEE, 0xDA, 0x63, 0x65, 0xDC, 0xD1, 0x79, 0x70, 0xD3],
            "Люкceмбypг"
        },
        {
            // chrX1: b'Wang^XiaoDong=\xe7\x8e\x8b^\xe5\xb0\x8f\xe6\x9d\xb1='
            "chrX1", ["ISO_IR 192"],
            [0x57, 0x61, 0x6E, 0x67, 0x5E, 0x58, 0x69, 0x61, 0x6F, 0x44, 0x6F, 0x6E, 0x67, 0x3D, 0xE7, 0x8E, 0x8B, 0x5E, 0xE5, 0xB0, 0x8F, 0xE6, 0x9D, 0xB1, 0x3D],
            "Wang^XiaoDong=王^小東="
        },
        {
            // chrX2: b'Wang^XiaoDong=\xcd\xf5^\xd0\xa1\xb6\xab='
            "chrX2", ["GB18030"],
            [0x57, 0x61, 0x6E, 0x67, 0x5E, 0x58, 0x69, 0x61, 0x6F, 0x44, 0x6F, 0x6E, 0x67, 0x3D, 0xCD, 0xF5, 0x5E, 0xD0, 0xA1, 0xB6, 0xAB, 0x3D],
            "Wang^XiaoDong=王^小东="
        },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Patient_name_from_the_corpus_decodes_to_the_expected_unicode(string file, string[] terms, byte[] raw, string expected)
    {
        var warnings = new List<string>();
        var charset = DicomCharacterSet.FromTerms(terms, warnings);

        Assert.Equal(expected, charset.Decode(raw, DicomVR.PN));
        Assert.True(warnings.Count == 0, $"{file}: {string.Join("; ", warnings)}");
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Encoding_the_expected_patient_name_reproduces_the_corpus_bytes(string file, string[] terms, byte[] raw, string expected)
    {
        var charset = DicomCharacterSet.FromTerms(terms);

        var encoded = charset.Encode(expected, DicomVR.PN);

        Assert.True(raw.AsSpan().SequenceEqual(encoded), $"{file}: {Convert.ToHexString(encoded)} != {Convert.ToHexString(raw)}");
    }

    [Fact]
    public void Multi_valued_long_string_keeps_backslashes_between_values()
    {
        var charset = DicomCharacterSet.FromTerms(["ISO_IR 100"]);

        Assert.Equal("Buc^Jérôme\\Äneas", charset.Decode(B("Buc^J\xe9r\xf4me\\\xc4neas"), DicomVR.PN));
    }
}
