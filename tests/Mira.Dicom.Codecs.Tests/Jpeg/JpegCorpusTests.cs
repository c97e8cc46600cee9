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

public class JpegCorpusRgbTests
{
    /// <summary>Corpus YBR files where dcmtk's oracle hash (dcmdjpeg converts YCbCr to RGB) differs from pydicom's.</summary>
    public static TheoryData<string> YbrFiles()
    {
        var d = new TheoryData<string>();
        foreach (var f in JpegTestSupport.OracleFiles())
        {
            var row = Corpus.Summary[f.Path];
            if (row["PhotometricInterpretation"].StartsWith("YBR", StringComparison.Ordinal) && row["pixel_sha256_dcmtk"].Length == 64)
                d.Add(f.Path);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(YbrFiles))]
    public void Rgb_output_hashes_like_dcmdjpeg(string path)
    {
        var (pixels, format) = JpegTestSupport.DecodeAll(Corpus.Get(path).FullPath, new JpegCodec(JpegColorOutput.ConvertYbrToRgb));
        Assert.Equal("RGB", format.PhotometricInterpretation);
        Assert.Equal(Corpus.Summary[path]["pixel_sha256_dcmtk"], JpegTestSupport.Sha256(pixels));
    }
}
