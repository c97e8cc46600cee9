namespace Mira.Deid.Tests;

public sealed class PhiPatternTests
{
    [Theory]
    [InlineData("11010519491231002X", true)]   // GB 11643 example number, check character X
    [InlineData("11010519491231002x", true)]
    [InlineData("110105194912310021", false)]  // wrong check digit
    [InlineData("11010519491331002X", false)]  // month 13
    [InlineData("1101051949123100", false)]
    public void Resident_identity_numbers_need_a_valid_check_character(string id, bool valid) =>
        Assert.Equal(valid, PhiPatterns.IsValidResidentId(id));

    [Theory]
    [InlineData("ID 11010519491231002X on file", PhiPatternKind.ChineseResidentId)]
    [InlineData("call +1-555-0123 today", PhiPatternKind.PhoneNumber)]
    [InlineData("tel (030) 1234 5678", PhiPatternKind.PhoneNumber)]
    [InlineData("mobile 13812345678", PhiPatternKind.PhoneNumber)]
    [InlineData("mail j.mueller@example.org", PhiPatternKind.Email)]
    public void Finds_identifying_patterns(string text, PhiPatternKind kind) =>
        Assert.Contains(PhiPatterns.Find(text), m => m.Kind == kind);

    [Theory]
    [InlineData("Axial 1.25mm soft tissue")]
    [InlineData("scanned 2024-03-15")]
    [InlineData("1.2.840.10008.5.1.4.1.1.2")]
    [InlineData("110105194912310021")]
    [InlineData("T1 3D 256x256")]
    public void Leaves_ordinary_text_alone(string text) => Assert.Empty(PhiPatterns.Find(text));

    [Fact]
    public void Phi_values_match_equal_and_contained_values()
    {
        var phi = PhiValues.From(TestData.Instance());
        Assert.Contains("equals", PhiScanner.Match("mrn0001", phi));
        Assert.Contains("contains", PhiScanner.Match("old record 19560312", phi));
        Assert.Contains("contains", PhiScanner.Match("Dr Jürgen Müller", phi));
        Assert.Null(PhiScanner.Match("ACC", phi));
        Assert.Null(PhiScanner.Match(DummyValues.Text, phi));
    }
}
