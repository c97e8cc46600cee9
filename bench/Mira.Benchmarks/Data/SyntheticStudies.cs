using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;

namespace Mira.Benchmarks.Data;

/// <summary>
/// Synthetic data sets built in code and encoded with Mira's own writer, shaped like the files of
/// ../shared/bench/gen_bench_data.py (CT slice with PHI, nested sequences and a private block) plus a deeply
/// nested Comprehensive SR. Deterministic: the same bytes every run.
/// </summary>
public static class SyntheticStudies
{
    const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    const string ComprehensiveSr = "1.2.840.10008.5.1.4.1.1.88.33";

    /// <summary>A CT slice: ~90 elements incl. two nested sequences and a private block; 512×512 16-bit Pixel Data when asked.</summary>
    public static DicomDataset CtSlice(bool withPixels = true, int instance = 1)
    {
        var ds = new DicomDataset();
        ds.Set(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        ds.Set(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.Set(DicomTags.SOPClassUID, CtImageStorage);
        ds.Set(DicomTags.SOPInstanceUID, $"2.25.1234567890123456789012345678{instance:D6}");
        ds.Set(DicomTags.StudyDate, "20230514");
        ds.Set(DicomTags.SeriesDate, "20230514");
        ds.Set(DicomTags.AcquisitionDate, "20230514");
        ds.Set(DicomTags.ContentDate, "20230514");
        ds.Set(DicomTags.StudyTime, "081500");
        ds.Set(DicomTags.SeriesTime, "082000");
        ds.Set(DicomTags.AcquisitionTime, "082000.05");
        ds.Set(DicomTags.ContentTime, "082000.05");
        ds.Set(DicomTags.AccessionNumber, "ACC123456789");
        ds.Set(DicomTags.Modality, "CT");
        ds.Set(DicomTags.Manufacturer, "SyntheticMedical");
        ds.Set(DicomTags.InstitutionName, "Universitätsklinikum Nordstadt");
        ds.Set(DicomTags.InstitutionAddress, "1 Hospital Road, Berlin");
        ds.Set(DicomTags.ReferringPhysicianName, "House^Gregory^^Dr.");
        ds.Set(DicomTags.StationName, "CT-STATION-4");
        ds.Set(DicomTags.StudyDescription, "CT CHEST ABDOMEN PELVIS W CONTRAST");
        ds.Set(Code(DicomTags.ProcedureCodeSequence, "SYNCT", "99SYNTH", "CT CHEST ABDOMEN PELVIS W CONTRAST"));
        ds.Set(DicomTags.SeriesDescription, "Axial 1.25mm soft tissue");
        ds.Set(DicomTags.InstitutionalDepartmentName, "Radiology");
        ds.Set(DicomTags.PhysiciansOfRecord, "Quinn^Michaela^^Dr.");
        ds.Set(DicomTags.PerformingPhysicianName, "Grey^Meredith^^Dr.");
        ds.Set(DicomTags.NameOfPhysiciansReadingStudy, "Grey^Meredith^^Dr.");
        ds.Set(DicomTags.OperatorsName, "Müller^Jürgen");
        ds.Set(DicomTags.ManufacturerModelName, "Phantom CT 3000");
        var priv = new DicomTag(0x0009, 0x0010);
        ds.Set(priv, DicomVR.LO, "SYNTH PRIVATE PHI");
        ds.Set(new DicomTag(0x0009, 0x1001), DicomVR.LO, "Private copy of patient name: Müller^Jürgen");
        ds.Set(new DicomTag(0x0009, 0x1002), DicomVR.LO, "MRN12345678");
        ds.Set(DicomTags.PatientName, "Müller^Jürgen");
        ds.Set(DicomTags.PatientID, "MRN12345678");
        ds.Set(DicomTags.IssuerOfPatientID, "NORDSTADT-MPI");
        ds.Set(DicomTags.PatientBirthDate, "19560302");
        ds.Set(DicomTags.PatientSex, "M");
        ds.Set(DicomTags.OtherPatientIDs, "OID1234567");
        var other = new DicomDataset();
        other.Set(DicomTags.PatientID, "OID1234567");
        other.Set(DicomTags.IssuerOfPatientID, "OLD-RIS");
        other.Set(DicomTags.TypeOfPatientID, "TEXT");
        ds.Set(new DicomSequence(DicomTags.OtherPatientIDsSequence, [other]));
        ds.Set(DicomTags.PatientAge, "067Y");
        ds.Set(DicomTags.PatientSize, "1.78");
        ds.Set(DicomTags.PatientWeight, "81.5");
        ds.Set(DicomTags.PatientAddress, "12 Hauptstrasse^^Berlin^^10115");
        ds.Set(DicomTags.PatientTelephoneNumbers, "+1-555-0123");
        ds.Set(DicomTags.EthnicGroup, "SYNTH");
        ds.Set(DicomTags.PatientComments, "Synthetic patient; lives with daughter, call +1-555-0123 before visits");
        ds.Set(DicomTags.ContrastBolusAgent, "IOHEXOL 350");
        ds.Set(DicomTags.BodyPartExamined, "CHEST");
        ds.Set(DicomTags.ScanOptions, "HELICAL MODE");
        ds.Set(DicomTags.SliceThickness, "1.25");
        ds.Set(DicomTags.KVP, "120");
        ds.Set(DicomTags.SpacingBetweenSlices, "1.25");
        ds.Set(DicomTags.DataCollectionDiameter, "500");
        ds.Set(DicomTags.DeviceSerialNumber, "SN-45678");
        ds.Set(DicomTags.SoftwareVersions, "synth-1.0");
        ds.Set(DicomTags.ReconstructionDiameter, "400");
        ds.Set(DicomTags.GantryDetectorTilt, "0");
        ds.Set(DicomTags.TableHeight, "160");
        ds.Set(DicomTags.RotationDirection, "CW");
        ds.Set(DicomTags.ExposureTime, "500");
        ds.Set(DicomTags.XRayTubeCurrent, "250");
        ds.Set(DicomTags.Exposure, "125");
        ds.Set(DicomTags.FilterType, "BODY FILTER");
        ds.Set(DicomTags.ConvolutionKernel, "STANDARD");
        ds.Set(DicomTags.PatientPosition, "HFS");
        ds.Set(new DicomElement(DicomTags.CTDIvol, DicomVR.FD, DicomBinary.ToBytes<double>([9.8])));
        ds.Set(DicomTags.StudyInstanceUID, "2.25.112233445566778899001122334455667788");
        ds.Set(DicomTags.SeriesInstanceUID, "2.25.223344556677889900112233445566778899");
        ds.Set(DicomTags.StudyID, "4711");
        ds.Set(DicomTags.SeriesNumber, "2");
        ds.Set(DicomTags.AcquisitionNumber, "1");
        ds.Set(DicomTags.InstanceNumber, instance.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ds.Set(DicomTags.ImagePositionPatient, "-199.6094", "-199.6094", "-12.5000");
        ds.Set(DicomTags.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
        ds.Set(DicomTags.FrameOfReferenceUID, "2.25.334455667788990011223344556677889900");
        ds.Set(DicomTags.PositionReferenceIndicator, DicomVR.LO, []);
        ds.Set(DicomTags.SliceLocation, "-12.5000");
        ds.Set(U16(DicomTags.SamplesPerPixel, 1));
        ds.Set(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(U16(DicomTags.Rows, 512));
        ds.Set(U16(DicomTags.Columns, 512));
        ds.Set(DicomTags.PixelSpacing, "0.78125", "0.78125");
        ds.Set(U16(DicomTags.BitsAllocated, 16));
        ds.Set(U16(DicomTags.BitsStored, 12));
        ds.Set(U16(DicomTags.HighBit, 11));
        ds.Set(U16(DicomTags.PixelRepresentation, 0));
        ds.Set(DicomTags.WindowCenter, "40");
        ds.Set(DicomTags.WindowWidth, "400");
        ds.Set(DicomTags.RescaleIntercept, "-1024");
        ds.Set(DicomTags.RescaleSlope, "1");
        ds.Set(DicomTags.RescaleType, "HU");
        var request = new DicomDataset();
        request.Set(DicomTags.AccessionNumber, "ACC123456789");
        request.Set(DicomTags.RequestedProcedureDescription, "CT CHEST ABDOMEN PELVIS W CONTRAST");
        request.Set(DicomTags.ScheduledProcedureStepID, "SPS456789");
        request.Set(DicomTags.RequestedProcedureID, "RP456789");
        ds.Set(new DicomSequence(DicomTags.RequestAttributesSequence, [request]));
        ds.Set(DicomTags.RequestingPhysician, "House^Gregory^^Dr.");
        if (withPixels)
        {
            var pixels = new ushort[512 * 512];
            var state = 0x2545F491u; // xorshift: deterministic noise in 12 bits
            for (var i = 0; i < pixels.Length; i++)
            {
                state ^= state << 13; state ^= state >> 17; state ^= state << 5;
                pixels[i] = (ushort)(state & 0x0FFF);
            }
            ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, DicomBinary.ToBytes<ushort>(pixels)));
        }
        return ds;
    }

    /// <summary>
    /// A Comprehensive SR whose content tree is <paramref name="depth"/> CONTAINER levels deep with
    /// <paramref name="fanOut"/> children per container and TEXT/NUM leaves, each item with its concept name code.
    /// </summary>
    public static DicomDataset DeepSr(int depth = 6, int fanOut = 3)
    {
        var ds = new DicomDataset();
        ds.Set(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        ds.Set(DicomTags.SOPClassUID, ComprehensiveSr);
        ds.Set(DicomTags.SOPInstanceUID, "2.25.998877665544332211009988776655443322");
        ds.Set(DicomTags.StudyDate, "20230514");
        ds.Set(DicomTags.ContentDate, "20230514");
        ds.Set(DicomTags.StudyTime, "081500");
        ds.Set(DicomTags.ContentTime, "091500");
        ds.Set(DicomTags.Modality, "SR");
        ds.Set(DicomTags.PatientName, "Tanaka^Aiko");
        ds.Set(DicomTags.PatientID, "MRN87654321");
        ds.Set(DicomTags.StudyInstanceUID, "2.25.112233445566778899001122334455667788");
        ds.Set(DicomTags.SeriesInstanceUID, "2.25.445566778899001122334455667788990011");
        ds.Set(DicomTags.SeriesNumber, "900");
        ds.Set(DicomTags.InstanceNumber, "1");
        ds.Set(DicomTags.ValueType, "CONTAINER");
        ds.Set(Code(DicomTags.ConceptNameCodeSequence, "126000", "DCM", "Imaging Measurement Report"));
        ds.Set(DicomTags.ContinuityOfContent, "SEPARATE");
        ds.Set(DicomTags.CompletionFlag, "COMPLETE");
        ds.Set(DicomTags.VerificationFlag, "UNVERIFIED");
        ds.Set(new DicomSequence(DicomTags.ContentSequence, Children(depth, fanOut, "1")));
        return ds;
    }

    static IEnumerable<DicomDataset> Children(int depth, int fanOut, string path)
    {
        for (var i = 1; i <= fanOut; i++)
        {
            var id = path + "." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var item = new DicomDataset();
            item.Set(DicomTags.RelationshipType, "CONTAINS");
            if (depth > 1)
            {
                item.Set(DicomTags.ValueType, "CONTAINER");
                item.Set(Code(DicomTags.ConceptNameCodeSequence, "125007", "DCM", "Measurement Group " + id));
                item.Set(DicomTags.ContinuityOfContent, "SEPARATE");
                item.Set(new DicomSequence(DicomTags.ContentSequence, Children(depth - 1, fanOut, id)));
            }
            else if (i % 2 == 1)
            {
                item.Set(DicomTags.ValueType, "TEXT");
                item.Set(Code(DicomTags.ConceptNameCodeSequence, "121071", "DCM", "Finding"));
                item.Set(DicomTags.TextValue, $"Finding {id}: hypodense lesion, 12 mm, unchanged — 所見なし");
            }
            else
            {
                item.Set(DicomTags.ValueType, "NUM");
                item.Set(Code(DicomTags.ConceptNameCodeSequence, "410668003", "SCT", "Length"));
                var mv = new DicomDataset();
                mv.Set(Code(DicomTags.MeasurementUnitsCodeSequence, "mm", "UCUM", "millimeter"));
                mv.Set(DicomTags.NumericValue, "12.5");
                item.Set(new DicomSequence(DicomTags.MeasuredValueSequence, [mv]));
            }
            yield return item;
        }
    }

    static DicomSequence Code(DicomTag tag, string value, string scheme, string meaning)
    {
        var item = new DicomDataset();
        item.Set(DicomTags.CodeValue, value);
        item.Set(DicomTags.CodingSchemeDesignator, scheme);
        item.Set(DicomTags.CodeMeaning, meaning);
        return new DicomSequence(tag, [item]);
    }

    static DicomElement U16(DicomTag tag, ushort value) => new(tag, DicomVR.US, DicomBinary.ToBytes<ushort>([value]));

    /// <summary>Encodes with Mira's writer (preamble, file meta, data set).</summary>
    public static byte[] Encode(DicomDataset ds, TransferSyntax syntax) => DicomFileWriter.ToBytes(ds, syntax);
}
