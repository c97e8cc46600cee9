using System.Buffers.Binary;
using Mira.Dicom;
using Mira.Dicom.Codecs;

namespace Mira.Imaging.Tests.Presentation;

/// <summary>Tiny hand-made frames and data sets for the presentation tests.</summary>
static class TestFrames
{
    public static DicomElement Us(DicomTag tag, params int[] values) => Words(tag, DicomVR.US, values);

    public static DicomElement Ss(DicomTag tag, params int[] values) => Words(tag, DicomVR.SS, values);

    public static DicomElement Ow(DicomTag tag, params int[] values) => Words(tag, DicomVR.OW, values);

    static DicomElement Words(DicomTag tag, DicomVR vr, int[] values)
    {
        var b = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2 * i), unchecked((ushort)values[i]));
        return new DicomElement(tag, vr, b);
    }

    public static DicomDataset Dataset(params DicomElement[] elements)
    {
        var ds = new DicomDataset();
        foreach (var e in elements) ds.Set(e);
        return ds;
    }

    public static PixelFormat Format(int columns, int rows, int bitsAllocated = 16, int bitsStored = -1, bool signed = false,
        string photometric = "MONOCHROME2", int samples = 1, int planar = 0, int highBit = -1) =>
        new(rows, columns, samples, bitsAllocated, bitsStored < 0 ? bitsAllocated : bitsStored,
            highBit >= 0 ? highBit : (bitsStored < 0 ? bitsAllocated : bitsStored) - 1, signed ? 1 : 0, planar, photometric, 1);

    public static byte[] Bytes16(params int[] values)
    {
        var b = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2 * i), unchecked((ushort)values[i]));
        return b;
    }

    public static byte[] Floats(params float[] values)
    {
        var b = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
        return b;
    }
}
