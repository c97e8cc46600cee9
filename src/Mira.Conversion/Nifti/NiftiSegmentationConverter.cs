using System.Globalization;
using Mira.Dicom;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Conversion.Nifti;

/// <summary>
/// A NIfTI label volume as a DICOM Segmentation (PS3.3 §A.51) on an image series already in DICOM: BINARY, one
/// segment per distinct non-zero label value (segment n = the n-th smallest value, labelled "label VALUE"), one frame
/// per segment and slice that holds it, each frame placed on its referenced image (Plane Position per frame, Plane
/// Orientation and Pixel Measures shared, Derivation Image and Source Image per frame, Dimension Index on segment
/// and position), the series in the Referenced Series Sequence (Common Instance Reference, §C.12.2). Patient and study
/// come from the referenced instances. The label grid must be the series' grid (<see cref="ReferencedGrid"/>).
/// Segment Algorithm Type is MANUAL and the property codes are the generic "Anatomical Structure" / "Tissue": a NIfTI
/// label file says neither how it was made nor what it shows.
/// </summary>
public static class NiftiSegmentationConverter
{
    /// <summary>Patient and study attributes a Segmentation copies from the instances it references (also used by Mira.Annotations' SEG writer).</summary>
    public static IReadOnlyList<DicomTag> Copied { get; } =
    [
        DicomTags.SpecificCharacterSet, DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber,
        DicomTags.ReferringPhysicianName, DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate,
        DicomTags.PatientSex, DicomTags.PatientComments, DicomTags.StudyInstanceUID, DicomTags.StudyID,
    ];

    public static ConvertedInstance Convert(string labelPath, IReadOnlyList<DicomDataset> referencedSeries, ConversionRequest request)
    {
        ArgumentNullException.ThrowIfNull(referencedSeries);
        ArgumentNullException.ThrowIfNull(request);
        var label = NiftiSource.Open(labelPath, request.Limits);
        if (label.Nt != 1) throw new ConversionException($"{label.Name}: a label volume has 3 dimensions, this one {label.Nt} time points");
        var slices = ReferencedGrid.Match(label, referencedSeries);
        var first = slices[0];
        var seriesUid = first.GetString(DicomTags.SeriesInstanceUID) ?? throw new ConversionException($"{label.Name}: the referenced images have no Series Instance UID");
        if (slices.Any(s => s.GetString(DicomTags.SeriesInstanceUID) != seriesUid))
            throw new ConversionException($"{label.Name}: the referenced images are not one series");
        var frameOfReference = first.GetString(DicomTags.FrameOfReferenceUID) ?? throw new ConversionException($"{label.Name}: the referenced images have no Frame of Reference UID");

        var voxels = label.ReadVoxels();
        var values = LabelValues(label, voxels);
        var segments = values.Where(v => v != 0).Distinct().Order().ToArray();
        if (segments.Length == 0) throw new ConversionException($"{label.Name}: the label volume has no non-zero voxel: nothing to segment");
        if (segments.Length > ushort.MaxValue) throw new ConversionException($"{label.Name}: {segments.Length} distinct labels, more than a Segmentation's 65535 segments");

        var plane = label.Nx * label.Ny;
        var frames = new List<(int Segment, int K)>();
        for (var s = 0; s < segments.Length; s++)
            for (var k = 0; k < label.Nz; k++)
                if (values.AsSpan(k * plane, plane).Contains(segments[s])) frames.Add((s + 1, k));
        if (frames.Count > request.Limits.MaxFrames) throw new ConversionException($"{label.Name}: {frames.Count} frames, over the limit of {request.Limits.MaxFrames}");

        var uids = new ConversionUids(label.Sha256() + ":" + seriesUid, request.Subject);
        var segSeries = uids.Series("seg");
        var ds = new DicomDataset();
        foreach (var tag in Copied)
            if (first.Find(tag) is { } e) ds.Set(e);
        ds.Set(DicomTags.SOPClassUID, DicomUids.SegmentationStorage);
        ds.Set(DicomTags.SOPInstanceUID, uids.Instance(segSeries, 1));
        var written = File.GetLastWriteTimeUtc(labelPath);
        ds.Set(DicomTags.ContentDate, written.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.ContentTime, written.ToString("HHmmss", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.Modality, "SEG");
        ds.Set(DicomTags.Manufacturer, "Mira");
        ds.Set(DicomTags.SeriesDescription, Lo("labels " + label.Description));
        ds.Set(DicomTags.ManufacturerModelName, "Mira NIfTI conversion");
        ds.Set(DicomTags.DeviceSerialNumber, "0");
        ds.Set(DicomTags.SoftwareVersions, "Mira");
        ds.Set(DicomTags.ImageType, "DERIVED", "PRIMARY");
        ds.Set(DicomTags.LossyImageCompression, "00");
        ds.Set(DicomTags.SeriesInstanceUID, segSeries);
        ds.Set(DicomTags.SeriesNumber, "100");
        ds.Set(DicomTags.InstanceNumber, "1");
        ds.Set(DicomTags.FrameOfReferenceUID, frameOfReference);
        ds.Set(DicomTags.PositionReferenceIndicator, []);
        ds.Set(DicomTags.ContentLabel, "LABELS");
        ds.Set(DicomTags.ContentDescription, Lo("from NIfTI " + label.Name));
        ds.Set(DicomTags.ContentCreatorName, []);
        ds.Set(DicomTags.NumberOfFrames, Is(frames.Count));
        ConvertedSeries.Pixels(ds, label.Ny, label.Nx, 1, signed: false);
        ds.Set(DicomTags.SegmentationType, "BINARY");
        ds.Set(Sequence(DicomTags.SegmentSequence, segments.Select((v, i) => Segment(i + 1, v)).ToArray()));
        ds.Set(Sequence(DicomTags.ReferencedSeriesSequence, new DicomDataset()
            .Set(Sequence(DicomTags.ReferencedInstanceSequence, slices.Select(Reference).ToArray()))
            .Set(DicomTags.SeriesInstanceUID, seriesUid)));
        MultiFrame.Dimensions(ds, uids.Series("seg-dimension-organization"),
            (DicomTags.ReferencedSegmentNumber, DicomTags.SegmentIdentificationSequence, "segment"),
            (DicomTags.ImagePositionPatient, DicomTags.PlanePositionSequence, "position"));
        ds.Set(Sequence(DicomTags.SharedFunctionalGroupsSequence, new DicomDataset()
            .Set(Sequence(DicomTags.PixelMeasuresSequence, MultiFrame.PixelMeasures(label.Planes)))
            .Set(Sequence(DicomTags.PlaneOrientationSequence, MultiFrame.PlaneOrientation(label.Planes)))));
        ds.Set(Sequence(DicomTags.PerFrameFunctionalGroupsSequence, frames.Select(f => new DicomDataset()
            .Set(Sequence(DicomTags.DerivationImageSequence, new DicomDataset()
                .Set(Sequence(DicomTags.DerivationCodeSequence, DicomAttributes.Code("113076", "DCM", "Segmentation")))
                .Set(Sequence(DicomTags.SourceImageSequence, Reference(slices[f.K])
                    .Set(Sequence(DicomTags.PurposeOfReferenceCodeSequence, DicomAttributes.Code("121322", "DCM", "Source image for image processing operation")))))))
            .Set(Sequence(DicomTags.FrameContentSequence, MultiFrame.FrameContent((uint)f.Segment, (uint)f.K + 1)))
            .Set(Sequence(DicomTags.PlanePositionSequence, new DicomDataset().Set(DicomTags.ImagePositionPatient, slices[f.K].GetStrings(DicomTags.ImagePositionPatient))))
            .Set(Sequence(DicomTags.SegmentIdentificationSequence, new DicomDataset().Set(US(DicomTags.ReferencedSegmentNumber, (ushort)f.Segment))))).ToArray()));

        var bits = (long)frames.Count * plane;
        var pixels = new NativePixels((bits + 7) / 8, (s, ct) => s.Write(Pack(frames, segments, values, plane, ct)));
        return new ConvertedInstance(ds, TransferSyntax.ExplicitVRLittleEndian, pixels,
            string.Create(CultureInfo.InvariantCulture, $"segmentation, {segments.Length} segment(s), {frames.Count} frames of {label.Nx} x {label.Ny}"));
    }

    /// <summary>The label values as longs; float labels must be whole numbers.</summary>
    static long[] LabelValues(NiftiSource label, byte[] voxels)
    {
        var type = label.Header.DataType;
        var size = Imaging.Nifti.NiftiHeader.BitsOf(type) / 8;
        var values = new long[voxels.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            var v = VoxelEncoding.Value(type, voxels.AsSpan(i * size, size));
            if (v != Math.Round(v) || Math.Abs(v) > 1L << 53)
                throw new ConversionException($"{label.Name}: voxel {i} holds {v.ToString("R", CultureInfo.InvariantCulture)}, not a whole-number label");
            values[i] = (long)v;
        }
        return values;
    }

    static DicomDataset Segment(int number, long value) => new DicomDataset()
        .Set(Sequence(DicomTags.SegmentedPropertyCategoryCodeSequence, DicomAttributes.Code("91723000", "SCT", "Anatomical Structure")))
        .Set(US(DicomTags.SegmentNumber, (ushort)number))
        .Set(DicomTags.SegmentLabel, "label " + value.ToString(CultureInfo.InvariantCulture))
        .Set(DicomTags.SegmentAlgorithmType, "MANUAL")
        .Set(Sequence(DicomTags.SegmentedPropertyTypeCodeSequence, DicomAttributes.Code("85756007", "SCT", "Tissue")));

    static DicomDataset Reference(DicomDataset image) => new DicomDataset()
        .Set(DicomTags.ReferencedSOPClassUID, image.GetString(DicomTags.SOPClassUID) ?? "")
        .Set(DicomTags.ReferencedSOPInstanceUID, image.GetString(DicomTags.SOPInstanceUID) ?? "");

    /// <summary>The frames' bits, packed across frame boundaries, least significant bit first (PS3.5 §8.1.1).</summary>
    static byte[] Pack(List<(int Segment, int K)> frames, long[] segments, long[] values, int plane, CancellationToken ct)
    {
        var packed = new byte[((long)frames.Count * plane + 7) / 8];
        long bit = 0;
        foreach (var (segment, k) in frames)
        {
            ct.ThrowIfCancellationRequested();
            var value = segments[segment - 1];
            var slice = values.AsSpan(k * plane, plane);
            for (var p = 0; p < plane; p++, bit++)
                if (slice[p] == value) packed[bit >> 3] |= (byte)(1 << (int)(bit & 7));
        }
        return packed;
    }
}
