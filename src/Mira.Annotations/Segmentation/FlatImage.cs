using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Dicom;

namespace Mira.Annotations.Segmentation;

/// <summary>
/// A Segmentation of one image without patient geometry (a photograph): every frame lies on that image, so no Plane
/// Position is needed (and <see cref="Imaging.Segmentation.DicomSegReader"/>, which places frames in patient
/// coordinates, does not apply). Native pixels only: BINARY (1 bit, packed across frames, PS3.5 §8.1.1), FRACTIONAL
/// (8 bits, foreground at half the Maximum Fractional Value or more), LABELMAP (8 or 16 bits, values segment numbers).
/// </summary>
internal static class FlatImage
{
    public static LabelMasks Read(DicomDataset seg, ImageGrid grid, Protocol protocol, TransferSyntax syntax, string name)
    {
        if (syntax.IsEncapsulated) throw new AnnotationException($"{name}: compressed ({syntax.Uid}) Segmentations of photographs are not read; only native pixels");
        var type = seg.GetString(DicomTags.SegmentationType)?.ToUpperInvariant();
        var bits = seg.GetInt32(DicomTags.BitsAllocated) ?? 0;
        var expectedBits = type switch { "BINARY" => 1, "FRACTIONAL" => 8, "LABELMAP" => bits is 8 or 16 ? bits : 8, _ => throw new AnnotationException($"{name}: Segmentation Type {type ?? "(absent)"} is not BINARY, FRACTIONAL or LABELMAP") };
        if (bits != expectedBits) throw new AnnotationException($"{name}: a {type} Segmentation with Bits Allocated {bits}");
        var frames = seg.GetInt32(DicomTags.NumberOfFrames) ?? 1;
        var plane = grid.SliceLength;
        var pixels = seg.Find(DicomTags.PixelData)?.Bytes ?? throw new AnnotationException($"{name}: no Pixel Data");
        var needed = bits == 1 ? ((long)frames * plane + 7) / 8 : (long)frames * plane * (bits / 8);
        if (pixels.Length < needed) throw new AnnotationException($"{name}: Pixel Data holds {pixels.Length} bytes, {frames} frames of {grid.Columns} x {grid.Rows} need {needed}");
        var max = type == "FRACTIONAL" ? seg.GetInt32(DicomTags.MaximumFractionalValue) ?? throw new AnnotationException($"{name}: FRACTIONAL without Maximum Fractional Value") : 0;

        var labelOf = new Dictionary<int, ProtocolLabel>();
        foreach (var item in seg.GetSequence(DicomTags.SegmentSequence)!.Items)
        {
            item.TryGetFirstItem(DicomTags.SegmentedPropertyCategoryCodeSequence, out var category);
            item.TryGetFirstItem(DicomTags.SegmentedPropertyTypeCodeSequence, out var propertyType);
            labelOf[item.GetInt32(DicomTags.SegmentNumber) ?? -1] = protocol.Segments.First(l =>
                l.Category.SameAs(category!.GetString(DicomTags.CodingSchemeDesignator) ?? "", category.GetString(DicomTags.CodeValue) ?? category.GetString(DicomTags.LongCodeValue) ?? "")
                && l.Type.SameAs(propertyType!.GetString(DicomTags.CodingSchemeDesignator) ?? "", propertyType.GetString(DicomTags.CodeValue) ?? propertyType.GetString(DicomTags.LongCodeValue) ?? ""));
        }
        seg.TryGetFirstItem(DicomTags.SharedFunctionalGroupsSequence, out var shared);
        var perFrame = seg.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)?.Items ?? [];
        if (perFrame.Count != frames) throw new AnnotationException($"{name}: {frames} frames but {perFrame.Count} Per-frame Functional Groups items");
        var masks = grid.NewMasks();
        var data = pixels.Span;
        for (var f = 0; f < frames; f++)
        {
            if (type == "LABELMAP")
            {
                for (var p = 0; p < plane; p++)
                {
                    var o = ((long)f * plane + p) * (bits / 8);
                    var v = bits == 8 ? data[(int)o] : data[(int)o] | data[(int)o + 1] << 8;
                    if (v == 0) continue;
                    if (!labelOf.TryGetValue(v, out var l)) throw new AnnotationException($"{name}: frame {f + 1} holds segment number {v}, which is not in the Segment Sequence");
                    Mark(masks, l.Value, p);
                }
                continue;
            }
            var id = perFrame[f].TryGetFirstItem(DicomTags.SegmentIdentificationSequence, out var own) ? own
                : shared is not null && shared.TryGetFirstItem(DicomTags.SegmentIdentificationSequence, out var common) ? common
                : throw new AnnotationException($"{name}: frame {f + 1} has no Segment Identification Sequence");
            var number = id.GetInt32(DicomTags.ReferencedSegmentNumber) ?? -1;
            if (!labelOf.TryGetValue(number, out var label)) throw new AnnotationException($"{name}: frame {f + 1} is of segment {number}, which is not in the Segment Sequence");
            for (var p = 0; p < plane; p++)
            {
                var i = (long)f * plane + p;
                var on = bits == 1 ? (data[(int)(i >> 3)] & (1 << (int)(i & 7))) != 0 : data[(int)i] * 2 >= max;
                if (on) Mark(masks, label.Value, p);
            }
        }
        return masks;
    }

    static void Mark(LabelMasks masks, int label, int index)
    {
        if (!masks.Has(label)) masks.Set(label, new bool[masks.Length]);
        masks[label][index] = true;
    }
}
