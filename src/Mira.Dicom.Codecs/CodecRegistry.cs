using Mira.Dicom.Codecs.Deflate;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.Codecs.JpegLs;
using Mira.Dicom.Codecs.Rle;
using Mira.Dicom.Codecs.Uncompressed;

namespace Mira.Dicom.Codecs;

/// <summary>
/// A codec registry: which <see cref="IPixelCodec"/> decodes and encodes the encapsulated Pixel Data of a transfer
/// syntax (PS3.5 §8.2, Annex A.4), and what a compressed frame's own header says (<see cref="Identify"/>). Native
/// syntaxes (implicit/explicit VR little endian, deflated explicit VR little endian, explicit VR big endian) need no
/// codec; <see cref="PixelData"/> reads them directly.
/// </summary>
/// <remarks>
/// <see cref="Default"/> holds the managed codecs and is what <see cref="PixelData"/> uses unless given another
/// registry; a host adds optional native codecs to it at start-up (e.g. <c>OpenJpegCodec.TryRegister(CodecRegistry.Default, …)</c>).
/// <see cref="CreateManaged"/> gives a separate registry, e.g. for a test that registers its own codec.
/// </remarks>
public sealed class CodecRegistry
{
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

    readonly IPixelCodec[] builtIn;
    IPixelCodec[] registered = [];
    readonly Lock gate = new();

    /// <summary>A registry holding <paramref name="builtIn"/> (found after anything registered later).</summary>
    public CodecRegistry(IEnumerable<IPixelCodec> builtIn)
    {
        ArgumentNullException.ThrowIfNull(builtIn);
        this.builtIn = [.. builtIn];
    }

    /// <summary>The process-wide registry: the managed codecs, plus what the host registers at start-up.</summary>
    public static CodecRegistry Default { get; } = CreateManaged();

    /// <summary>A new registry with the managed codecs only. A new managed codec is one more line here.</summary>
    public static CodecRegistry CreateManaged() => new(
    [
        new RleCodec(),
        new JpegCodec(),
        new JpegLsCodec(),
        new DeflatedImageFrameCodec(),
        new EncapsulatedUncompressedCodec(),
    ]);

    /// <summary>Every available codec: those registered (optional modules, newest first), then the built-in ones.</summary>
    public IReadOnlyList<IPixelCodec> All => [.. Volatile.Read(ref registered), .. builtIn];

    /// <summary>
    /// Adds a codec (an optional native module, a faster implementation). It takes precedence over earlier
    /// registrations and over the built-in codecs for the syntaxes it lists.
    /// </summary>
    public void Register(IPixelCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        lock (gate) Volatile.Write(ref registered, [codec, .. registered]);
    }

    /// <summary>True for the syntaxes whose Pixel Data is not encapsulated (PS3.5 §A.1–A.3, §A.5).</summary>
    public static bool IsNative(TransferSyntax syntax) => !syntax.IsEncapsulated;

    /// <summary>The codec for a transfer syntax UID, or null.</summary>
    public IPixelCodec? Find(string transferSyntaxUid)
    {
        var uid = transferSyntaxUid.TrimEnd('\0', ' ');
        foreach (var c in Volatile.Read(ref registered))
            if (c.TransferSyntaxUids.Contains(uid)) return c;
        foreach (var c in builtIn)
            if (c.TransferSyntaxUids.Contains(uid)) return c;
        return null;
    }

    /// <summary>The codec for a transfer syntax; throws <see cref="DicomCodecException"/> naming the syntax and why when there is none.</summary>
    public IPixelCodec Get(TransferSyntax syntax) =>
        Find(syntax.Uid) ?? throw new DicomCodecException(WhyMissing(syntax));

    /// <summary>
    /// Decodes one encapsulated frame of <paramref name="syntax"/> with its codec (see <see cref="IPixelCodec.Decode"/>);
    /// throws <see cref="DicomCodecException"/> when there is no codec or the data are damaged.
    /// </summary>
    public PixelFormat Decode(ReadOnlySpan<byte> frame, TransferSyntax syntax, PixelFormat format, Span<byte> destination) =>
        Get(syntax).Decode(frame, format, destination);

    /// <summary>
    /// Reads the header of one encapsulated frame without decoding its pixels: the JPEG frame header (SOFn, ITU-T
    /// T.81 §B.2.2), the JPEG-LS frame header (SOF55, T.87 §C.2.2), the JPEG 2000 SIZ and COD markers (T.800 §A.5.1,
    /// §A.6.1) or the RLE header (PS3.5 §G.5). The stream is recognised by its first bytes, whatever the syntax says;
    /// <see cref="FrameIdentity.Problem"/> names what contradicts <paramref name="syntax"/> or, when given,
    /// <paramref name="expected"/> (the data set's Image Pixel module). Works whether or not a codec for the syntax is
    /// registered. Throws <see cref="DicomCodecException"/> when the header is unreadable or the syntax's frames have no
    /// header (native, deflated or uncompressed encapsulated frames).
    /// </summary>
    public FrameIdentity Identify(ReadOnlySpan<byte> frame, TransferSyntax syntax, PixelFormat? expected = null) =>
        FrameHeaders.Identify(frame, syntax, expected);

    /// <summary>The message for a syntax without a codec: "cannot decode 1.2.840.10008.1.2.4.90 (JPEG 2000 …): reason".</summary>
    public static string WhyMissing(TransferSyntax syntax)
    {
        foreach (var (uid, reason) in Missing)
            if (syntax.Uid == uid || uid.EndsWith('*') && syntax.Uid.StartsWith(uid[..^1], StringComparison.Ordinal))
                return $"no pixel codec for transfer syntax {syntax.Uid} ({syntax.Name}): {reason}";
        return $"no pixel codec for transfer syntax {syntax.Uid} ({syntax.Name})" + (syntax.IsKnown ? "" : ": the UID is not a transfer syntax of the DICOM standard");
    }
}
