using System.Globalization;
using Mira.Dicom;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Conversion.Photos;

/// <summary>The image a photograph's object describes: size, samples, photometric interpretation, compression.</summary>
internal sealed record PhotoPixels(int Rows, int Columns, int Samples, int Bits, string Photometric, double? LossyRatio, string SourceFormat);

/// <summary>
/// The attributes of a photograph's object: Ophthalmic Photography 8 Bit / 16 Bit Image (PS3.3 §A.39, §A.41) or VL
/// Photographic Image (PS3.3 §A.32.4), with the modules those IODs make mandatory, and the subject applied.
/// </summary>
internal static class PhotoHeader
{
    public const string OphthalmicPhotography8Bit = "1.2.840.10008.5.1.4.1.1.77.1.5.1";
    public const string OphthalmicPhotography16Bit = "1.2.840.10008.5.1.4.1.1.77.1.5.2";
    public const string VLPhotographic = "1.2.840.10008.5.1.4.1.1.77.1.4";

    public static DicomDataset Build(PhotoPixels image, string where, string sourceSha256, ConversionRequest request)
    {
        var subject = request.Subject;
        var uids = new ConversionUids(sourceSha256, subject);
        var ophthalmic = request.PhotoKind == PhotoKind.Ophthalmic;
        var sopClass = (ophthalmic, image.Bits) switch
        {
            (true, 8) => OphthalmicPhotography8Bit,
            (true, 16) => OphthalmicPhotography16Bit,
            (false, 8) => VLPhotographic,
            _ => throw new ConversionException($"{where}: {image.Bits}-bit samples; VL Photographic images have 8 bits (PS3.3 §C.8.12.1.1.2): store it as an ophthalmic photograph or convert it to 8 bits"),
        };
        var series = uids.Series("photo");
        // The file's own time, not the clock's: the same file converted again gives the same object, byte for byte,
        // so a second import finds it already stored instead of a conflict under the same UIDs.
        var now = File.Exists(where) ? File.GetLastWriteTimeUtc(where) : DateTime.UnixEpoch;
        var ds = new DicomDataset();
        ds.Set(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        // The pixels are the camera's, as the file holds them (a JPEG is kept byte for byte): ORIGINAL, PRIMARY.
        ds.Set(DicomTags.ImageType, "ORIGINAL", "PRIMARY");
        ds.Set(DicomTags.InstanceCreationDate, now.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.InstanceCreationTime, now.ToString("HHmmss", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.SOPClassUID, sopClass);
        ds.Set(DicomTags.SOPInstanceUID, uids.Instance(series, 1));
        ds.Set(DicomTags.StudyDate, []);
        ds.Set(DicomTags.ContentDate, now.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.StudyTime, []);
        ds.Set(DicomTags.ContentTime, now.ToString("HHmmss", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.Modality, ophthalmic ? "OP" : "XC");
        ds.Set(DicomTags.Manufacturer, []);
        ds.Set(DicomTags.SeriesDescription, image.SourceFormat + " photograph");
        ds.Set(DicomTags.SeriesInstanceUID, series);
        ds.Set(DicomTags.SeriesNumber, "1");
        ds.Set(DicomTags.InstanceNumber, "1");
        ds.Set(DicomTags.PatientOrientation, []);
        ds.Set(new DicomSequence(DicomTags.AcquisitionContextSequence)); // Type 2 (PS3.3 §C.7.6.14)
        ImagePixel(ds, image, request);
        if (ophthalmic) Ophthalmic(ds, uids, where, subject);
        else if (Laterality(subject, where) is { } side) ds.Set(DicomTags.ImageLaterality, side);
        else ds.Set(DicomTags.Laterality, []); // General Series, Type 2C without an Image Laterality (PS3.3 §C.7.3.1): unknown
        subject.ApplyTo(ds, uids.Study);
        return ds;
    }

    static void ImagePixel(DicomDataset ds, PhotoPixels image, ConversionRequest request)
    {
        ds.Set(US(DicomTags.SamplesPerPixel, image.Samples));
        ds.Set(DicomTags.PhotometricInterpretation, image.Photometric);
        if (image.Samples > 1) ds.Set(US(DicomTags.PlanarConfiguration, 0));
        ds.Set(US(DicomTags.Rows, image.Rows));
        ds.Set(US(DicomTags.Columns, image.Columns));
        if (request.PixelSpacingMm is { } spacing)
        {
            if (!(spacing.Row > 0 && spacing.Column > 0 && double.IsFinite(spacing.Row) && double.IsFinite(spacing.Column)))
                throw new ConversionException($"pixel spacing {spacing.Row} \\ {spacing.Column} mm is not a pair of positive numbers");
            ds.Set(DicomTags.PixelSpacing, DS(spacing.Row), DS(spacing.Column));
        }
        ds.Set(US(DicomTags.BitsAllocated, image.Bits));
        ds.Set(US(DicomTags.BitsStored, image.Bits));
        ds.Set(US(DicomTags.HighBit, image.Bits - 1));
        ds.Set(US(DicomTags.PixelRepresentation, 0));
        if (image.Photometric == "MONOCHROME2") ds.Set(DicomTags.PresentationLUTShape, "IDENTITY");
        // Burned In Annotation (Type 1 in OP Image, PS3.3 §C.8.17.2): a photograph's pixels are not known to be free
        // of text (fundus cameras stamp names and dates) unless the sidecar says so; YES sends it to de-identification's review.
        ds.Set(DicomTags.BurnedInAnnotation, request.BurnedInAnnotation ? "YES" : "NO");
        // Lossy Image Compression (PS3.3 §C.7.6.1.1.5): "01" once a lossy compression has been applied, with its ratio and method.
        ds.Set(DicomTags.LossyImageCompression, image.LossyRatio is null ? "00" : "01");
        if (image.LossyRatio is { } ratio)
        {
            ds.Set(DicomTags.LossyImageCompressionRatio, DS(Math.Round(ratio, 2)));
            ds.Set(DicomTags.LossyImageCompressionMethod, "ISO_10918_1");
        }
    }

    static void Ophthalmic(DicomDataset ds, ConversionUids uids, string where, ConversionSubject subject)
    {
        // Ocular Region Imaged (PS3.3 §C.8.17.5): Image Laterality is Type 1 and R, L or B (both eyes): U is not allowed.
        var laterality = Laterality(subject, where);
        if (laterality is null or "U")
            throw new ConversionException($"{where}: an ophthalmic photograph needs the eye it shows: give ImageLaterality (R, L or B) in the sidecar " +
                "(PS3.3 §C.8.17.5), or import it as a VL photograph");
        ds.Set(DicomTags.ImageLaterality, laterality);
        // OP Image (PS3.3 §C.8.17.2): an ORIGINAL image has its Acquisition DateTime (Type 1C); a file does not say it.
        if (subject["AcquisitionDateTime"] is not { Length: > 0 })
            throw new ConversionException($"{where}: an ophthalmic photograph needs the date and time it was taken: give AcquisitionDateTime " +
                "(YYYYMMDDHHMMSS) in the sidecar (PS3.3 §C.8.17.2), or import it as a VL photograph");
        ds.Set(new DicomSequence(DicomTags.AnatomicRegionSequence, [Code("5665001", "SCT", "Retina")]));
        // Synchronization (PS3.3 §C.7.4.2): no trigger, not synchronised; a frame of reference of its own.
        ds.Set(DicomTags.SynchronizationFrameOfReferenceUID, uids.FrameOfReference("photo-synchronization"));
        ds.Set(DicomTags.SynchronizationTrigger, "NO TRIGGER");
        ds.Set(DicomTags.AcquisitionTimeSynchronized, "N");
        // Multi-frame (PS3.3 §C.7.6.6): one frame.
        ds.Set(DicomTags.NumberOfFrames, "1");
        ds.Set(AT(DicomTags.FrameIncrementPointer, DicomTags.FrameTime));
        ds.Set(DicomTags.FrameTime, "0");
        // Ophthalmic Photography Acquisition Parameters (PS3.3 §C.8.17.6): Type 2, unknown from a file.
        ds.Set(DicomTags.PatientEyeMovementCommanded, []);
        ds.Set(DicomTags.EmmetropicMagnification, []);
        ds.Set(DicomTags.IntraOcularPressure, []);
        ds.Set(DicomTags.HorizontalFieldOfView, []);
        ds.Set(DicomTags.PupilDilated, []);
        ds.Set(new DicomSequence(DicomTags.RefractiveStateSequence));
        // Ophthalmic Photographic Parameters (PS3.3 §C.8.17.7): the device type (CID 4202), the rest Type 2 and unknown.
        ds.Set(new DicomSequence(DicomTags.AcquisitionDeviceTypeCodeSequence, [Code("409898007", "SCT", "Fundus Camera")]));
        ds.Set(new DicomSequence(DicomTags.IlluminationTypeCodeSequence));
        ds.Set(new DicomSequence(DicomTags.LightPathFilterTypeStackCodeSequence));
        ds.Set(new DicomSequence(DicomTags.ImagePathFilterTypeStackCodeSequence));
        ds.Set(new DicomSequence(DicomTags.LensesCodeSequence));
        ds.Set(DicomTags.DetectorType, []);
    }

    /// <summary>The subject's ImageLaterality, else its Laterality: R, L, B or U (General Image, PS3.3 §C.7.6.1); null when neither is given.</summary>
    static string? Laterality(ConversionSubject subject, string where)
    {
        var laterality = (subject["ImageLaterality"] ?? subject["Laterality"])?.Trim().ToUpperInvariant();
        if (laterality is not ("R" or "L" or "B" or "U" or null or ""))
            throw new ConversionException($"{where}: laterality '{laterality}' is not R, L, B or U");
        return laterality is "" ? null : laterality;
    }


    static string DS(double value)
    {
        var text = value.ToString("G10", CultureInfo.InvariantCulture);
        return text.Length <= 16 ? text : value.ToString("G8", CultureInfo.InvariantCulture);
    }
}
