using System.Buffers.Binary;

namespace Mira.Dicom.IO;

/// <summary>
/// Parses data elements (PS3.5 §7) from an <see cref="InputBuffer"/> into a <see cref="DicomDataset"/>:
/// explicit or implicit VR, either byte order, sequences and items of defined and undefined length, VR UN
/// holding an undefined-length sequence (PS3.5 §6.2.2), and encapsulated Pixel Data (PS3.5 §A.4).
/// Damage that can be worked around is recorded as a warning; what cannot is a <see cref="DicomFormatException"/>.
/// </summary>
internal sealed class DatasetParser(InputBuffer input, DicomReadOptions options, List<DicomReadWarning> warnings, IByteSource? lazySource)
{
    const uint Undefined = 0xFFFFFFFF;

    enum End { Length, ItemDelimiter, SequenceDelimiter, EndOfInput, Stopped }

    readonly record struct Syntax(bool Explicit, bool BigEndian);

    /// <summary>Data sets being parsed, outermost first: context for private creators and Pixel Representation.</summary>
    readonly List<DicomDataset> stack = [];

    /// <summary>Reads a top-level data set to the end of the input (or Pixel Data when asked to stop there).</summary>
    public void ParseTop(DicomDataset into, bool explicitVR, bool bigEndian)
    {
        ParseElements(into, long.MaxValue, new Syntax(explicitVR, bigEndian), 0, topLevel: true);
    }

    /// <summary>Stopped at Pixel Data because <see cref="DicomReadOptions.StopBeforePixelData"/> asked.</summary>
    public bool StoppedAtPixelData { get; private set; }

    End ParseElements(DicomDataset ds, long endPosition, Syntax syntax, int depth, bool topLevel)
    {
        stack.Add(ds);
        try
        {
            return ParseElementsIn(ds, endPosition, syntax, depth, topLevel);
        }
        finally
        {
            stack.RemoveAt(stack.Count - 1);
        }
    }

    End ParseElementsIn(DicomDataset ds, long endPosition, Syntax syntax, int depth, bool topLevel)
    {
        while (true)
        {
            var pos = input.Position;
            if (endPosition != long.MaxValue && pos >= endPosition)
            {
                if (pos > endPosition) Warn(DicomReadProblemCode.LengthMismatch, null, pos, $"item overran its length by {pos - endPosition} bytes");
                return End.Length;
            }
            if (!input.Ensure(4))
            {
                if (input.Available > 0)
                {
                    Warn(DicomReadProblemCode.TrailingBytes, null, pos, $"{input.Available} trailing bytes ignored");
                    input.Skip(input.Available);
                }
                if (!topLevel) Truncated(null, pos, endPosition == long.MaxValue ? "item delimiter missing at end of input" : "item truncated at end of input");
                return End.EndOfInput;
            }
            var head = input.Peek(4);
            var group = syntax.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(head) : BinaryPrimitives.ReadUInt16LittleEndian(head);
            var element = syntax.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(head[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(head[2..]);
            var tag = new DicomTag(group, element);

            if (group == 0xFFFE)
            {
                if (!input.Ensure(8)) throw new DicomFormatException(DicomReadProblemCode.Truncated, "delimiter truncated", tag, pos);
                input.Advance(8);
                if (tag == DicomTag.ItemDelimitation)
                {
                    if (endPosition == long.MaxValue && !topLevel) return End.ItemDelimiter;
                    Warn(DicomReadProblemCode.UnexpectedDelimiter, tag, pos, "unexpected item delimiter ignored");
                    continue;
                }
                if (tag == DicomTag.SequenceDelimitation)
                {
                    if (!topLevel)
                    {
                        Warn(DicomReadProblemCode.DelimiterMissing, tag, pos, "sequence delimiter inside an item: item delimiter missing");
                        return End.SequenceDelimiter;
                    }
                    Warn(DicomReadProblemCode.UnexpectedDelimiter, tag, pos, "unexpected sequence delimiter ignored");
                    continue;
                }
                throw new DicomFormatException(DicomReadProblemCode.UnexpectedItem, "item tag outside a sequence", tag, pos);
            }

            if (topLevel && options.StopBeforePixelData &&
                (tag == DicomTags.PixelData || tag == DicomTags.FloatPixelData || tag == DicomTags.DoubleFloatPixelData))
            {
                StoppedAtPixelData = true;
                return End.Stopped;
            }

            var el = ReadElement(tag, pos, syntax, depth, topLevel);
            if (ds.Count > 0 && ds[ds.Count - 1].Tag >= tag)
            {
                if (ds.Contains(tag)) Warn(DicomReadProblemCode.DuplicateElement, tag, pos, "duplicate element; the later one is kept");
                else Warn(DicomReadProblemCode.ElementOutOfOrder, tag, pos, "element out of order");
            }
            ds.AddRead(el);
        }
    }

    DicomElement ReadElement(DicomTag tag, long pos, Syntax syntax, int depth, bool topLevel)
    {
        DicomVR vr;
        uint length;
        var explicitHere = syntax.Explicit;
        if (explicitHere)
        {
            if (!input.Ensure(8)) throw new DicomFormatException(DicomReadProblemCode.Truncated, "element header truncated", tag, pos);
            var h = input.Peek(8);
            if (DicomVRInfo.TryParse(h[4], h[5], out vr))
            {
                if (DicomVRInfo.HasLongLength(vr))
                {
                    if (!input.Ensure(12)) throw new DicomFormatException(DicomReadProblemCode.Truncated, "element header truncated", tag, pos);
                    h = input.Peek(12);
                    length = ReadUInt32(h[8..], syntax.BigEndian);
                    input.Advance(12);
                }
                else
                {
                    length = syntax.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(h[6..]) : BinaryPrimitives.ReadUInt16LittleEndian(h[6..]);
                    input.Advance(8);
                }
            }
            else if (IsUpperAscii(h[4]) && IsUpperAscii(h[5]))
            {
                // An unknown VR: PS3.5 §6.2 asks readers to treat it like UN (2 reserved bytes, 32-bit length).
                Warn(DicomReadProblemCode.UnknownVR, tag, pos, $"unknown VR '{(char)h[4]}{(char)h[5]}' read as UN");
                if (!input.Ensure(12)) throw new DicomFormatException(DicomReadProblemCode.Truncated, "element header truncated", tag, pos);
                length = ReadUInt32(input.Peek(12)[8..], syntax.BigEndian);
                input.Advance(12);
                vr = DicomVR.UN;
            }
            else
            {
                // Not a VR at all: this element is encoded implicitly inside an explicit data set.
                Warn(DicomReadProblemCode.ImplicitVRElement, tag, pos, "element without an explicit VR read as implicit VR");
                length = ReadUInt32(h[4..], syntax.BigEndian);
                input.Advance(8);
                vr = VRResolver.Resolve(tag, stack, implicitEncoding: true);
                explicitHere = false;
            }
        }
        else
        {
            if (!input.Ensure(8)) throw new DicomFormatException(DicomReadProblemCode.Truncated, "element header truncated", tag, pos);
            length = ReadUInt32(input.Peek(8)[4..], syntax.BigEndian);
            input.Advance(8);
            vr = VRResolver.Resolve(tag, stack, implicitEncoding: true);
        }

        if (length == Undefined)
        {
            if (tag == DicomTags.PixelData || vr is DicomVR.OB or DicomVR.OW)
                return ReadFragments(tag, vr, pos);
            if (vr == DicomVR.SQ)
                return ReadSequence(tag, pos, Undefined, syntax, depth, wasUN: false);
            // UN (or any other VR) with undefined length: a sequence encoded in implicit VR little endian (PS3.5 §6.2.2).
            if (vr != DicomVR.UN) Warn(DicomReadProblemCode.UndefinedLength, tag, pos, $"undefined length with VR {DicomVRInfo.Code(vr)} read as a sequence");
            return ReadSequence(tag, pos, Undefined, new Syntax(false, false), depth, wasUN: vr == DicomVR.UN);
        }

        if (vr == DicomVR.UN && explicitHere)
        {
            // PS3.5 §6.2.2: a UN value is the element's value in implicit VR little endian; use the VR the dictionary
            // knows. A public element of 0xFFFF bytes or more is legitimately UN (its VR's 16-bit length cannot hold
            // it), so it stays UN, as dcmtk and pydicom keep it.
            var known = !tag.IsPrivate && length >= 0xFFFF ? DicomVR.UN : VRResolver.Resolve(tag, stack, implicitEncoding: true);
            if (known == DicomVR.SQ) return ReadSequence(tag, pos, length, new Syntax(false, false), depth, wasUN: true);
            if (known != DicomVR.UN) vr = known;
        }

        if (vr == DicomVR.SQ)
            return ReadSequence(tag, pos, length, syntax, depth, wasUN: false);

        if (length > options.MaxElementLength)
            throw new DicomFormatException(DicomReadProblemCode.LimitExceeded, $"value length {length} exceeds the limit of {options.MaxElementLength} bytes", tag, pos);
        if ((length & 1) == 1) Warn(DicomReadProblemCode.OddLength, tag, pos, $"odd value length {length}");

        var valueStart = input.Position;
        if (input.Remaining is { } remaining && length > remaining)
        {
            Truncated(tag, pos, $"value truncated: {length} bytes declared, {remaining} present");
            length = (uint)remaining;
        }

        var swap = syntax.BigEndian ? SwapUnit(tag, vr) : 0;
        if (length > options.LazyThreshold && lazySource is not null && input.CanSeek)
        {
            input.Skip(length);
            return new DicomElement(tag, vr, new LazyValue(lazySource, valueStart, length, swap)) { Offset = pos };
        }
        if (length > Array.MaxLength)
            throw new DicomFormatException(DicomReadProblemCode.LimitExceeded, $"value of {length} bytes cannot be held in memory and the input cannot be re-read", tag, pos);
        var bytes = input.ReadBytes(length);
        if (bytes.Length < length) Truncated(tag, pos, $"value truncated: {length} bytes declared, {bytes.Length} present");
        if (swap > 1) ByteOrder.Swap(bytes, swap);
        return new DicomElement(tag, vr, bytes) { Offset = pos };
    }

    static bool IsUpperAscii(byte b) => b is >= (byte)'A' and <= (byte)'Z';

    static uint ReadUInt32(ReadOnlySpan<byte> b, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);

    /// <summary>Unit for byte swapping big-endian values; Pixel Data as OW swaps by 16 bits (PS3.5 §A.3).</summary>
    static int SwapUnit(DicomTag tag, DicomVR vr) => vr switch
    {
        DicomVR.OB or DicomVR.UN => 0,
        _ when DicomVRInfo.IsString(vr) => 0,
        _ => DicomVRInfo.UnitSize(vr),
    };

    DicomSequence ReadSequence(DicomTag tag, long pos, uint length, Syntax syntax, int depth, bool wasUN)
    {
        if (depth + 1 > options.MaxDepth)
            throw new DicomFormatException(DicomReadProblemCode.LimitExceeded, $"sequences nested deeper than {options.MaxDepth} levels", tag, pos);
        var seq = new DicomSequence(tag) { Offset = pos, WasUN = wasUN };
        var end = length == Undefined ? long.MaxValue : input.Position + length;
        if (length != Undefined && input.Remaining is { } rem && length > rem)
        {
            Truncated(tag, pos, $"sequence truncated: {length} bytes declared, {rem} present");
            end = input.Position + rem;
        }
        while (true)
        {
            var itemPos = input.Position;
            if (end != long.MaxValue && itemPos >= end)
            {
                if (itemPos > end) Warn(DicomReadProblemCode.LengthMismatch, tag, itemPos, $"sequence overran its length by {itemPos - end} bytes");
                break;
            }
            if (!input.Ensure(8))
            {
                Truncated(tag, itemPos, length == Undefined ? "sequence delimiter missing at end of input" : "sequence truncated");
                break;
            }
            var h = input.Peek(8);
            var itemTag = new DicomTag(
                syntax.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(h) : BinaryPrimitives.ReadUInt16LittleEndian(h),
                syntax.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(h[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(h[2..]));
            var itemLength = ReadUInt32(h[4..], syntax.BigEndian);
            if (itemTag == DicomTag.SequenceDelimitation)
            {
                input.Advance(8);
                if (length != Undefined) Warn(DicomReadProblemCode.UnexpectedDelimiter, tag, itemPos, "sequence delimiter in a sequence of defined length");
                break;
            }
            if (itemTag == DicomTag.ItemDelimitation)
            {
                input.Advance(8);
                Warn(DicomReadProblemCode.UnexpectedDelimiter, tag, itemPos, "stray item delimiter in sequence ignored");
                continue;
            }
            if (itemTag != DicomTag.Item)
            {
                if (length == Undefined)
                {
                    // Some writers omit the sequence delimiter: the parent's next element begins here.
                    Warn(DicomReadProblemCode.DelimiterMissing, tag, itemPos, $"expected an item but found {itemTag}: sequence delimiter missing");
                    break;
                }
                throw new DicomFormatException(DicomReadProblemCode.UnexpectedItem, $"expected an item (FFFE,E000) in the sequence but found {itemTag}", tag, itemPos);
            }
            input.Advance(8);
            var item = new DicomDataset { Offset = itemPos };
            seq.Add(item);
            var itemEnd = itemLength == Undefined ? long.MaxValue : input.Position + itemLength;
            var how = ParseElements(item, itemEnd, syntax, depth + 1, topLevel: false);
            if (how == End.SequenceDelimiter || how == End.EndOfInput) break;
        }
        return seq;
    }

    DicomFragmentSequence ReadFragments(DicomTag tag, DicomVR vr, long pos)
    {
        var fragments = new List<DicomFragment>();
        uint[]? offsets = null;
        while (true)
        {
            var itemPos = input.Position;
            if (!input.Ensure(8))
            {
                Truncated(tag, itemPos, "sequence delimiter missing at end of encapsulated Pixel Data");
                break;
            }
            var h = input.Peek(8);
            var itemTag = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(h), BinaryPrimitives.ReadUInt16LittleEndian(h[2..]));
            var len = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
            input.Advance(8);
            if (itemTag == DicomTag.SequenceDelimitation) break;
            if (itemTag != DicomTag.Item)
                throw new DicomFormatException(DicomReadProblemCode.InvalidFragment, $"expected a fragment item in encapsulated Pixel Data but found {itemTag}", tag, itemPos);
            if (len == Undefined) throw new DicomFormatException(DicomReadProblemCode.InvalidFragment, "fragment of undefined length", tag, itemPos);
            if (len > options.MaxElementLength)
                throw new DicomFormatException(DicomReadProblemCode.LimitExceeded, $"fragment length {len} exceeds the limit of {options.MaxElementLength} bytes", tag, itemPos);
            if (input.Remaining is { } rem && len > rem)
            {
                Truncated(tag, itemPos, $"fragment truncated: {len} bytes declared, {rem} present");
                len = (uint)rem;
            }
            var valueStart = input.Position;
            DicomFragment fragment;
            if (len > options.LazyThreshold && lazySource is not null && input.CanSeek)
            {
                input.Skip(len);
                fragment = new DicomFragment(new LazyValue(lazySource, valueStart, len, 0)) { Offset = itemPos };
            }
            else fragment = new DicomFragment(input.ReadBytes(len)) { Offset = itemPos };
            if (offsets is null)
            {
                var b = fragment.Bytes.Span;
                offsets = new uint[b.Length / 4];
                for (var i = 0; i < offsets.Length; i++) offsets[i] = BinaryPrimitives.ReadUInt32LittleEndian(b[(i * 4)..]);
                continue;
            }
            fragments.Add(fragment);
        }
        return new DicomFragmentSequence(tag, vr == DicomVR.UN ? DicomVR.OB : vr, offsets ?? [], fragments) { Offset = pos };
    }

    void Warn(DicomReadProblemCode code, DicomTag? tag, long offset, string message) => warnings.Add(new DicomReadWarning(code, tag, offset, message));

    /// <summary>The input ends before what it declared: a warning when truncation is allowed, else an error (both <see cref="DicomReadProblemCode.Truncated"/>).</summary>
    void Truncated(DicomTag? tag, long offset, string message)
    {
        if (!options.AllowTruncated) throw new DicomFormatException(DicomReadProblemCode.Truncated, message, tag, offset);
        IsTruncated = true;
        Warn(DicomReadProblemCode.Truncated, tag, offset, message);
    }

    /// <summary>True when the input ended before a value, item or sequence it declared.</summary>
    public bool IsTruncated { get; private set; }
}
