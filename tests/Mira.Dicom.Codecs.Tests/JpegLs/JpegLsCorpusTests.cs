using System.Security.Cryptography;
using Mira.Dicom.Codecs.JpegLs;
using Mira.Dicom.IO;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Dicom.Codecs.Tests.JpegLs;

/// <summary>
/// Every corpus file in a JPEG-LS transfer syntax that has an oracle pixel hash: the SHA-256 of the decoded frames
/// (pydicom's pixel_array layout: frames × rows × columns × samples, little endian) must equal the oracle's.
/// Where the oracle's decoders disagree, the expected array is the one that the file's uncompressed twin has
/// (oracle/same-pixels.tsv).
/// </summary>
public class JpegLsCorpusTests(ITestOutputHelper output)
{
    static readonly string[] Syntaxes = [JpegLsCodec.LosslessUid, JpegLsCodec.NearLosslessUid];

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in CorpusFiles()) data.Add(f);
        return data;
    }

    static IEnumerable<string> CorpusFiles() =>
        Corpus.DicomFiles
            .Where(f => Corpus.Summary.TryGetValue(f.Path, out var row) && Syntaxes.Contains(row.TransferSyntax) && ExpectedHash(f.Path) is not null)
            .Select(f => f.Path);

    /// <summary>The expected pixel SHA-256, or null when the oracle has none.</summary>
    internal static string? ExpectedHash(string path)
    {
        var row = Corpus.Summary[path];
        var pydicom = row["pixel_sha256_pydicom"];
        if (row["pixel_decoders_agree"] == "True" && pydicom.Length == 64) return pydicom;
        // Decoders disagree: the array this file shares with an uncompressed twin.
        foreach (var line in File.ReadLines(Path.Combine(Corpus.Root, "oracle", "same-pixels.tsv")).Skip(1))
        {
            var cols = line.Split('\t');
            if (cols.Length < 2) continue;
            var files = cols[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (files.Length > 1 && files.Contains(path)) return cols[0];
        }
        return pydicom.Length == 64 ? pydicom : null;
    }

    internal static byte[] DecodeAll(string path, IPixelCodec codec)
    {
        var file = DicomFile.Open(Path.Combine(Corpus.Root, path));
        var format = PixelFormat.From(file.Dataset);
        var frames = file.Dataset.GetEncapsulatedFrames() ?? throw new InvalidOperationException("no encapsulated pixel data");
        var frameLength = (int)format.FrameLength;
        var all = new byte[frameLength * frames.Count];
        for (var i = 0; i < frames.Count; i++)
        {
            var result = codec.Decode(frames[i].Span, format, all.AsSpan(i * frameLength, frameLength));
            Assert.Equal(0, result.SamplesPerPixel > 1 ? result.PlanarConfiguration : 0);
        }
        return all;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Decoded_pixels_match_the_oracle(string path)
    {
        var pixels = DecodeAll(path, new JpegLsCodec());
        Assert.Equal(ExpectedHash(path), Convert.ToHexStringLower(SHA256.HashData(pixels)));
    }

    [Fact]
    public void Pass_table_per_transfer_syntax()
    {
        var codec = new JpegLsCodec();
        var failures = new List<string>();
        foreach (var ts in Syntaxes)
        {
            var files = CorpusFiles().Where(p => Corpus.Summary[p].TransferSyntax == ts).ToList();
            var pass = 0;
            foreach (var path in files)
            {
                try
                {
                    var hash = Convert.ToHexStringLower(SHA256.HashData(DecodeAll(path, codec)));
                    if (hash == ExpectedHash(path)) pass++;
                    else failures.Add($"{path}: hash {hash}");
                }
                catch (Exception e)
                {
                    failures.Add($"{path}: {e.GetType().Name}: {e.Message}");
                }
            }
            output.WriteLine($"{ts}: {pass}/{files.Count}");
        }
        foreach (var f in failures) output.WriteLine(f);
        Assert.Empty(failures);
        Assert.True(CorpusFiles().Count() >= 10, "the corpus should have at least 10 JPEG-LS files with oracle hashes");
    }
}
