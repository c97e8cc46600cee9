using System.Buffers.Binary;
using Mira.Dicom.Text;

namespace Mira.Dicom.IO;

/// <summary>
/// Encodes a data set in a transfer syntax (PS3.5 §7): explicit or implicit VR, little or big endian, sequences
/// of defined or undefined length, encapsulated Pixel Data as fragments. Values are padded to even length
/// (PS3.5 §7.1.1) and checked against their VR unless the options say to keep invalid values.
/// </summary>
public sealed class DicomDatasetWriter
{
    const uint Undefined = 0xFFFFFFFF;
    readonly bool explicitVR, bigEndian;
    readonly DicomWriteOptions options;

    public DicomDatasetWriter(TransferSyntax syntax, DicomWriteOptions? options = null)
    {
        explicitVR = syntax.IsExplicitVR;
        bigEndian = !syntax.IsLittleEndian;
        this.options = options ?? DicomWriteOptions.Default;
        Syntax = syntax;
    }

    public TransferSyntax Syntax { get; }

    public void Write(Stream output, DicomDataset dataset)
    {
        // Elements are written a few bytes at a time: buffer them, unless the output is memory already (a 64 KiB buffer
        // per call would then only cost an allocation and a copy; a de-identification run writes its headers there).
        if (output is MemoryStream)
        {
            WriteDataset(output, dataset);
            return;
        }
        var w = new BufferedStream(output, 64 * 1024);
        WriteDataset(w, dataset);
        w.Flush();
    }

    void WriteDataset(Stream w, DicomDataset ds)
    {
        var charset = ds.CharacterSet;
        foreach (var e in ds)
        {
            if (e.Tag.IsGroupLength && e.Tag.Group != 0x0002)
            {
                if (!options.KeepGroupLengths) continue;
                WriteGroupLength(w, e.Tag, MeasureGroup(ds, e.Tag.Group, charset));
                continue;
            }
            WriteElement(w, e, charset);
        }
    }

    void WriteGroupLength(Stream w, DicomTag tag, long length)
    {
        Span<byte> v = stackalloc byte[4];
        WriteUInt32(v, (uint)length);
        WriteHeader(w, tag, DicomVR.UL, 4);
        w.Write(v);
    }

    long MeasureGroup(DicomDataset ds, ushort group, DicomCharacterSet charset)
    {
        long total = 0;
        foreach (var e in ds)
            if (e.Tag.Group == group && !e.Tag.IsGroupLength) total += Measure(e, charset);
        return total;
    }

    void WriteElement(Stream w, DicomElement e, DicomCharacterSet charset)
    {
        switch (e)
        {
            case DicomSequence sq:
                WriteSequence(w, sq);
                return;
            case DicomFragmentSequence f:
                WriteFragments(w, f);
                return;
            case Json.DicomBulkDataReference b:
                throw new DicomValueException(e.Tag, e.VR, $"bulk data at {b.Uri} has not been resolved; resolve it before writing");
        }
        var value = EncodeValue(e, charset);
        var length = value.Length + (value.Length & 1);
        var vr = VRToWrite(e, length);
        WriteHeader(w, e.Tag, vr, (uint)length);
        WriteValue(w, value.Span, e.VR);
        if ((value.Length & 1) == 1) w.WriteByte(DicomVRInfo.PaddingByte(e.VR));
    }

    /// <summary>A value too long for a 16-bit length in explicit VR is written as UN (PS3.5 §6.2.2, CP-1066 "UN with long length").</summary>
    DicomVR VRToWrite(DicomElement e, long length) =>
        explicitVR && !DicomVRInfo.HasLongLength(e.VR) && length > 0xFFFF ? DicomVR.UN : e.VR;

    void WriteValue(Stream w, ReadOnlySpan<byte> value, DicomVR vr)
    {
        var unit = DicomVRInfo.IsBinary(vr) && vr is not (DicomVR.OB or DicomVR.UN) ? DicomVRInfo.UnitSize(vr) : 1;
        if (!bigEndian || unit == 1)
        {
            w.Write(value);
            return;
        }
        var copy = value.ToArray();
        ByteOrder.Swap(copy, unit);
        w.Write(copy);
    }

    ReadOnlyMemory<byte> EncodeValue(DicomElement e, DicomCharacterSet charset)
    {
        if (e.HasTextValues)
        {
            var values = e.TextValues!;
            if (!options.KeepInvalidValues)
                foreach (var v in values)
                    if (Values.DicomValueValidator.Validate(e.VR, v) is { } reason) throw new DicomValueException(e.Tag, e.VR, reason);
            var text = string.Join('\\', values);
            try
            {
                return DicomVRInfo.UsesCharacterSet(e.VR) ? charset.Encode(text, e.VR) : DicomCharacterSet.Default.Encode(text, e.VR);
            }
            catch (ArgumentException ex)
            {
                throw new DicomValueException(e.Tag, e.VR, $"cannot be encoded in the data set's character set: {ex.Message}");
            }
        }
        var bytes = e.Bytes;
        if (!options.KeepInvalidValues && DicomVRInfo.IsString(e.VR))
            foreach (var v in e.GetStrings(charset))
                if (Values.DicomValueValidator.Validate(e.VR, v) is { } reason) throw new DicomValueException(e.Tag, e.VR, reason);
        if (!options.KeepInvalidValues && DicomVRInfo.IsBinary(e.VR) && DicomVRInfo.UnitSize(e.VR) is var u and > 1 && bytes.Length % (e.VR == DicomVR.AT ? 4 : u) != 0)
            throw new DicomValueException(e.Tag, e.VR, $"length {bytes.Length} is not a multiple of {u}");
        return bytes;
    }

    void WriteSequence(Stream w, DicomSequence sq)
    {
        var defined = options.DefinedLengthSequences;
        WriteHeader(w, sq.Tag, DicomVR.SQ, defined ? (uint)MeasureSequenceValue(sq) : Undefined);
        foreach (var item in sq.Items)
        {
            WriteTag(w, DicomTag.Item, defined ? (uint)MeasureItemValue(item) : Undefined);
            WriteDataset(w, item);
            if (!defined) WriteTag(w, DicomTag.ItemDelimitation, 0);
        }
        if (!defined) WriteTag(w, DicomTag.SequenceDelimitation, 0);
    }

    void WriteFragments(Stream w, DicomFragmentSequence f)
    {
        if (!Syntax.IsEncapsulated)
            throw new DicomValueException(f.Tag, f.VR, $"encapsulated Pixel Data cannot be written in {Syntax.Name} without decoding it");
        // Encapsulated Pixel Data is always little endian, explicit OB, undefined length (PS3.5 §A.4).
        WriteHeader(w, f.Tag, DicomVR.OB, Undefined);
        Span<byte> item = stackalloc byte[8];
        var bot = new byte[f.BasicOffsetTable.Length * 4];
        for (var i = 0; i < f.BasicOffsetTable.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(bot.AsSpan(i * 4), f.BasicOffsetTable[i]);
        WriteItemLE(w, bot);
        foreach (var frag in f.Fragments)
        {
            var b = frag.Bytes.Span;
            WriteItemLE(w, b);
            if ((b.Length & 1) == 1) w.WriteByte(0);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(item, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(item[2..], 0xE0DD);
        BinaryPrimitives.WriteUInt32LittleEndian(item[4..], 0);
        w.Write(item);
    }

    static void WriteItemLE(Stream w, ReadOnlySpan<byte> value)
    {
        Span<byte> h = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(h, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(h[2..], 0xE000);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(value.Length + (value.Length & 1)));
        w.Write(h);
        w.Write(value);
    }

    void WriteTag(Stream w, DicomTag tag, uint length)
    {
        Span<byte> h = stackalloc byte[8];
        WriteUInt16(h, tag.Group);
        WriteUInt16(h[2..], tag.Element);
        WriteUInt32(h[4..], length);
        w.Write(h);
    }

    void WriteHeader(Stream w, DicomTag tag, DicomVR vr, uint length)
    {
        Span<byte> h = stackalloc byte[12];
        WriteUInt16(h, tag.Group);
        WriteUInt16(h[2..], tag.Element);
        if (!explicitVR)
        {
            WriteUInt32(h[4..], length);
            w.Write(h[..8]);
            return;
        }
        h[4] = (byte)((ushort)vr >> 8);
        h[5] = (byte)vr;
        if (DicomVRInfo.HasLongLength(vr))
        {
            h[6] = h[7] = 0;
            WriteUInt32(h[8..], length);
            w.Write(h);
        }
        else
        {
            WriteUInt16(h[6..], (ushort)length);
            w.Write(h[..8]);
        }
    }

    void WriteUInt16(Span<byte> b, ushort v)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
    }

    void WriteUInt32(Span<byte> b, uint v)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
    }

    /// <summary>Encoded size of an element, header included.</summary>
    long Measure(DicomElement e, DicomCharacterSet charset)
    {
        switch (e)
        {
            case DicomSequence sq:
                return 12 - (explicitVR ? 0 : 4) + MeasureSequenceValue(sq) + (options.DefinedLengthSequences ? 0 : 8);
            case DicomFragmentSequence f:
                return 12 + 8 + f.BasicOffsetTable.Length * 4 + f.Fragments.Sum(x => 8 + x.Length + (x.Length & 1)) + 8;
        }
        long len = e.HasTextValues ? EncodeValue(e, charset).Length : e.Length;
        len += len & 1;
        var vr = VRToWrite(e, len);
        var header = !explicitVR ? 8 : DicomVRInfo.HasLongLength(vr) ? 12 : 8;
        return header + len;
    }

    long MeasureSequenceValue(DicomSequence sq)
    {
        long total = 0;
        foreach (var item in sq.Items)
            total += 8 + MeasureItemValue(item) + (options.DefinedLengthSequences ? 0 : 8);
        return total;
    }

    long MeasureItemValue(DicomDataset item)
    {
        var cs = item.CharacterSet;
        long total = 0;
        foreach (var e in item)
        {
            if (e.Tag.IsGroupLength && !options.KeepGroupLengths) continue;
            total += Measure(e, cs);
        }
        return total;
    }
}
