using System.Buffers.Binary;
using Mira.Dicom;

namespace Mira.Imaging.Presentation;

/// <summary>
/// A lookup table as the LUT Descriptor / LUT Data pairs of PS3.3 describe it (Modality LUT §C.11.1.1.1, VOI LUT
/// §C.11.2.1.1, Palette Color LUT §C.7.6.3.1.5): <see cref="FirstMapped"/> is the input value of entry 0, inputs
/// below it map to the first entry and inputs past the last entry to the last entry.
/// </summary>
/// <param name="FirstMapped">Second descriptor value: the first input value mapped.</param>
/// <param name="BitsPerEntry">Third descriptor value: the output range is 0 … 2^bits − 1.</param>
/// <param name="Entries">The table (first descriptor value entries; 0 there means 65536).</param>
public sealed record LookupTable(int FirstMapped, int BitsPerEntry, ushort[] Entries)
{
    /// <summary>The largest value the entries can hold (2^<see cref="BitsPerEntry"/> − 1), or the largest entry if the data exceed it.</summary>
    public int MaxOutput { get; } = Math.Max((1 << Math.Clamp(BitsPerEntry, 1, 16)) - 1, Entries.Length == 0 ? 0 : Entries.Max());

    /// <summary>The entry for input <paramref name="x"/> (rounded down to an integer), clamped to the table.</summary>
    public int Lookup(double x)
    {
        if (double.IsNaN(x)) return Entries[0];
        var i = Math.Floor(x) - FirstMapped;
        return i <= 0 ? Entries[0] : i >= Entries.Length - 1 ? Entries[^1] : Entries[(int)i];
    }

    /// <summary>
    /// Reads a descriptor (3 values, US or SS) and its data. <paramref name="signedFirst"/> says whether the first
    /// mapped value is read as a signed 16-bit number when the descriptor is not already SS (PS3.3 §C.11.1.1.1: its VR
    /// follows the Pixel Representation of the input).
    /// </summary>
    public static LookupTable Read(DicomDataset ds, DicomTag descriptorTag, DicomTag dataTag, bool signedFirst, string what)
    {
        var (count, first, bits) = ReadDescriptor(ds, descriptorTag, signedFirst, what);
        var data = ds.Find(dataTag) ?? throw new ImagingException($"{what}: {dataTag} (LUT data) is missing");
        return new LookupTable(first, bits, ReadEntries(data.Bytes.Span, count, bits, what));
    }

    /// <summary>The three descriptor values: number of entries (0 → 65536), first mapped value, bits per entry.</summary>
    public static (int Count, int FirstMapped, int Bits) ReadDescriptor(DicomDataset ds, DicomTag descriptorTag, bool signedFirst, string what)
    {
        var e = ds.Find(descriptorTag) ?? throw new ImagingException($"{what}: {descriptorTag} (LUT descriptor) is missing");
        var b = e.Bytes.Span;
        ushort count, first, bits;
        if (e.HasTextValues || b.Length < 6)
        {
            // A descriptor given as text (e.g. from DICOM JSON) or too short: read its numbers if there are three.
            var d = ds.GetDoubles(descriptorTag);
            if (d.Length < 3) throw new ImagingException($"{what}: {descriptorTag} has {d.Length} value(s); a LUT descriptor has 3");
            count = (ushort)(long)d[0]; first = unchecked((ushort)(long)d[1]); bits = (ushort)(long)d[2];
        }
        else
        {
            count = BinaryPrimitives.ReadUInt16LittleEndian(b);
            first = BinaryPrimitives.ReadUInt16LittleEndian(b[2..]);
            bits = BinaryPrimitives.ReadUInt16LittleEndian(b[4..]);
        }
        var isSigned = e.VR == DicomVR.SS || signedFirst;
        var n = count == 0 ? 65536 : count;
        if (bits is < 1 or > 16) throw new ImagingException($"{what}: {descriptorTag} says {bits} bits per entry (1 to 16 supported)");
        return (n, isSigned ? (short)first : first, bits);
    }

    /// <summary>
    /// LUT Data as entries: one 16-bit word per entry, or, for tables of at most 8 bits per entry whose data hold one
    /// byte per entry (the packed form of 8-bit palettes, PS3.3 §C.7.6.3.1.6), one byte per entry.
    /// </summary>
    public static ushort[] ReadEntries(ReadOnlySpan<byte> b, int count, int bits, string what)
    {
        var entries = new ushort[count];
        if (b.Length >= 2 * count)
        {
            for (var i = 0; i < count; i++) entries[i] = BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]);
            if (bits <= 8)
                for (var i = 0; i < count; i++) entries[i] &= 0xFF;
        }
        else if (bits <= 8 && b.Length >= count)
        {
            for (var i = 0; i < count; i++) entries[i] = b[i];
        }
        else throw new ImagingException($"{what}: the LUT data hold {b.Length} bytes, too few for {count} entries of {bits} bits");
        return entries;
    }
}
