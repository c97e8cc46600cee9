using System.Globalization;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Conversion;
using Mira.Conversion.Nifti;
using Mira.Dicom;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Annotations.Segmentation;

/// <summary>
/// A read as a DICOM Segmentation (Segmentation IOD, PS3.3 §A.51; Segmentation Image Module §C.8.20.2; Label Map
/// Segmentation Storage for LABELMAP): one segment per protocol label the read holds, numbered 1…n in the protocol's
/// label order (value 0, background, is never a segment), each with the label's name (Segment Label), display name
/// (Segment Description), Segmented Property Category and Type and Anatomic Region codes, and colour (Recommended
/// Display CIELab Value, <see cref="CieLab"/>). Frames lie on the referenced images (Plane Position per frame, Plane
/// Orientation and Pixel Measures shared, Derivation Image with Source Image per frame, Dimension Index on segment and
/// position — position only for a LABELMAP). Patient and study attributes are copied from the referenced instances
/// (<see cref="NiftiSegmentationConverter.Copied"/>), the series is in the Referenced Series Sequence (§C.12.2).
/// Strict: a label value not in the protocol, masks of another size than the grid, an empty read, overlapping labels
/// in a LABELMAP, probabilities outside [0, 1] are refused with an <see cref="AnnotationException"/>; nothing is written.
/// </summary>
public static class SegmentationWriter
{
    public const string LabelMapSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.7";

    static readonly DicomTag[] TypeTwo =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
        DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyID, DicomTags.AccessionNumber,
    ];

    /// <summary>The Segmentation, written with <see cref="Part10Writer"/> (or <see cref="ToPart10"/>).</summary>
    public static ConvertedInstance Write(SegmentationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var grid = request.Grid;
        var protocol = request.Protocol;
        var content = SegmentContent.From(request);
        if (request.Type == SegmentationType.LabelMap && !grid.HasPatientGeometry)
            throw new AnnotationException($"a LABELMAP Segmentation is placed by slice position; the images of series {grid.SeriesInstanceUid} have no patient geometry (write BINARY)");
        if (request.AlgorithmType is not ("MANUAL" or "SEMIAUTOMATIC" or "AUTOMATIC"))
            throw new AnnotationException($"Segment Algorithm Type '{request.AlgorithmType}' is not MANUAL, SEMIAUTOMATIC or AUTOMATIC (PS3.3 §C.8.20.2)");
        if (request.AlgorithmType != "MANUAL" && string.IsNullOrWhiteSpace(request.AlgorithmName))
            throw new AnnotationException($"Segment Algorithm Type {request.AlgorithmType} needs a Segment Algorithm Name (PS3.3 §C.8.20.2, type 1C)");
        var contentLabel = ContentLabelOf(request.ContentLabel);

        var first = grid.Slices[0].Instance;
        var ds = new DicomDataset();
        foreach (var tag in NiftiSegmentationConverter.Copied)
            if (first.Find(tag) is { } e) ds.Set(e);
        // Patient and General Study modules (PS3.3 §C.7.1.1, §C.7.2.1): their type 2 attributes are present, empty when the images lack them.
        foreach (var tag in TypeTwo)
            if (!ds.Contains(tag)) ds.Set(tag, []);
        var labelMap = request.Type == SegmentationType.LabelMap;
        ds.Set(DicomTags.SOPClassUID, labelMap ? LabelMapSegmentationStorage : DicomUids.SegmentationStorage);
        ds.Set(DicomTags.SOPInstanceUID, request.SopInstanceUid);
        var when = request.ContentDateTime ?? DateTime.UtcNow;
        ds.Set(DicomTags.ContentDate, when.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.ContentTime, when.ToString("HHmmss", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.Modality, "SEG");
        ds.Set(DicomTags.Manufacturer, "Mira");
        ds.Set(DicomTags.SeriesDescription, Lo(request.SeriesDescription ?? $"{protocol.Id} read"));
        ds.Set(DicomTags.ManufacturerModelName, "Mira annotation");
        ds.Set(DicomTags.DeviceSerialNumber, "0");
        ds.Set(DicomTags.SoftwareVersions, "Mira");
        ds.Set(DicomTags.ImageType, "DERIVED", "PRIMARY");
        ds.Set(DicomTags.LossyImageCompression, "00");
        ds.Set(DicomTags.SeriesInstanceUID, request.SeriesInstanceUid);
        ds.Set(DicomTags.SeriesNumber, Is(request.SeriesNumber));
        ds.Set(DicomTags.InstanceNumber, Is(request.InstanceNumber));
        if (grid.FrameOfReferenceUid is { } frameOfReference)
        {
            ds.Set(DicomTags.FrameOfReferenceUID, frameOfReference);
            ds.Set(DicomTags.PositionReferenceIndicator, []);
        }
        ds.Set(DicomTags.ContentLabel, contentLabel);
        ds.Set(DicomTags.ContentDescription, Lo(request.ContentDescription ?? $"{protocol.Title}"));
        ds.Set(DicomTags.ContentCreatorName, string.IsNullOrWhiteSpace(request.Author) ? [] : [request.Author.Trim()]);

        var frames = content.Frames(request);
        ds.Set(DicomTags.NumberOfFrames, Is(frames.Count));
        var bits = request.Type switch { SegmentationType.Binary => 1, SegmentationType.Fractional => 8, _ => content.Segments.Count > byte.MaxValue ? 16 : 8 };
        ds.Set(US(DicomTags.SamplesPerPixel, 1));
        ds.Set(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(US(DicomTags.Rows, grid.Rows));
        ds.Set(US(DicomTags.Columns, grid.Columns));
        ds.Set(US(DicomTags.BitsAllocated, bits));
        ds.Set(US(DicomTags.BitsStored, bits));
        ds.Set(US(DicomTags.HighBit, bits - 1));
        ds.Set(US(DicomTags.PixelRepresentation, 0));
        ds.Set(DicomTags.SegmentationType, request.Type switch { SegmentationType.Binary => "BINARY", SegmentationType.Fractional => "FRACTIONAL", _ => "LABELMAP" });
        if (request.Type == SegmentationType.Fractional)
        {
            ds.Set(DicomTags.SegmentationFractionalType, "PROBABILITY");
            ds.Set(US(DicomTags.MaximumFractionalValue, SegmentContent.MaxFractional));
        }
        ds.Set(DicomTags.SegmentsOverlap, request.Type switch { SegmentationType.Fractional => "UNDEFINED", _ => content.Overlap ? "YES" : "NO" });
        ds.Set(Sequence(DicomTags.SegmentSequence, content.Segments.Select((l, i) => Segment(i + 1, l, request)).ToArray()));
        ds.Set(Sequence(DicomTags.ReferencedSeriesSequence, new DicomDataset()
            .Set(Sequence(DicomTags.ReferencedInstanceSequence, grid.Slices.DistinctBy(s => s.SopInstanceUid).Select(s => Reference(s, frame: false)).ToArray()))
            .Set(DicomTags.SeriesInstanceUID, grid.SeriesInstanceUid)));
        var organization = Mira.Dicom.Values.DicomUid.FromHash(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(request.SopInstanceUid + ":dimensions")));
        var dimensions = new List<(DicomTag, DicomTag, string)>();
        if (!labelMap) dimensions.Add((DicomTags.ReferencedSegmentNumber, DicomTags.SegmentIdentificationSequence, "segment"));
        if (grid.HasPatientGeometry) dimensions.Add((DicomTags.ImagePositionPatient, DicomTags.PlanePositionSequence, "position"));
        MultiFrame.Dimensions(ds, organization, [.. dimensions]);
        if (!grid.HasPatientGeometry)
        {
            // A photograph: Patient Orientation (type 2C when there is no Image Orientation (Patient), §C.7.6.1), and
            // the Shared Functional Groups (type 1) with Pixel Measures only when the image is calibrated.
            ds.Set(DicomTags.PatientOrientation, first.GetStrings(DicomTags.PatientOrientation));
            var sharedItem = new DicomDataset();
            if (first.GetDoubles(DicomTags.PixelSpacing) is { Length: 2 } ps)
                sharedItem.Set(Sequence(DicomTags.PixelMeasuresSequence, new DicomDataset().Set(DicomTags.PixelSpacing, Ds(ps))));
            ds.Set(Sequence(DicomTags.SharedFunctionalGroupsSequence, sharedItem));
        }
        else
            ds.Set(Sequence(DicomTags.SharedFunctionalGroupsSequence, new DicomDataset()
                .Set(Sequence(DicomTags.PixelMeasuresSequence, new DicomDataset()
                    .Set(DicomTags.SliceThickness, Ds(first.GetDouble(DicomTags.SliceThickness) is { } t && t > 0 ? t : grid.SliceSpacing))
                    .Set(DicomTags.SpacingBetweenSlices, Ds(Math.Abs(grid.SliceSpacing)))
                    .Set(DicomTags.PixelSpacing, Ds(grid.RowSpacing), Ds(grid.ColumnSpacing))))
                .Set(Sequence(DicomTags.PlaneOrientationSequence, new DicomDataset().Set(DicomTags.ImageOrientationPatient, Ds(grid.Orientation!))))));
        ds.Set(Sequence(DicomTags.PerFrameFunctionalGroupsSequence, frames.Select(f => PerFrame(f, grid, labelMap, dimensions.Count)).ToArray()));

        var payload = content.Pixels(frames, request.Type);
        return new ConvertedInstance(ds, TransferSyntax.ExplicitVRLittleEndian, payload,
            string.Create(CultureInfo.InvariantCulture, $"{request.Type} segmentation, {content.Segments.Count} segment(s), {frames.Count} frame(s) of {grid.Columns} x {grid.Rows}"));
    }

    /// <summary>The Segmentation as Part 10 bytes.</summary>
    public static byte[] ToPart10(ConvertedInstance instance)
    {
        using var buffer = new MemoryStream();
        Part10Writer.Write(buffer, instance);
        return buffer.ToArray();
    }

    /// <summary>Content Label (0070,0080) is a CS (PS3.5 §6.2): upper case, digits, space, underscore, at most 16.</summary>
    static string ContentLabelOf(string label)
    {
        var l = (label ?? "").Trim();
        if (l.Length is 0 or > 16 || l.Any(c => !(c is >= 'A' and <= 'Z' or >= '0' and <= '9' or ' ' or '_')))
            throw new AnnotationException($"Content Label '{label}' is not a code string of 1 to 16 upper case letters, digits, spaces or underscores (PS3.5 §6.2)");
        return l;
    }

    static DicomDataset Segment(int number, ProtocolLabel label, SegmentationRequest request)
    {
        var (r, g, b) = label.Rgb;
        var item = new DicomDataset()
            .Set(Sequence(DicomTags.SegmentedPropertyCategoryCodeSequence, CodeItem(label.Category)))
            .Set(US(DicomTags.SegmentNumber, number))
            .Set(DicomTags.SegmentLabel, Lo(label.Name))
            .Set(DicomTags.SegmentDescription, label.DisplayName.Length > 1024 ? label.DisplayName[..1024] : label.DisplayName)
            .Set(DicomTags.SegmentAlgorithmType, request.AlgorithmType)
            .Set(US(DicomTags.RecommendedDisplayCIELabValue, CieLab.DicomValues(r, g, b)))
            .Set(Sequence(DicomTags.SegmentedPropertyTypeCodeSequence, CodeItem(label.Type)));
        if (request.AlgorithmType != "MANUAL") item.Set(DicomTags.SegmentAlgorithmName, Lo(request.AlgorithmName!));
        if (label.AnatomicRegion is { } region) item.Set(Sequence(DicomTags.AnatomicRegionSequence, CodeItem(region)));
        if (request.Algorithm is { } algorithm) item.Set(Sequence(DicomTags.SegmentationAlgorithmIdentificationSequence, AlgorithmItem(algorithm)));
        return item;
    }

    /// <summary>The Algorithm Identification Macro, PS3.3 Table 10-19 (name, version, source LO; parameters LT).</summary>
    static DicomDataset AlgorithmItem(AlgorithmIdentification a)
    {
        var item = new DicomDataset()
            .Set(Sequence(DicomTags.AlgorithmFamilyCodeSequence, CodeItem(a.Family)))
            .Set(DicomTags.AlgorithmName, Lo(a.Name))
            .Set(DicomTags.AlgorithmVersion, Lo(a.Version));
        if (!string.IsNullOrWhiteSpace(a.Parameters)) item.Set(DicomTags.AlgorithmParameters, a.Parameters.Length > 10240 ? a.Parameters[..10240] : a.Parameters);
        if (!string.IsNullOrWhiteSpace(a.Source)) item.Set(DicomTags.AlgorithmSource, Lo(a.Source));
        return item;
    }

    /// <summary>A code item (PS3.3 §8.8): Code Value up to 16 characters, else Long Code Value.</summary>
    internal static DicomDataset CodeItem(CodedConcept c)
    {
        var item = new DicomDataset();
        if (c.Code.Length > 16) item.Set(DicomTags.LongCodeValue, c.Code);
        else item.Set(DicomTags.CodeValue, c.Code);
        return item.Set(DicomTags.CodingSchemeDesignator, c.Scheme).Set(DicomTags.CodeMeaning, Lo(c.Meaning));
    }

    static DicomDataset Reference(GridSlice slice, bool frame)
    {
        var item = new DicomDataset()
            .Set(DicomTags.ReferencedSOPClassUID, slice.SopClassUid)
            .Set(DicomTags.ReferencedSOPInstanceUID, slice.SopInstanceUid);
        if (frame && slice.Frame > 0) item.Set(DicomTags.ReferencedFrameNumber, Is(slice.Frame));
        return item;
    }

    static DicomDataset PerFrame(SegmentFrame f, ImageGrid grid, bool labelMap, int dimensions)
    {
        var slice = grid.Slices[f.Slice];
        var item = new DicomDataset()
            .Set(Sequence(DicomTags.DerivationImageSequence, new DicomDataset()
                .Set(Sequence(DicomTags.DerivationCodeSequence, Code("113076", "DCM", "Segmentation")))
                .Set(Sequence(DicomTags.SourceImageSequence, Reference(slice, frame: true)
                    .Set(Sequence(DicomTags.PurposeOfReferenceCodeSequence, Code("121322", "DCM", "Source image for image processing operation")))))));
        var indices = new List<uint>();
        if (!labelMap) indices.Add((uint)f.Segment);
        if (grid.HasPatientGeometry) indices.Add((uint)f.Slice + 1);
        if (indices.Count != dimensions) throw new InvalidOperationException("dimension index values do not match the dimensions");
        item.Set(Sequence(DicomTags.FrameContentSequence, MultiFrame.FrameContent([.. indices])));
        if (grid.HasPatientGeometry)
            item.Set(Sequence(DicomTags.PlanePositionSequence, new DicomDataset().Set(DicomTags.ImagePositionPatient, Ds(slice.Position!))));
        if (!labelMap)
            item.Set(Sequence(DicomTags.SegmentIdentificationSequence, new DicomDataset().Set(US(DicomTags.ReferencedSegmentNumber, f.Segment))));
        return item;
    }
}
