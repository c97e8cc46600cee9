using Mira.Dicom;

namespace Mira.Imaging.Presentation;

/// <summary>
/// The red, green and blue Palette Color Lookup Tables of a PALETTE COLOR image (PS3.3 §C.7.6.3.1.5, §C.7.9):
/// descriptors (0028,1101-1103) with LUT data (0028,1201-1203) of 8 or 16 bits per entry, or segmented LUT data
/// (0028,1221-1223, §C.7.9.2). Entries are scaled from their bits to 8 bits.
/// </summary>
public sealed class Palette
{
    readonly LookupTable red, green, blue;
    readonly double scale;

    public Palette(LookupTable red, LookupTable green, LookupTable blue)
    {
        this.red = red;
        this.green = green;
        this.blue = blue;
        var bits = Math.Max(red.BitsPerEntry, Math.Max(green.BitsPerEntry, blue.BitsPerEntry));
        // Some writers declare 16 bits per entry but fill the tables with 8-bit values (PS3.3 §C.7.6.3.1.6 asks for
        // them to be scaled to the full range); read those as 8-bit tables rather than show an all-black image.
        if (bits == 16 && Math.Max(red.Entries.Max(), Math.Max(green.Entries.Max(), blue.Entries.Max())) <= 255) bits = 8;
        scale = 255.0 / ((1 << bits) - 1);
    }

    public LookupTable Red => red;
    public LookupTable Green => green;
    public LookupTable Blue => blue;

    public (byte R, byte G, byte B) Lookup(double index) =>
        (ColorConversion.Byte(red.Lookup(index) * scale), ColorConversion.Byte(green.Lookup(index) * scale), ColorConversion.Byte(blue.Lookup(index) * scale));

    /// <summary>Reads the three tables of a data set.</summary>
    public static Palette Read(DicomDataset ds, bool signedPixels) => new(
        ReadOne(ds, "red", DicomTags.RedPaletteColorLookupTableDescriptor, DicomTags.RedPaletteColorLookupTableData, DicomTags.SegmentedRedPaletteColorLookupTableData, signedPixels),
        ReadOne(ds, "green", DicomTags.GreenPaletteColorLookupTableDescriptor, DicomTags.GreenPaletteColorLookupTableData, DicomTags.SegmentedGreenPaletteColorLookupTableData, signedPixels),
        ReadOne(ds, "blue", DicomTags.BluePaletteColorLookupTableDescriptor, DicomTags.BluePaletteColorLookupTableData, DicomTags.SegmentedBluePaletteColorLookupTableData, signedPixels));

    static LookupTable ReadOne(DicomDataset ds, string colour, DicomTag descriptor, DicomTag data, DicomTag segmented, bool signedPixels)
    {
        var what = $"{colour} palette";
        var (count, first, bits) = LookupTable.ReadDescriptor(ds, descriptor, signedPixels, what);
        if (ds.Find(data) is { } plain) return new LookupTable(first, bits, LookupTable.ReadEntries(plain.Bytes.Span, count, bits, what));
        if (ds.Find(segmented) is { } seg) return new LookupTable(first, bits, SegmentedLut.Expand(seg.Bytes.Span, count, what));
        throw new ImagingException($"{what}: neither {data} nor {segmented} (segmented) is present");
    }
}
