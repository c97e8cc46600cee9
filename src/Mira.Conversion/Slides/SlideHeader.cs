using System.Globalization;
using Mira.Conversion.Tiff;
using Mira.Dicom;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Conversion.Slides;

/// <summary>
/// The header of one VL Whole Slide Microscopy Image (PS3.3 §A.32.8): the WSM series and image modules
/// (§C.8.12.4: Image Type, TILED_FULL, Total Pixel Matrix, Image Orientation (Slide)), the shared functional groups
/// (Pixel Measures, frame type), the optical path (§C.8.12.5), the specimen (§C.7.6.22) from the subject's
/// ContainerIdentifier, SpecimenIdentifier and SpecimenShortDescription, or placeholders that say so.
/// </summary>
internal static class SlideHeader
{
    public const string SopClassUid = "1.2.840.10008.5.1.4.1.1.77.1.6";
    const string PlaceholderSpecimen = "PLACEHOLDER-SPECIMEN";

    public sealed record Context(string SourceName, DateTime Modified, ConversionRequest Request, ConversionUids Uids, SlideLayout Layout);

    public static DicomDataset Build(Context c, SlideImage image, SlidePixelPlan plan, int instanceNumber)
    {
        var dir = image.Directory;
        var series = c.Uids.Series("slide");
        var ds = new DicomDataset();
        var date = c.Modified.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var time = c.Modified.ToString("HHmmss", CultureInfo.InvariantCulture);
        var isBase = image.Kind == SlideImageKind.Volume && image.Level == 0;
        string[] imageType = image.Kind switch
        {
            SlideImageKind.Label => ["ORIGINAL", "PRIMARY", "LABEL", "NONE"],
            SlideImageKind.Overview => ["ORIGINAL", "PRIMARY", "OVERVIEW", "NONE"],
            _ when isBase => ["ORIGINAL", "PRIMARY", "VOLUME", "NONE"],
            _ => ["DERIVED", "PRIMARY", "VOLUME", "RESAMPLED"],
        };
        ds.Set(DicomTags.ImageType, imageType);
        ds.Set(DicomTags.InstanceCreationDate, date);
        ds.Set(DicomTags.InstanceCreationTime, time);
        ds.Set(DicomTags.SOPClassUID, SopClassUid);
        ds.Set(DicomTags.SOPInstanceUID, c.Uids.Instance(series, instanceNumber));
        ds.Set(DicomTags.PyramidUID, c.Uids.Series("pyramid"));
        ds.Set(DicomTags.StudyDate, date);
        ds.Set(DicomTags.ContentDate, date);
        ds.Set(DicomTags.AcquisitionDateTime, date + time);
        ds.Set(DicomTags.StudyTime, time);
        ds.Set(DicomTags.ContentTime, time);
        ds.Set(DicomTags.Modality, "SM");
        ds.Set(DicomTags.Manufacturer, c.Layout.IsAperio ? "Aperio" : "Unknown");
        ds.Set(DicomTags.ManufacturerModelName, c.Layout.IsAperio ? "Aperio scanner (SVS converted by Mira)" : "TIFF converted by Mira");
        ds.Set(DicomTags.SeriesDescription, "Whole-slide image from " + Trim(c.SourceName, 60));
        ds.Set(DicomTags.VolumetricProperties, "VOLUME");
        ds.Set(DicomTags.DeviceSerialNumber, "UNKNOWN");
        ds.Set(DicomTags.SoftwareVersions, "Mira");
        ds.Set(DicomTags.SeriesInstanceUID, series);
        ds.Set(DicomTags.SeriesNumber, "1");
        ds.Set(DicomTags.InstanceNumber, instanceNumber.ToString(CultureInfo.InvariantCulture));
        ds.Set(DicomTags.PatientOrientation, DicomVR.CS);
        ds.Set(DicomTags.FrameOfReferenceUID, c.Uids.FrameOfReference("slide"));
        ds.Set(DicomTags.PositionReferenceIndicator, "SLIDE_CORNER");
        var (rowSpacing, columnSpacing, assumed) = SlideGeometry.Spacing(c.Layout, image);
        var comment = $"{image.Kind.ToString().ToUpperInvariant()} image from TIFF directory {dir.Index + 1} of {Trim(c.SourceName, 80)}";
        if (assumed) comment += "; the file gives no pixel size: the pixel spacing is ASSUMED";
        ds.Set(DicomTags.ImageComments, comment);
        var dimension = c.Uids.Series("dimension-organization");
        ds.Set(new DicomSequence(DicomTags.DimensionOrganizationSequence, [Item(i => i.Set(DicomTags.DimensionOrganizationUID, dimension))]));
        ds.Set(DicomTags.DimensionOrganizationType, "TILED_FULL");
        ds.Set(US(DicomTags.SamplesPerPixel, plan.Samples));
        ds.Set(DicomTags.PhotometricInterpretation, plan.Photometric);
        if (plan.Samples > 1) ds.Set(US(DicomTags.PlanarConfiguration, 0));
        ds.Set(DicomTags.NumberOfFrames, plan.FrameCount(dir).ToString(CultureInfo.InvariantCulture));
        ds.Set(US(DicomTags.Rows, plan.FrameRows));
        ds.Set(US(DicomTags.Columns, plan.FrameColumns));
        ds.Set(US(DicomTags.BitsAllocated, plan.BitsAllocated));
        ds.Set(US(DicomTags.BitsStored, plan.BitsAllocated));
        ds.Set(US(DicomTags.HighBit, plan.BitsAllocated - 1));
        ds.Set(US(DicomTags.PixelRepresentation, 0));
        var special = image.Kind != SlideImageKind.Volume;
        ds.Set(DicomTags.BurnedInAnnotation, special ? "YES" : "NO");
        ds.Set(DicomTags.SpecimenLabelInImage, special ? "YES" : "NO");
        if (plan.Samples == 1)
        {
            ds.Set(DicomTags.PresentationLUTShape, "IDENTITY");
            ds.Set(DicomTags.RescaleIntercept, "0");
            ds.Set(DicomTags.RescaleSlope, "1");
        }
        ds.Set(DicomTags.LossyImageCompression, plan.LossyMethod is null ? "00" : "01");
        if (plan.LossyMethod is { } method)
        {
            ds.Set(DicomTags.LossyImageCompressionRatio, SlideGeometry.Ds(Math.Round(CompressionRatio(dir, plan), 2)));
            ds.Set(DicomTags.LossyImageCompressionMethod, method);
        }
        if (image.Kind == SlideImageKind.Label)
        {
            ds.Set(DicomTags.BarcodeValue, DicomVR.LT);
            ds.Set(DicomTags.LabelText, DicomVR.UT);
        }
        Specimen(ds, c);
        ds.Set(new DicomSequence(DicomTags.AcquisitionContextSequence));
        ds.Set(FL(DicomTags.ImagedVolumeWidth, (float)(dir.Width * columnSpacing)));
        ds.Set(FL(DicomTags.ImagedVolumeHeight, (float)(dir.Height * rowSpacing)));
        ds.Set(FL(DicomTags.ImagedVolumeDepth, 0.001f));
        ds.Set(UL(DicomTags.TotalPixelMatrixColumns, (uint)dir.Width));
        ds.Set(UL(DicomTags.TotalPixelMatrixRows, (uint)dir.Height));
        ds.Set(new DicomSequence(DicomTags.TotalPixelMatrixOriginSequence, [Item(i =>
        {
            i.Set(DicomTags.XOffsetInSlideCoordinateSystem, "0");
            i.Set(DicomTags.YOffsetInSlideCoordinateSystem, "0");
        })]));
        ds.Set(DicomTags.FocusMethod, "AUTO");
        ds.Set(DicomTags.ExtendedDepthOfField, "NO");
        ds.Set(DicomTags.ImageOrientationSlide, [.. SlideGeometry.ImageOrientationSlide(dir.Orientation).Select(SlideGeometry.Ds)]);
        ds.Set(new DicomSequence(DicomTags.OpticalPathSequence, [OpticalPath(c, plan, image)]));
        ds.Set(UL(DicomTags.NumberOfOpticalPaths, 1));
        ds.Set(UL(DicomTags.TotalPixelMatrixFocalPlanes, 1));
        ds.Set(new DicomSequence(DicomTags.SharedFunctionalGroupsSequence, [Item(s =>
        {
            s.Set(new DicomSequence(DicomTags.PixelMeasuresSequence, [Item(m =>
            {
                m.Set(DicomTags.SliceThickness, "0.001");
                m.Set(DicomTags.PixelSpacing, SlideGeometry.Ds(rowSpacing), SlideGeometry.Ds(columnSpacing));
            })]));
            s.Set(new DicomSequence(DicomTags.WholeSlideMicroscopyImageFrameTypeSequence, [Item(f => f.Set(DicomTags.FrameType, imageType))]));
        })]));
        c.Request.Subject.ApplyTo(ds, c.Uids.Study);
        return ds;
    }

    /// <summary>The source's ratio (PS3.3 §C.7.6.1.1.5): decoded bytes over the stored bytes of the directory's tiles or strips.</summary>
    static double CompressionRatio(TiffDirectory dir, SlidePixelPlan plan)
    {
        long stored = 0;
        for (var i = 0; i < dir.ChunkCount; i++) stored += dir.Chunk(i).Count + (dir.JpegTables?.Length ?? 0);
        var decoded = (double)dir.Width * dir.Height * plan.Samples * plan.BitsAllocated / 8;
        return stored == 0 ? 1 : Math.Max(1, decoded / stored);
    }

    static DicomDataset OpticalPath(Context c, SlidePixelPlan plan, SlideImage image)
    {
        var path = new DicomDataset();
        path.Set(new DicomSequence(DicomTags.IlluminationTypeCodeSequence, [Code("111744", "DCM", "Brightfield illumination")]));
        if (plan.Samples > 1)
            path.Set(new DicomElement(DicomTags.ICCProfile, DicomVR.OB, Even(image.Directory.IccProfile ?? c.Layout.Base.Directory.IccProfile ?? SrgbIccProfile.Bytes)));
        path.Set(DicomTags.OpticalPathIdentifier, "1");
        path.Set(DicomTags.OpticalPathDescription, image.Directory.IccProfile is null && c.Layout.Base.Directory.IccProfile is null && plan.Samples > 1
            ? "Brightfield; no ICC profile in the source: an sRGB-like profile is assumed" : "Brightfield");
        path.Set(new DicomSequence(DicomTags.IlluminationColorCodeSequence, [Code("414298005", "SCT", "Full Spectrum")]));
        if (image.Kind == SlideImageKind.Volume && c.Layout.Magnification is { } mag)
            path.Set(DicomTags.ObjectiveLensPower, SlideGeometry.Ds(mag));
        return path;
    }

    static void Specimen(DicomDataset ds, Context c)
    {
        var subject = c.Request.Subject;
        var container = subject["ContainerIdentifier"] is { Length: > 0 } given ? given : PlaceholderSpecimen + "-CONTAINER";
        ds.Set(DicomTags.ContainerIdentifier, container);
        ds.Set(new DicomSequence(DicomTags.IssuerOfTheContainerIdentifierSequence));
        ds.Set(new DicomSequence(DicomTags.ContainerTypeCodeSequence, [Code("433466003", "SCT", "Microscope slide")]));
        var specimenId = subject["SpecimenIdentifier"] is { Length: > 0 } s ? s : PlaceholderSpecimen;
        var description = subject["SpecimenShortDescription"] is { Length: > 0 } d ? d
            : subject["SpecimenIdentifier"] is null ? "PLACEHOLDER specimen: no specimen identifier was given with the file" : null;
        ds.Set(new DicomSequence(DicomTags.SpecimenDescriptionSequence, [Item(i =>
        {
            i.Set(DicomTags.SpecimenIdentifier, specimenId);
            i.Set(DicomTags.SpecimenUID, c.Uids.Series("specimen:" + specimenId));
            i.Set(new DicomSequence(DicomTags.IssuerOfTheSpecimenIdentifierSequence));
            if (description is not null) i.Set(DicomTags.SpecimenShortDescription, Trim(description, 64));
            i.Set(new DicomSequence(DicomTags.SpecimenPreparationSequence));
        })]));
    }

    static DicomDataset Item(Action<DicomDataset> fill)
    {
        var d = new DicomDataset();
        fill(d);
        return d;
    }

    static string Trim(string s, int max) => s.Length <= max ? s : s[..max];

    static byte[] Even(byte[] b) => b.Length % 2 == 0 ? b : [.. b, 0];
}
