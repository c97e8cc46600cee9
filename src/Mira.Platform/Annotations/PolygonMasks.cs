using Mira.Annotations.Coco;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Dicom;

namespace Mira.Platform.Annotations;

/// <summary>
/// Polygon reads compared as masks: every polygon filled (<see cref="PolygonRaster"/>, even-odd) on its image's pixel
/// grid (Columns × Rows of its instance), the images and frames any read drew on laid end to end, so Dice counts the
/// same pixels for every read. The consensus of agreeing polygon reads is the read closest to the others (the highest
/// mean Dice over the workflow's targets; ties: the first reader by name): polygons are not averaged.
/// </summary>
public static class PolygonMasks
{
    /// <summary>The most pixels rasterised for one comparison; a whole-slide level at full resolution is far above.</summary>
    public const long MaxPixels = 1L << 28;

    public static IReadOnlyList<AnnotationContent> Rasterize(IReadOnlyList<AnnotationContent> reads, IReadOnlyList<DicomDataset> images)
    {
        var sizes = images.ToDictionary(i => i.GetString(DicomTags.SOPInstanceUID) ?? "", i => (Columns: i.GetInt32(DicomTags.Columns) ?? 0, Rows: i.GetInt32(DicomTags.Rows) ?? 0),
            StringComparer.Ordinal);
        var planes = reads.SelectMany(r => r.Polygons ?? throw AnnotationRefusedException.Invalid("the reads mix polygons with masks or forms"))
            .Select(p => (p.SopInstanceUid, p.Frame)).Distinct().OrderBy(p => p.SopInstanceUid, StringComparer.Ordinal).ThenBy(p => p.Frame).ToArray();
        var offsets = new Dictionary<(string, int), long>();
        long total = 0;
        foreach (var plane in planes)
        {
            if (!sizes.TryGetValue(plane.SopInstanceUid, out var size) || size.Columns < 1 || size.Rows < 1)
                throw AnnotationRefusedException.Invalid($"a polygon lies on image {plane.SopInstanceUid}, which is not one of the task's images");
            offsets[plane] = total;
            total += (long)size.Columns * size.Rows;
        }
        if (total > MaxPixels) throw AnnotationRefusedException.Invalid($"the polygons cover {total} pixels of image, more than the {MaxPixels} compared at once");
        var length = (int)Math.Max(1, total);
        var result = new List<AnnotationContent>(reads.Count);
        foreach (var read in reads)
        {
            var masks = new LabelMasks(length, 1, 1);
            foreach (var p in read.Polygons!)
            {
                var (columns, rows) = sizes[p.SopInstanceUid];
                var filled = PolygonRaster.Fill(p, columns, rows);
                var mask = masks.Has(p.Label) ? masks[p.Label] : new bool[length];
                var offset = (int)offsets[(p.SopInstanceUid, p.Frame)];
                for (var i = 0; i < filled.Length; i++) mask[offset + i] |= filled[i];
                masks.Set(p.Label, mask);
            }
            result.Add(AnnotationContent.Of(masks));
        }
        return result;
    }

    /// <summary>The consensus of agreeing polygon reads (see the class summary).</summary>
    public static (AnnotationContent Content, string Method) Consensus(Protocol protocol, IReadOnlyList<AnnotationContent> reads, IReadOnlyList<DicomDataset> images)
    {
        var masks = Rasterize(reads, images);
        if (masks.Skip(1).All(m => m.Masks!.SameAs(masks[0].Masks!))) return (reads[0], "identical");
        var best = Enumerable.Range(0, reads.Count).MaxBy(i => Enumerable.Range(0, reads.Count).Where(j => j != i)
            .Average(j => protocol.Workflow.AppliesTo.Average(t => TaskAgreement.Compute(protocol, [masks[i], masks[j]]).Values.GetValueOrDefault(t, 0))));
        return (reads[best], "closest");
    }
}
