using System.Text;
using Mira.Dicom.Codecs.Rle;
using Mira.Dicom.IO;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Dicom.Codecs.Tests;

/// <summary>Mira's decoded pixels against the corpus oracle (pydicom 2.3, GDCM, DCMTK).</summary>
public sealed class CorpusPixelTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(CorpusPixelCases.Paths), MemberType = typeof(CorpusPixelCases))]
    public void Decoded_array_equals_the_oracle(string path)
    {
        var c = CorpusPixelCases.Get(path);
        if (c.RefusalContains is { } reason)
        {
            var e = Assert.Throws<DicomCodecException>(() => CorpusPixelCases.Decode(path));
            Assert.Contains(reason, e.Message);
            return;
        }
        var a = CorpusPixelCases.Decode(path);
        Assert.Equal(c.DType, a.DType);
        Assert.Equal(c.Shape, a.Shape);
        Assert.Equal(c.Sha256, a.Sha256());
    }

    [Fact]
    public void Pass_table_per_transfer_syntax()
    {
        var rows = new List<(string Ts, string Path, bool Pass, string Note)>();
        foreach (var c in CorpusPixelCases.All)
        {
            bool pass;
            string note;
            try
            {
                var a = CorpusPixelCases.Decode(c.Path);
                pass = c.RefusalContains is null && a.Sha256() == c.Sha256 && a.DType == c.DType && a.Shape.SequenceEqual(c.Shape ?? []);
                note = pass ? c.Source : $"got {a.Sha256()[..12]} {a.ShapeText} {a.DType}, expected {c.Sha256?[..12]} ({c.Source})";
            }
            catch (DicomCodecException e)
            {
                pass = c.RefusalContains is { } r && e.Message.Contains(r);
                note = (pass ? "refused as expected: " : "refused: ") + e.Message;
            }
            rows.Add((c.TransferSyntax, c.Path, pass, note));
        }
        var sb = new StringBuilder();
        sb.AppendLine("| transfer syntax | name | files passing / total |");
        sb.AppendLine("| --- | --- | --- |");
        foreach (var g in rows.GroupBy(r => r.Ts).OrderBy(g => g.Key, StringComparer.Ordinal))
            sb.AppendLine($"| {g.Key} | {CorpusPixelCases.SyntaxNames[g.Key]} | {g.Count(r => r.Pass)} / {g.Count()} |");
        sb.AppendLine($"| all | | {rows.Count(r => r.Pass)} / {rows.Count} |");
        sb.AppendLine();
        foreach (var r in rows) sb.AppendLine($"{(r.Pass ? "pass" : "FAIL")}  {r.Path}  [{r.Note}]");
        output.WriteLine(sb.ToString());
        Assert.All(rows, r => Assert.True(r.Pass, $"{r.Path}: {r.Note}"));
        Assert.True(rows.Count >= 100, $"only {rows.Count} corpus files were compared");
    }

    [Fact]
    public void Same_pixels_groups_decode_identically_within_these_syntaxes()
    {
        var checkedGroups = 0;
        foreach (var g in PixelOracles.SamePixels)
        {
            var ours = g.Files.Where(p => PixelOracles.Get(p)?.TransferSyntax is { } ts && CorpusPixelCases.SyntaxNames.ContainsKey(ts)).ToList();
            if (ours.Count == 0) continue;
            checkedGroups++;
            foreach (var p in ours) Assert.True(g.Sha256 == CorpusPixelCases.Decode(p).Sha256(), $"{p} differs from its same-pixels group {g.Sha256[..12]}");
        }
        Assert.True(checkedGroups >= 8, $"{checkedGroups} groups checked");
    }

    [Theory]
    [MemberData(nameof(CorpusPixelCases.Paths), MemberType = typeof(CorpusPixelCases))]
    public void Rle_encoding_of_every_frame_decodes_to_the_same_frame(string path)
    {
        if (CorpusPixelCases.Get(path).RefusalContains is not null) return;
        var pixels = PixelData.Open(DicomFile.Open(Corpus.Get(path).FullPath));
        var codec = new RleCodec();
        for (var i = 0; i < pixels.FrameCount; i++)
        {
            var frame = pixels.DecodeFrame(i, out var format);
            if (format.IsFloat) return; // Float Pixel Data cannot be encapsulated
            var encoded = codec.Encode(frame, format);
            Assert.Equal(0, encoded.Length % 2);
            var back = new byte[frame.Length];
            codec.Decode(encoded, format, back);
            Assert.True(frame.AsSpan().SequenceEqual(back), $"frame {i + 1} differs after RLE encode and decode");
        }
    }
}
