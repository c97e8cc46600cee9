using System.Buffers.Binary;
using System.IO.Compression;

namespace Mira.Dicom.IO;

/// <summary>
/// A DICOM file (PS3.10 §7): optional 128-byte preamble and "DICM", the File Meta Information (group 0002,
/// always explicit VR little endian) and the data set in its transfer syntax. Files without preamble or meta
/// (raw data sets) are read too, their encoding inferred from the first element.
/// </summary>
public sealed class DicomFile
{
    public DicomFile(DicomDataset fileMetaInformation, DicomDataset dataset, TransferSyntax transferSyntax)
    {
        FileMetaInformation = fileMetaInformation;
        Dataset = dataset;
        TransferSyntax = transferSyntax;
    }

    public DicomDataset FileMetaInformation { get; }
    public DicomDataset Dataset { get; }
    public TransferSyntax TransferSyntax { get; }
    public bool HadPreamble { get; init; }

    /// <summary>
    /// Where the data set starts, in bytes from the start of the input: after the preamble and the file meta
    /// information (PS3.10 §7.1). The bytes from here on are the data set in <see cref="TransferSyntax"/> (deflated
    /// for the deflate syntax), e.g. what a C-STORE sends as is.
    /// </summary>
    public long DatasetOffset { get; init; }
    public IReadOnlyList<DicomReadWarning> Warnings { get; init; } = [];

    /// <summary>True when the input ended before a value, item or sequence it declared (see the warnings).</summary>
    public bool IsTruncated { get; init; }

    /// <summary>True when reading stopped at Pixel Data as asked.</summary>
    public bool StoppedBeforePixelData { get; init; }

    public static DicomFile Open(string path, DicomReadOptions? options = null)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Read(fs, options, new FileByteSource(path));
    }

    public static DicomFile Read(ReadOnlyMemory<byte> data, DicomReadOptions? options = null)
    {
        var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var seg)
            ? new MemoryStream(seg.Array!, seg.Offset, seg.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
        return Read(stream, options, new MemoryByteSource(data));
    }

    /// <summary>Reads from a stream. Lazy values need a seekable stream and a <paramref name="lazySource"/> for the same bytes.</summary>
    public static DicomFile Read(Stream stream, DicomReadOptions? options = null, IByteSource? lazySource = null)
    {
        options ??= DicomReadOptions.Default;
        var warnings = new List<DicomReadWarning>();
        var startPos = stream.CanSeek ? stream.Position : 0;
        using var input = new InputBuffer(stream, startPos, options.MaxTotalSize);
        if (!input.Ensure(1)) throw new DicomFormatException(DicomReadProblemCode.NotDicom, "empty input", null, 0);

        var hadPreamble = false;
        if (input.Ensure(132) && IsDicm(input.Peek(132)[128..]))
        {
            input.Advance(132);
            hadPreamble = true;
        }
        else if (input.Ensure(4) && IsDicm(input.Peek(4)))
        {
            input.Advance(4);
            warnings.Add(new(DicomReadProblemCode.NoPreamble, null, 0, "no preamble: file starts with DICM"));
        }

        var meta = new DicomDataset();
        ReadMeta(input, meta, warnings, options);
        var datasetOffset = input.Position - startPos;

        var tsUid = meta.GetString(DicomTags.TransferSyntaxUID);
        TransferSyntax ts;
        var (looksExplicit, looksBigEndian, looksValid) = Sniff(input);
        if (tsUid is null)
        {
            ts = looksBigEndian ? TransferSyntax.ExplicitVRBigEndian
                : looksExplicit ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.ImplicitVRLittleEndian;
            if (meta.Count > 0 || hadPreamble)
                warnings.Add(new(DicomReadProblemCode.MissingElement, DicomTags.TransferSyntaxUID, input.Position, $"no Transfer Syntax UID in the file meta; data set read as {ts.Name}"));
            else if (!looksValid)
                throw new DicomFormatException(DicomReadProblemCode.NotDicom, "not a DICOM file: no preamble, no file meta and no recognisable first element", null, 0);
        }
        else ts = TransferSyntax.Lookup(tsUid);

        var explicitVR = ts.IsExplicitVR;
        var bigEndian = !ts.IsLittleEndian;
        if (!ts.IsDeflated && looksValid)
        {
            // PS3.5 §10 says what the syntax should be; some writers lie. Trust the bytes when they clearly disagree.
            if (explicitVR != looksExplicit)
                warnings.Add(new(DicomReadProblemCode.TransferSyntaxMismatch, null, input.Position, $"data set is {(looksExplicit ? "explicit" : "implicit")} VR although the transfer syntax says otherwise"));
            if (bigEndian != looksBigEndian)
                warnings.Add(new(DicomReadProblemCode.TransferSyntaxMismatch, null, input.Position, $"data set is {(looksBigEndian ? "big" : "little")} endian although the transfer syntax says otherwise"));
            explicitVR = looksExplicit;
            bigEndian = looksBigEndian;
        }

        var dataset = new DicomDataset();
        DatasetParser dsParser;
        if (ts.IsDeflated)
        {
            // PS3.5 §A.5: everything after the file meta is a raw deflate (RFC 1951) stream. It inflates only up to the
            // limit for its compressed size, so a small bomb is refused after its first elements, not after gigabytes.
            var rest = new ChainedStream(input, stream);
            using var inflated = new DeflateStream(rest, CompressionMode.Decompress);
            using var inflatedInput = InflatedInput(inflated, options, stream.CanSeek ? stream.Length - input.Position : null);
            dsParser = new DatasetParser(inflatedInput, options, warnings, null);
            try
            {
                dsParser.ParseTop(dataset, explicitVR: true, bigEndian: false);
            }
            catch (InvalidDataException e)
            {
                throw new DicomFormatException(DicomReadProblemCode.CorruptDeflate, $"deflated data set is corrupt: {e.Message}", null, input.Position);
            }
        }
        else
        {
            dsParser = new DatasetParser(input, options, warnings, lazySource);
            dsParser.ParseTop(dataset, explicitVR, bigEndian);
        }
        return new DicomFile(meta, dataset, ts)
        {
            HadPreamble = hadPreamble,
            DatasetOffset = datasetOffset,
            Warnings = warnings,
            StoppedBeforePixelData = dsParser.StoppedAtPixelData,
            IsTruncated = dsParser.IsTruncated,
        };
    }

    /// <summary>
    /// The reading window over an inflating stream, bounded by <see cref="DicomReadOptions.InflatedLimit"/> for
    /// <paramref name="compressedLength"/> compressed bytes (and by <see cref="DicomReadOptions.MaxTotalSize"/>).
    /// </summary>
    internal static InputBuffer InflatedInput(Stream inflating, DicomReadOptions options, long? compressedLength)
    {
        var limit = options.InflatedLimit(compressedLength);
        return limit < options.MaxTotalSize
            ? new InputBuffer(inflating, 0, limit, limitCode: DicomReadProblemCode.InflationLimit,
                limitName: $"the data set inflated from {(compressedLength is { } c ? $"{c}" : "an unknown number of")} deflated bytes (PS3.5 A.5)")
            : new InputBuffer(inflating, 0, options.MaxTotalSize);
    }

    static bool IsDicm(ReadOnlySpan<byte> b) => b.Length >= 4 && b[0] == 'D' && b[1] == 'I' && b[2] == 'C' && b[3] == 'M';

    /// <summary>Reads group 0002 elements (PS3.10 §7.1), explicit VR little endian, tolerating implicit VR meta.</summary>
    static void ReadMeta(InputBuffer input, DicomDataset meta, List<DicomReadWarning> warnings, DicomReadOptions options)
    {
        long? groupEnd = null;
        while (input.Ensure(8))
        {
            var h = input.Peek(8);
            var group = BinaryPrimitives.ReadUInt16LittleEndian(h);
            if (group != 0x0002) break;
            var pos = input.Position;
            var tag = new DicomTag(group, BinaryPrimitives.ReadUInt16LittleEndian(h[2..]));
            DicomVR vr;
            long length;
            if (DicomVRInfo.TryParse(h[4], h[5], out vr))
            {
                if (DicomVRInfo.HasLongLength(vr))
                {
                    if (!input.Ensure(12)) throw new DicomFormatException(DicomReadProblemCode.Truncated, "file meta element truncated", tag, pos);
                    length = BinaryPrimitives.ReadUInt32LittleEndian(input.Peek(12)[8..]);
                    input.Advance(12);
                }
                else
                {
                    length = BinaryPrimitives.ReadUInt16LittleEndian(h[6..]);
                    input.Advance(8);
                }
            }
            else
            {
                warnings.Add(new(DicomReadProblemCode.FileMetaEncoding, tag, pos, "file meta element in implicit VR"));
                vr = DicomDictionary.VROf(tag);
                length = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
                input.Advance(8);
            }
            if (length > 1 << 20 || length > options.MaxElementLength)
                throw new DicomFormatException(DicomReadProblemCode.LimitExceeded, $"file meta element length {length} is implausible", tag, pos);
            var value = input.ReadBytes(length);
            if (value.Length < length) throw new DicomFormatException(DicomReadProblemCode.Truncated, "file meta element truncated", tag, pos);
            meta.AddRead(new DicomElement(tag, vr, value) { Offset = pos });
            if (tag == DicomTags.FileMetaInformationGroupLength && value.Length == 4)
                groupEnd = input.Position + BinaryPrimitives.ReadUInt32LittleEndian(value);
        }
        if (groupEnd is { } end && end != input.Position)
            warnings.Add(new(DicomReadProblemCode.LengthMismatch, DicomTags.FileMetaInformationGroupLength, input.Position,
                $"File Meta Information Group Length says the group ends at {end}, it ends at {input.Position}"));
    }

    /// <summary>
    /// Infers explicit/implicit VR and byte order from the first element of a data set: the byte order that gives a
    /// plausible first tag (a known public element, a group length, or an item delimiter) wins; when both do, the
    /// smaller group (real data sets start low, usually at group 0008).
    /// </summary>
    static (bool Explicit, bool BigEndian, bool Valid) Sniff(InputBuffer input)
    {
        if (!input.Ensure(8)) return (true, false, false);
        var h = input.Peek(8);
        var explicitVR = DicomVRInfo.TryParse(h[4], h[5], out _);
        var le = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(h), BinaryPrimitives.ReadUInt16LittleEndian(h[2..]));
        var be = new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(h), BinaryPrimitives.ReadUInt16BigEndian(h[2..]));
        var leOk = Plausible(le);
        var beOk = Plausible(be);
        if (leOk && (!beOk || le.Group <= be.Group)) return (explicitVR, false, true);
        if (beOk) return (explicitVR, true, true);
        return (explicitVR, false, false);
    }

    static bool Plausible(DicomTag tag) =>
        tag.Group is >= 0x0002 and <= 0x7FE0 && (tag.Group & 1) == 0 && (tag.Element == 0 || DicomDictionary.Lookup(tag) is not null)
        || tag == DicomTag.Item;
}
