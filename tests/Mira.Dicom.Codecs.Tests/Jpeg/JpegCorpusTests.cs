using Mira.Dicom.Codecs.Jpeg;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Dicom.Codecs.Tests.Jpeg;

public class JpegCorpusTests(ITestOutputHelper output)
{
    public static TheoryData<string> Files()
    {
        var d = new TheoryData<string>();
        foreach (var f in JpegTestSupport.OracleFiles()) d.Add(f.Path);
        return d;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Decoded_frames_hash_like_the_oracle(string path)
    {
        var row = Corpus.Summary[path];
        var (pixels, format) = JpegTestSupport.DecodeAll(Corpus.Get(path).FullPath, new JpegCodec());
        var actual = JpegTestSupport.Sha256(pixels);
        output.WriteLine($"{row.TransferSyntax} {path} {actual} -> {format.PhotometricInterpretation}");
        Assert.Equal(row["pixel_sha256_pydicom"], actual);
    }
}
