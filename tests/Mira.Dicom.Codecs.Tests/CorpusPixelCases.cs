using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Dicom.Codecs.Tests;

/// <summary>What the oracle expects of one corpus file's pixels, and where that expectation comes from.</summary>
public sealed record PixelCase(string Path, string TransferSyntax, string? Sha256, int[]? Shape, string? DType, string Source, string? RefusalContains)
{
    public override string ToString() => Path;
}

/// <summary>
/// The corpus files whose transfer syntax Mira decodes without an external codec (native, RLE, Deflated Image Frame)
/// and that have an oracle pixel hash, each with the expected array.
/// </summary>
public static class CorpusPixelCases
{
    public static readonly IReadOnlyDictionary<string, string> SyntaxNames = new Dictionary<string, string>
    {
        ["1.2.840.10008.1.2"] = "Implicit VR Little Endian",
        ["1.2.840.10008.1.2.1"] = "Explicit VR Little Endian",
        ["1.2.840.10008.1.2.1.99"] = "Deflated Explicit VR Little Endian",
        ["1.2.840.10008.1.2.2"] = "Explicit VR Big Endian",
        ["1.2.840.10008.1.2.5"] = "RLE Lossless",
        ["1.2.840.10008.1.2.8.1"] = "Deflated Image Frame Compression",
    };

    /// <summary>
    /// Files no oracle decoder could decode, compared with the uncompressed file holding the same pixels instead
    /// (checked by hand: the same segmentation, re-encoded by pydicom-data's authors).
    /// </summary>
    static readonly Dictionary<string, string> Twins = new()
    {
        ["dicom/transfer-syntax/pydicom-data/liver_deflate.dcm"] = "dicom/modality/SEG/dcmqi_liver_seg.dcm",
        ["dicom/transfer-syntax/pydicom-data/liver_nonbyte_aligned_rle.dcm"] = "dicom/edge/liver_nonbyte_aligned.dcm",
    };

    /// <summary>Files Mira refuses on purpose, as pydicom does, although another decoder produced an array.</summary>
    static readonly Dictionary<string, string> Refusals = new()
    {
        // 8130 bytes of Pixel Data for a 64×64×16-bit frame: GDCM decodes what is there, pydicom refuses.
        ["dicom/edge/MR_truncated.dcm"] = "need 8192",
    };

    public static IReadOnlyList<PixelCase> All { get; } = Build();

    public static TheoryData<string> Paths()
    {
        var d = new TheoryData<string>();
        foreach (var c in All) d.Add(c.Path);
        return d;
    }

    public static PixelCase Get(string path) => All.First(c => c.Path == path);

    public static PixelArray Decode(string path) =>
        PixelArray.From(PixelData.Open(DicomFile.Open(Corpus.Get(path).FullPath)));

    static List<PixelCase> Build()
    {
        var list = new List<PixelCase>();
        foreach (var o in PixelOracles.All.Values.OrderBy(o => o.Path, StringComparer.Ordinal))
        {
            if (o.TransferSyntax is not { } ts || !SyntaxNames.ContainsKey(ts)) continue;
            if (Refusals.TryGetValue(o.Path, out var refusal))
                list.Add(new PixelCase(o.Path, ts, null, null, null, "refused, as pydicom", refusal));
            else if (o.Pydicom.HasHash)
                list.Add(new PixelCase(o.Path, ts, o.Pydicom.Sha256, o.Pydicom.Shape, o.Pydicom.DType, "pydicom", null));
            else if (Twins.TryGetValue(o.Path, out var twin) && PixelOracles.Get(twin)?.Pydicom is { HasHash: true } t)
                list.Add(new PixelCase(o.Path, ts, t.Sha256, t.Shape, t.DType, "pydicom of " + twin, null));
            else if (o.Decodes.FirstOrDefault(d => d.HasHash) is { } other)
                list.Add(new PixelCase(o.Path, ts, other.Sha256, other.Shape, other.DType, other.Tool, null));
        }
        return list;
    }
}
