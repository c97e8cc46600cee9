using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging;
using Mira.Imaging.Segmentation;

namespace Mira.Annotations.Segmentation;

/// <summary>
/// A DICOM Segmentation (BINARY, LABELMAP; FRACTIONAL thresholded at half its Maximum Fractional Value) read back as
/// the <see cref="LabelMasks"/> of a read on an <see cref="ImageGrid"/>: frames are decoded by
/// <see cref="DicomSegReader"/>; each frame lands on the referenced image its Source Image Sequence names (Referenced
/// SOP Instance UID, and Referenced Frame Number for a multi-frame image; PS3.3 §C.7.6.16.2.6), else on the slice at
/// its Image Position (Patient); each segment becomes the protocol label with the same Segmented Property Category
/// and Type codes (scheme and value; PS3.3 §8.8), whatever its number or label text. Anything
/// <see cref="SegmentationConformance"/> reports refuses the Segmentation, with all the problems in the message.
/// </summary>
public static class SegmentationToMasks
{
    /// <summary>Largest Part 10 size read from bytes.</summary>
    public const int MaxBytes = 1 << 30;

    public static LabelMasks Read(byte[] part10, ImageGrid grid, Protocol protocol)
    {
        ArgumentNullException.ThrowIfNull(part10);
        if (part10.Length > MaxBytes) throw new AnnotationException($"a Segmentation of {part10.Length} bytes is over the limit of {MaxBytes}");
        DicomFile file;
        try { file = DicomFile.Read(part10); }
        catch (Exception e) when (e is MiraException or IOException or InvalidDataException or EndOfStreamException)
        {
            throw new AnnotationException($"the Segmentation is not a readable DICOM file: {e.Message}");
        }
        return Read(file.Dataset, grid, protocol, file.TransferSyntax);
    }

    /// <summary>Reads a Segmentation data set (its pixels in <paramref name="syntax"/>, explicit VR little endian when null).</summary>
    public static LabelMasks Read(DicomDataset seg, ImageGrid grid, Protocol protocol, TransferSyntax? syntax = null)
    {
        ArgumentNullException.ThrowIfNull(seg);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(protocol);
        var problems = SegmentationConformance.Check(seg, protocol, grid);
        var name = $"Segmentation {seg.GetString(DicomTags.SOPInstanceUID) ?? "(no SOP Instance UID)"}";
        if (problems.Count > 0) throw new AnnotationException($"{name}: {string.Join("; ", problems)}");
        if (!grid.HasPatientGeometry) return FlatImage.Read(seg, grid, protocol, syntax ?? TransferSyntax.ExplicitVRLittleEndian, name);
        DicomSegmentation read;
        try { read = DicomSegReader.Read(seg, syntax ?? TransferSyntax.ExplicitVRLittleEndian, name); }
        catch (ImagingException e) { throw new AnnotationException(e.Message); }

        var masks = grid.NewMasks();
        var plane = grid.SliceLength;
        var sources = SourceSlices(seg, grid);
        foreach (var segment in read.Segments)
        {
            var label = SegmentationConformance.LabelOf(segment.Category, segment.PropertyType, protocol)!;
            var frames = read.Frames.Where(f => f.SegmentNumber == segment.Number).ToList();
            if (frames.Count == 0) continue;
            var volume = read.Mask(segment.Number);
            var mask = masks.Has(label.Value) ? masks[label.Value] : new bool[masks.Length];
            foreach (var f in frames)
            {
                var k = f.FrameNumber - 1 < sources.Length ? sources[f.FrameNumber - 1] : -1;
                if (k < 0) k = grid.SliceAt(f.Position);
                if (k < 0) throw new AnnotationException($"{name}: frame {f.FrameNumber} at ({ImageGrid.Show(f.Position)}) lies on no image of series {grid.SeriesInstanceUid}");
                if (grid.Slices[k].Position is { } at && ImageGrid.Distance(at, f.Position) > ImageGrid.PositionToleranceMm)
                    throw new AnnotationException($"{name}: frame {f.FrameNumber} references image {grid.Slices[k].SopInstanceUid} but lies {ImageGrid.Distance(at, f.Position):0.####} mm from it");
                var from = (long)f.SliceIndex * plane;
                for (var p = 0; p < plane; p++)
                    if (volume.Data[from + p] != 0) mask[k * plane + p] = true;
            }
            masks.Set(label.Value, mask);
        }
        return masks;
    }

    /// <summary>Per frame, the slice its Source Image Sequence names (-1 when it names none the grid has).</summary>
    static int[] SourceSlices(DicomDataset seg, ImageGrid grid)
    {
        var perFrame = seg.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence);
        if (perFrame is null) return [];
        var slices = new int[perFrame.Items.Count];
        for (var f = 0; f < slices.Length; f++)
        {
            slices[f] = -1;
            if (!perFrame.Items[f].TryGetFirstItem(DicomTags.DerivationImageSequence, out var derivation)) continue;
            var sources = derivation.GetSequence(DicomTags.SourceImageSequence);
            if (sources is null) continue;
            foreach (var source in sources.Items)
            {
                if (source.GetString(DicomTags.ReferencedSOPInstanceUID) is not { } uid) continue;
                var k = grid.SliceOf(uid, source.GetInt32(DicomTags.ReferencedFrameNumber) ?? 0);
                if (k >= 0) { slices[f] = k; break; }
            }
        }
        return slices;
    }
}
