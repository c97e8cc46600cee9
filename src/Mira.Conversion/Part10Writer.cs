using System.Buffers.Binary;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Conversion;

/// <summary>
/// Writes a <see cref="ConvertedInstance"/> as a Part 10 file to a stream, the pixels last and as they are produced:
/// the file meta information and the header through <see cref="DicomFileWriter"/>, then Pixel Data — native with its
/// length, or encapsulated (PS3.5 §A.4: an empty Basic Offset Table item, one item per frame, the sequence delimiter).
/// Memory holds the header and one frame, whatever the size of the object.
/// </summary>
public static class Part10Writer
{
    static readonly DicomTag PixelData = DicomTags.PixelData;

    /// <summary>Writes the file; returns the number of bytes written.</summary>
    public static long Write(Stream output, ConvertedInstance instance, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(instance);
        var syntax = instance.Syntax;
        if (!syntax.IsExplicitVR || !syntax.IsLittleEndian || syntax.IsDeflated)
            throw new NotSupportedException($"converted objects are written in explicit VR little endian syntaxes, not {syntax.Uid}");
        if (instance.Header.Any(e => e.Tag.CompareTo(DicomTags.FloatPixelData) >= 0))
            throw new ArgumentException("the header holds attributes after Pixel Data", nameof(instance));
        var counting = new ObservedWriteStream(output);
        DicomFileWriter.Write(counting, instance.Header, syntax);
        switch (instance.Pixels)
        {
            case NativePixels native: WriteNative(counting, instance, native, ct); break;
            case EncapsulatedFrames frames: WriteEncapsulated(counting, frames, ct); break;
            default: throw new NotSupportedException(instance.Pixels.GetType().Name);
        }
        return counting.Written;
    }

    static void WriteNative(ObservedWriteStream output, ConvertedInstance instance, NativePixels native, CancellationToken ct)
    {
        var padded = native.Length + (native.Length & 1);
        if (padded > uint.MaxValue - 1) throw new NotSupportedException($"{native.Length} bytes of native pixels do not fit one element");
        var bitsAllocated = instance.Header.GetInt32(DicomTags.BitsAllocated) ?? 8;
        var tag = native.DoubleFloat ? DicomTags.DoubleFloatPixelData : native.Float ? DicomTags.FloatPixelData : PixelData;
        var vr = native.DoubleFloat ? "OD"u8 : native.Float ? "OF"u8 : bitsAllocated > 8 ? "OW"u8 : "OB"u8;
        Span<byte> head = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(head, tag.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], tag.Element);
        vr.CopyTo(head[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], (uint)padded);
        output.Write(head);
        var before = output.Written;
        native.WriteTo(output, ct);
        if (output.Written - before != native.Length)
            throw new InvalidOperationException($"the pixel payload wrote {output.Written - before} bytes, not the {native.Length} it announced");
        if ((native.Length & 1) == 1) output.WriteByte(0);
    }

    static void WriteEncapsulated(ObservedWriteStream output, EncapsulatedFrames frames, CancellationToken ct)
    {
        Span<byte> head = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(head, PixelData.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], PixelData.Element);
        "OB"u8.CopyTo(head[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], uint.MaxValue);
        output.Write(head);
        WriteItemHeader(output, 0xE000, 0); // an empty Basic Offset Table
        var written = 0;
        foreach (var frame in frames.Frames)
        {
            ct.ThrowIfCancellationRequested();
            var odd = (frame.Length & 1) == 1;
            WriteItemHeader(output, 0xE000, (uint)(frame.Length + (odd ? 1 : 0)));
            output.Write(frame.Span);
            if (odd) output.WriteByte(0); // PS3.5 §A.4: fragments have an even length
            written++;
        }
        if (written != frames.Count) throw new InvalidOperationException($"the payload gave {written} frames, not the {frames.Count} it announced");
        WriteItemHeader(output, 0xE0DD, 0);
    }

    static void WriteItemHeader(Stream output, ushort element, uint length)
    {
        Span<byte> item = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(item, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(item[2..], element);
        BinaryPrimitives.WriteUInt32LittleEndian(item[4..], length);
        output.Write(item);
    }
}
