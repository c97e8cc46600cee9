namespace Mira.Dicom.Codecs.OpenJpeg.Tests;

public sealed class SmokeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Print()
    {
        foreach (var c in CorpusJ2kCases.All)
        {
            string got;
            try { var a = OpenJpegSetup.Decode(c.Path); got = $"{a.Sha256()[..12]} {a.ShapeText} {a.DType}"; }
            catch (Exception e) { got = e.GetType().Name + ": " + e.Message; }
            output.WriteLine($"{c.Path}\n   exp {c.Sha256?[..12]} {c.DType} [{c.Source}]\n   got {got}");
        }
    }
}
