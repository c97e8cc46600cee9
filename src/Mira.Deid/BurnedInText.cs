using Mira.Dicom;
using Mira.Dicom.Codecs;

namespace Mira.Deid;

/// <summary>
/// Burned-in text (PS3.15 §E.1.1 and §E.3.1 Clean Pixel Data): an instance that says Burned In Annotation (0028,0301)
/// YES, or does not say NO and is of a modality or SOP class that commonly burns text into its pixels, is held back
/// (quarantined) unless a pixel-cleaning rule for its device and image size blanks the text. Blanked frames are
/// written natively when the source was native, else re-encoded with RLE Lossless (PS3.5 §A.4.2), so no further
/// loss is added.
/// </summary>
public static class BurnedInText
{
    static readonly HashSet<string> SecondaryCaptureClasses = new(StringComparer.Ordinal)
    {
        "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.7.1", "1.2.840.10008.5.1.4.1.1.7.2",
        "1.2.840.10008.5.1.4.1.1.7.3", "1.2.840.10008.5.1.4.1.1.7.4",
    };

    /// <summary>Why the pixels may hold burned-in text, or null when they are presumed clean (or there are none).</summary>
    public static string? ReasonToReview(DicomDataset ds, DeidRecipe recipe)
    {
        if (!ds.Contains(DicomTags.PixelData) && !ds.Contains(DicomTags.FloatPixelData) && !ds.Contains(DicomTags.DoubleFloatPixelData)) return null;
        var burned = ds.GetString(DicomTags.BurnedInAnnotation)?.ToUpperInvariant();
        if (burned == "YES") return "Burned In Annotation is YES";
        if (burned == "NO") return null;
        var modality = ds.GetString(DicomTags.Modality)?.ToUpperInvariant() ?? "";
        foreach (var m in recipe.BurnedInModalities)
            if (string.Equals(m, modality, StringComparison.OrdinalIgnoreCase)) return $"modality {modality} without Burned In Annotation NO";
        var sop = ds.GetString(DicomTags.SOPClassUID) ?? "";
        return SecondaryCaptureClasses.Contains(sop) ? "secondary capture without Burned In Annotation NO" : null;
    }

    /// <summary>The first rule of the recipe for this device (Manufacturer, Manufacturer's Model Name) and image size.</summary>
    public static PixelCleaningRule? FindRule(DicomDataset ds, DeidRecipe recipe)
    {
        var manufacturer = ds.GetString(DicomTags.Manufacturer) ?? "";
        var model = ds.GetString(DicomTags.ManufacturerModelName) ?? "";
        var rows = ds.GetInt32(DicomTags.Rows) ?? -1;
        var cols = ds.GetInt32(DicomTags.Columns) ?? -1;
        foreach (var r in recipe.PixelCleaning)
            if (r.Rows == rows && r.Columns == cols && Like(r.Manufacturer, manufacturer) && Like(r.Model, model)) return r;
        return null;
    }

    static bool Like(string? pattern, string value) =>
        pattern is null or "" or "*" || string.Equals(pattern.Trim(), value.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Blanks the rule's rectangles (every sample set to 0) in every frame, in place in <paramref name="ds"/>; returns the
    /// transfer syntax to write it in (the source's when native, else RLE Lossless).
    /// </summary>
    public static TransferSyntax Blank(DicomDataset ds, TransferSyntax syntax, PixelCleaningRule rule)
    {
        var source = PixelData.Create(ds, syntax);
        var all = source.DecodeAll(out var decoded);
        if (decoded.BitsAllocated == 1 || decoded.IsFloat) throw new DicomCodecException("pixel cleaning of 1-bit or float pixel data is not supported");
        var frameLength = (int)decoded.FrameLength;
        for (var f = 0; f < source.FrameCount; f++)
            BlankFrame(all.AsSpan(f * frameLength, frameLength), decoded, rule.Rectangles);

        var native = new DicomDataset(ds.Where(e => e.Tag != DicomTags.PixelData && e.Tag != DicomTags.ExtendedOffsetTable && e.Tag != DicomTags.ExtendedOffsetTableLengths));
        native.Set(DicomTags.PhotometricInterpretation, decoded.PhotometricInterpretation);
        if (decoded.SamplesPerPixel > 1)
            native.Set(new DicomElement(DicomTags.PlanarConfiguration, DicomVR.US, BitConverter.GetBytes((ushort)decoded.PlanarConfiguration)));
        native.Set(new DicomElement(DicomTags.PixelData, decoded.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, all));
        DicomDataset result;
        TransferSyntax target;
        if (!syntax.IsEncapsulated)
        {
            result = native;
            target = syntax.IsDeflated || !syntax.IsLittleEndian ? TransferSyntax.ExplicitVRLittleEndian : syntax;
        }
        else
        {
            target = TransferSyntax.Lookup(DicomUids.RLELossless);
            result = PixelDataTranscoder.Transcode(PixelData.Create(native, TransferSyntax.ExplicitVRLittleEndian), target);
        }
        foreach (var e in result) ds.Set(e);
        ds.RemoveAll(e => result.Find(e.Tag) is null);
        return target;
    }

    static void BlankFrame(Span<byte> frame, Dicom.Codecs.PixelFormat f, IReadOnlyList<PixelRectangle> rects)
    {
        var bps = f.BytesPerSample;
        foreach (var r in rects)
        {
            var x0 = Math.Min(r.X, f.Columns);
            var x1 = Math.Min(r.X + r.Width, f.Columns);
            var y1 = Math.Min(r.Y + r.Height, f.Rows);
            for (var y = Math.Min(r.Y, f.Rows); y < y1; y++)
            {
                if (f.SamplesPerPixel == 1 || f.PlanarConfiguration == 0)
                {
                    var start = ((long)y * f.Columns + x0) * f.SamplesPerPixel * bps;
                    var length = (long)(x1 - x0) * f.SamplesPerPixel * bps;
                    frame.Slice((int)start, (int)length).Clear();
                }
                else
                {
                    var plane = (long)f.Rows * f.Columns * bps;
                    for (var s = 0; s < f.SamplesPerPixel; s++)
                        frame.Slice((int)(s * plane + ((long)y * f.Columns + x0) * bps), (x1 - x0) * bps).Clear();
                }
            }
        }
    }

    /// <summary>
    /// Clears the rule's rectangles in the overlay plane of group <paramref name="group"/> (PS3.3 §C.9.2: 1 bit per
    /// pixel, Overlay Origin 1-based in image coordinates), so the overlay can be kept under Clean Graphics.
    /// Returns false when the overlay cannot be read (it is then removed).
    /// </summary>
    public static bool BlankOverlay(DicomDataset ds, ushort group, PixelCleaningRule rule)
    {
        var rows = ds.GetInt32(new DicomTag(group, 0x0010));
        var cols = ds.GetInt32(new DicomTag(group, 0x0011));
        var origin = ds.Find(new DicomTag(group, 0x0050)) is { Length: 4 } o ? ds.GetValues<short>(o.Tag) : [(short)1, (short)1];
        if (rows is not > 0 || cols is not > 0 || ds.Find(new DicomTag(group, 0x3000)) is not { } data) return false;
        var bits = data.Bytes.ToArray();
        var frames = ds.GetInt32(new DicomTag(group, 0x0015)) ?? 1;
        long plane = (long)rows.Value * cols.Value;
        if (bits.Length * 8L < plane * frames) return false;
        for (var f = 0; f < frames; f++)
            foreach (var r in rule.Rectangles)
                for (var y = r.Y; y < r.Y + r.Height; y++)
                    for (var x = r.X; x < r.X + r.Width; x++)
                    {
                        var oy = y - (origin[0] - 1);
                        var ox = x - (origin[1] - 1);
                        if (oy < 0 || ox < 0 || oy >= rows || ox >= cols) continue;
                        var bit = f * plane + (long)oy * cols.Value + ox;
                        bits[bit >> 3] &= (byte)~(1 << (int)(bit & 7));
                    }
        ds.Set(new DicomElement(data.Tag, data.VR, bits));
        return true;
    }
}
