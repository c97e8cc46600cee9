using Mira.Dicom;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Conversion.Nifti;

/// <summary>What every object of one converted NIfTI series shares: identity, modality, description, UIDs.</summary>
internal sealed record ConvertedSeries(NiftiSource Source, ConversionRequest Request, ConversionUids Uids, string Modality)
{
    public string SeriesUid => Uids.Series("nifti");
    public string FrameOfReferenceUid => Uids.FrameOfReference("nifti");

    /// <summary>
    /// Patient, General Study, General Series, Frame of Reference, General Equipment and SOP Common attributes
    /// (PS3.3 §C.7.1.1, C.7.2.1, C.7.3.1, C.7.4.1, C.7.5.1, C.12.1), then the subject's attributes over them.
    /// </summary>
    public DicomDataset Header(string sopClassUid, string sopInstanceUid, int instanceNumber)
    {
        var ds = new DicomDataset();
        ds.Set(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        ds.Set(DicomTags.SOPClassUID, sopClassUid);
        ds.Set(DicomTags.SOPInstanceUID, sopInstanceUid);
        ds.Set(DicomTags.StudyDate, []);
        ds.Set(DicomTags.StudyTime, []);
        ds.Set(DicomTags.Modality, Modality);
        ds.Set(DicomTags.Manufacturer, "Mira");
        ds.Set(DicomTags.SeriesDescription, Source.Description);
        ds.Set(DicomTags.ManufacturerModelName, "Mira NIfTI conversion");
        ds.Set(DicomTags.DerivationDescription, Lo($"converted from NIfTI-{Source.Header.Version} {Source.Name}"));
        ds.Set(DicomTags.DeviceSerialNumber, "0");
        ds.Set(DicomTags.SoftwareVersions, "Mira");
        ds.Set(DicomTags.SeriesInstanceUID, SeriesUid);
        ds.Set(DicomTags.SeriesNumber, "1");
        ds.Set(DicomTags.InstanceNumber, Is(instanceNumber));
        ds.Set(DicomTags.FrameOfReferenceUID, FrameOfReferenceUid);
        ds.Set(DicomTags.PositionReferenceIndicator, []);
        ds.Set(DicomTags.Laterality, []); // §C.7.3.1: type 2C, unknown here (a sidecar may give it)
        ds.Set(DicomTags.PatientPosition, []); // type 2C for MR and CT: NIfTI does not record it
        Request.Subject.ApplyTo(ds, Uids.Study);
        return ds;
    }

    /// <summary>Image Pixel attributes of one greyscale sample (PS3.3 §C.7.6.3).</summary>
    public static void Pixels(DicomDataset ds, int rows, int columns, int bits, bool signed, bool withBitsStored = true)
    {
        ds.Set(US(DicomTags.SamplesPerPixel, 1));
        ds.Set(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(US(DicomTags.Rows, (ushort)rows));
        ds.Set(US(DicomTags.Columns, (ushort)columns));
        ds.Set(US(DicomTags.BitsAllocated, (ushort)bits));
        if (withBitsStored)
        {
            ds.Set(US(DicomTags.BitsStored, (ushort)bits));
            ds.Set(US(DicomTags.HighBit, (ushort)(bits - 1)));
            ds.Set(US(DicomTags.PixelRepresentation, signed ? (ushort)1 : (ushort)0));
        }
    }
}
