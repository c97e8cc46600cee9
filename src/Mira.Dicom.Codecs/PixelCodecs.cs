using Mira.Dicom.Codecs.Deflate;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.Codecs.JpegLs;
using Mira.Dicom.Codecs.Rle;
using Mira.Dicom.Codecs.Uncompressed;

namespace Mira.Dicom.Codecs;

/// <summary>
/// The codec registry: which <see cref="IPixelCodec"/> decodes and encodes the encapsulated Pixel Data of a transfer
/// syntax. Native syntaxes (implicit/explicit VR little endian, deflated explicit VR little endian, explicit VR big
/// endian) need no codec; <see cref="PixelData"/> reads them directly.
/// </summary>
public static class PixelCodecs
{
    /// <summary>The built-in codecs. A new codec is one more line here.</summary>
    static readonly IPixelCodec[] BuiltIn =
    [
        new RleCodec(),
        new JpegCodec(),
        new JpegLsCodec(),
        new DeflatedImageFrameCodec(),
        new EncapsulatedUncompressedCodec(),
    ];

    /// <summary>Why a known syntax has no codec here, for the error message (exact UID, or a prefix ending in *).</summary>
    static readonly (string Uid, string Reason)[] Missing =
    [
        ("1.2.840.10008.1.2.4.90", "JPEG 2000 needs the optional OpenJPEG module (Debian package libopenjp2-7)"),
        ("1.2.840.10008.1.2.4.91", "JPEG 2000 needs the optional OpenJPEG module (Debian package libopenjp2-7)"),
        ("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 needs the optional OpenJPEG module (Debian package libopenjp2-7)"),
        ("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 needs the optional OpenJPEG module (Debian package libopenjp2-7)"),
        ("1.2.840.10008.1.2.4.201", "HTJ2K needs the optional OpenJPEG module, version 2.5 or later (Debian package libopenjp2-7)"),
        ("1.2.840.10008.1.2.4.202", "HTJ2K needs the optional OpenJPEG module, version 2.5 or later (Debian package libopenjp2-7)"),
        ("1.2.840.10008.1.2.4.203", "HTJ2K needs the optional OpenJPEG module, version 2.5 or later (Debian package libopenjp2-7)"),
        ("1.2.840.10008.1.2.4.94", "JPIP-referenced pixel data is held on a JPIP server, not in the object"),
        ("1.2.840.10008.1.2.4.95", "JPIP-referenced pixel data is held on a JPIP server, not in the object"),
        ("1.2.840.10008.1.2.4.204", "JPIP-referenced pixel data is held on a JPIP server, not in the object"),
        ("1.2.840.10008.1.2.4.205", "JPIP-referenced pixel data is held on a JPIP server, not in the object"),
        ("1.2.840.10008.1.2.4.10*", "MPEG and HEVC video streams are not decoded into frames"),
        ("1.2.840.10008.1.2.6.*", "RFC 2557 MIME encapsulation is retired and not supported"),
        ("1.2.840.10008.1.2.7.*", "SMPTE ST 2110 streams are not stored pixel data"),
    ];

    static IPixelCodec[] registered = [];
    static readonly Lock gate = new();

    /// <summary>Every available codec: those registered at run time (optional modules) first, then the built-in ones.</summary>
    public static IReadOnlyList<IPixelCodec> All => [.. Volatile.Read(ref registered), .. BuiltIn];

    /// <summary>
    /// Adds a codec (an optional native module, a faster implementation). It takes precedence over earlier
    /// registrations and over the built-in codecs for the syntaxes it lists.
    /// </summary>
    public static void Register(IPixelCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        lock (gate) Volatile.Write(ref registered, [codec, .. registered]);
    }

    /// <summary>True for the syntaxes whose Pixel Data is not encapsulated (PS3.5 §A.1–A.3, §A.5).</summary>
    public static bool IsNative(TransferSyntax syntax) => !syntax.IsEncapsulated;

    /// <summary>The codec for a transfer syntax UID, or null.</summary>
    public static IPixelCodec? Find(string transferSyntaxUid)
    {
        var uid = transferSyntaxUid.TrimEnd('\0', ' ');
        foreach (var c in Volatile.Read(ref registered))
            if (c.TransferSyntaxUids.Contains(uid)) return c;
        foreach (var c in BuiltIn)
            if (c.TransferSyntaxUids.Contains(uid)) return c;
        return null;
    }

    /// <summary>The codec for a transfer syntax; throws <see cref="DicomCodecException"/> naming the syntax and why when there is none.</summary>
    public static IPixelCodec Get(TransferSyntax syntax) =>
        Find(syntax.Uid) ?? throw new DicomCodecException(WhyMissing(syntax));

    /// <summary>The message for a syntax without a codec: "cannot decode 1.2.840.10008.1.2.4.90 (JPEG 2000 …): reason".</summary>
    public static string WhyMissing(TransferSyntax syntax)
    {
        foreach (var (uid, reason) in Missing)
            if (syntax.Uid == uid || uid.EndsWith('*') && syntax.Uid.StartsWith(uid[..^1], StringComparison.Ordinal))
                return $"no pixel codec for transfer syntax {syntax.Uid} ({syntax.Name}): {reason}";
        return $"no pixel codec for transfer syntax {syntax.Uid} ({syntax.Name})" + (syntax.IsKnown ? "" : ": the UID is not a transfer syntax of the DICOM standard");
    }
}
