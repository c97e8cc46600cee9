using Mira.Testing;

namespace Mira.Dicom.Codecs.OpenJpeg.Tests;

/// <summary>One corpus file of a JPEG 2000 or HTJ2K syntax and what its decoded array must be (or why there is no oracle).</summary>
public sealed record J2kCase(string Path, string TransferSyntax, string? Sha256, int[]? Shape, string? DType, string Source)
{
    public bool HasOracle => Sha256 is not null;
    public override string ToString() => Path;
}

/// <summary>
/// The corpus files in the syntaxes OpenJPEG serves. The expected array is pydicom 2.3's (its GDCM or Pillow handler;
/// pylibjpeg was not installed for the oracle run); where pydicom and GDCM disagree, the array of a same-pixels group
/// that holds a native file wins, else pydicom's (pydicom corrects a J2K sign that contradicts Pixel Representation,
/// GDCM does not).
/// </summary>
public static class CorpusJ2kCases
{
    public static readonly IReadOnlyDictionary<string, string> SyntaxNames = new Dictionary<string, string>
    {
        [OpenJpegCodec.Jpeg2000LosslessUid] = "JPEG 2000 Lossless",
        [OpenJpegCodec.Jpeg2000Uid] = "JPEG 2000",
        [OpenJpegCodec.Jpeg2000Part2LosslessUid] = "JPEG 2000 Part 2 Lossless",
        [OpenJpegCodec.Jpeg2000Part2Uid] = "JPEG 2000 Part 2",
        [OpenJpegCodec.Htj2kLosslessUid] = "HTJ2K Lossless",
        [OpenJpegCodec.Htj2kLosslessRpclUid] = "HTJ2K Lossless RPCL",
        [OpenJpegCodec.Htj2kUid] = "HTJ2K",
    };

    public static IReadOnlyList<J2kCase> All { get; } = Build();

    public static IEnumerable<J2kCase> WithOracle => All.Where(c => c.HasOracle);

    public static TheoryData<string> OraclePaths()
    {
        var d = new TheoryData<string>();
        foreach (var c in WithOracle) d.Add(c.Path);
        return d;
    }

    public static J2kCase Get(string path) => All.First(c => c.Path == path);

    static List<J2kCase> Build()
    {
        var natives = new HashSet<string>(PixelOracles.All.Values
            .Where(o => o.TransferSyntax is "1.2.840.10008.1.2" or "1.2.840.10008.1.2.1" or "1.2.840.10008.1.2.2")
            .Select(o => o.Path), StringComparer.Ordinal);
        var list = new List<J2kCase>();
        foreach (var o in PixelOracles.All.Values.OrderBy(o => o.Path, StringComparer.Ordinal))
        {
            if (o.TransferSyntax is not { } ts || !SyntaxNames.ContainsKey(ts)) continue;
            var hashed = o.Decodes.Where(d => d.HasHash).ToList();
            if (hashed.Count == 0)
            {
                list.Add(new J2kCase(o.Path, ts, null, null, null, "no oracle: " + (o.Pydicom.Error ?? "pydicom has no pixel data")));
                continue;
            }
            var twin = hashed
                .Select(d => (Decode: d, Group: PixelOracles.SamePixels.FirstOrDefault(g => g.Sha256 == d.Sha256 && g.Files.Any(natives.Contains))))
                .FirstOrDefault(x => x.Group is not null);
            if (o.DecodersAgree == false && twin.Group is not null)
                list.Add(new J2kCase(o.Path, ts, twin.Decode.Sha256, twin.Decode.Shape, twin.Decode.DType,
                    $"{twin.Decode.Tool}, = native {twin.Group.Files.First(natives.Contains)}"));
            else
            {
                var d = o.Pydicom.HasHash ? o.Pydicom : hashed[0];
                var agree = hashed.Where(x => x.Sha256 == d.Sha256).Select(x => x.Tool);
                var source = string.Join("+", agree) + (twin.Group is not null ? $", = native {twin.Group.Files.First(natives.Contains)}" : "")
                             + (o.DecodersAgree == false ? "; GDCM differs" : "");
                list.Add(new J2kCase(o.Path, ts, d.Sha256, d.Shape, d.DType, source));
            }
        }
        return list;
    }
}
