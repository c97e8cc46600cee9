using System.Security.Cryptography;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Dicom.Codecs.Tests.Jpeg;

internal static class JpegTestSupport
{
    public static readonly string[] Syntaxes = [JpegCodec.Baseline, JpegCodec.Extended, JpegCodec.Lossless, JpegCodec.LosslessSV1];

    /// <summary>Corpus files in a JPEG transfer syntax with an oracle pixel hash.</summary>
    public static IEnumerable<CorpusFile> OracleFiles() =>
        Corpus.DicomFiles.Where(f => Corpus.Summary.TryGetValue(f.Path, out var row)
            && Syntaxes.Contains(row.TransferSyntax) && row["pixel_sha256_pydicom"].Length == 64);

    /// <summary>All frames decoded and concatenated (frames × rows × columns × samples, little endian), with the result format.</summary>
    public static (byte[] Pixels, PixelFormat Format) DecodeAll(string path, JpegCodec codec)
    {
        var file = DicomFile.Open(path);
        var format = PixelFormat.From(file.Dataset);
        var frames = file.Dataset.GetEncapsulatedFrames() ?? throw new InvalidOperationException("no encapsulated pixel data");
        var frameLength = (int)format.FrameLength;
        var all = new byte[frameLength * format.NumberOfFrames];
        PixelFormat? result = null;
        for (var i = 0; i < format.NumberOfFrames; i++)
            result = codec.Decode(frames[i].Span, format, all.AsSpan(i * frameLength, frameLength));
        return (all, result!);
    }

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
