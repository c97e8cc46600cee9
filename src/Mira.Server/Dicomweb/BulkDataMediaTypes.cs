using Mira.Dicom;

namespace Mira.Server.Dicomweb;

/// <summary>
/// Media types of bulk data and frames (PS3.18 §8.7.3.3): uncompressed data is <c>application/octet-stream</c> in
/// Explicit VR Little Endian (Table 8.7.3-4); compressed data has the media type of its transfer syntax
/// (Table 8.7.3-5), e.g. <c>image/jpeg</c> for the JPEG processes.
/// </summary>
public static class BulkDataMediaTypes
{
    public const string OctetStream = "application/octet-stream";

    static readonly Dictionary<string, string> byTransferSyntax = new(StringComparer.Ordinal)
    {
        ["1.2.840.10008.1.2.4.50"] = "image/jpeg",
        ["1.2.840.10008.1.2.4.51"] = "image/jpeg",
        ["1.2.840.10008.1.2.4.57"] = "image/jpeg",
        ["1.2.840.10008.1.2.4.70"] = "image/jpeg",
        ["1.2.840.10008.1.2.5"] = "image/dicom-rle",
        ["1.2.840.10008.1.2.4.80"] = "image/jls",
        ["1.2.840.10008.1.2.4.81"] = "image/jls",
        ["1.2.840.10008.1.2.4.90"] = "image/jp2",
        ["1.2.840.10008.1.2.4.91"] = "image/jp2",
        ["1.2.840.10008.1.2.4.92"] = "image/jpx",
        ["1.2.840.10008.1.2.4.93"] = "image/jpx",
        ["1.2.840.10008.1.2.4.201"] = "image/jphc",
        ["1.2.840.10008.1.2.4.202"] = "image/jphc",
        ["1.2.840.10008.1.2.4.203"] = "image/jphc",
        ["1.2.840.10008.1.2.4.110"] = "image/jxl",
        ["1.2.840.10008.1.2.4.111"] = "image/jxl",
        ["1.2.840.10008.1.2.4.112"] = "image/jxl",
        ["1.2.840.10008.1.2.4.100"] = "video/mpeg",
        ["1.2.840.10008.1.2.4.101"] = "video/mpeg",
        ["1.2.840.10008.1.2.4.102"] = "video/mp4",
        ["1.2.840.10008.1.2.4.103"] = "video/mp4",
        ["1.2.840.10008.1.2.4.104"] = "video/mp4",
        ["1.2.840.10008.1.2.4.105"] = "video/mp4",
        ["1.2.840.10008.1.2.4.106"] = "video/mp4",
        ["1.2.840.10008.1.2.4.107"] = "video/mp4",
        ["1.2.840.10008.1.2.4.108"] = "video/mp4",
    };

    /// <summary>The default transfer syntax of each compressed media type (the "D" rows of Table 8.7.3-5).</summary>
    static readonly Dictionary<string, string> defaultSyntax = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/jpeg"] = "1.2.840.10008.1.2.4.70",
        ["image/dicom-rle"] = "1.2.840.10008.1.2.5",
        ["image/jls"] = "1.2.840.10008.1.2.4.80",
        ["image/jp2"] = "1.2.840.10008.1.2.4.90",
        ["image/jpx"] = "1.2.840.10008.1.2.4.92",
        ["image/jphc"] = "1.2.840.10008.1.2.4.201",
        ["image/jxl"] = "1.2.840.10008.1.2.4.110",
    };

    /// <summary>
    /// The media type of frames or bulk data encoded in <paramref name="syntax"/>: octet-stream for native syntaxes and
    /// for encapsulated ones without a media type of their own (Deflated Image Frame Compression, encapsulated uncompressed).
    /// </summary>
    public static string For(TransferSyntax syntax) =>
        syntax.IsEncapsulated && byTransferSyntax.TryGetValue(syntax.Uid, out var m) ? m : OctetStream;

    /// <summary>True for MPEG-2, H.264 and HEVC: one stream for all frames, not separable frame by frame.</summary>
    public static bool IsVideo(TransferSyntax syntax) => For(syntax).StartsWith("video/", StringComparison.Ordinal);

    /// <summary>The default transfer syntax for a compressed media type, or null.</summary>
    public static string? DefaultSyntaxOf(string mediaType) => defaultSyntax.GetValueOrDefault(mediaType);
}
