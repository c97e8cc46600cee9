using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Platform.Tests;

/// <summary>Small synthetic instances for matching tests.</summary>
internal static class TestInstances
{
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    public static byte[] Make(string study, string series, string sop, Action<DicomDataset>? configure = null)
    {
        var ds = new DicomDataset();
        ds.Set(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        ds.Set(DicomTags.SOPClassUID, CtImageStorage);
        ds.Set(DicomTags.SOPInstanceUID, sop);
        ds.Set(DicomTags.Modality, "CT");
        ds.Set(DicomTags.PatientName, "Doe^John");
        ds.Set(DicomTags.PatientID, "P1");
        ds.Set(DicomTags.StudyInstanceUID, study);
        ds.Set(DicomTags.SeriesInstanceUID, series);
        ds.Set(DicomTags.StudyDate, "20240115");
        ds.Set(DicomTags.StudyTime, "101500");
        ds.Set(DicomTags.SeriesNumber, "1");
        ds.Set(DicomTags.InstanceNumber, "1");
        configure?.Invoke(ds);
        return DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian);
    }
}
