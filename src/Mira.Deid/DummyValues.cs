using Mira.Dicom;

namespace Mira.Deid;

/// <summary>
/// Dummy values for the D action (PS3.15 Table E.1-1: "a non-zero length value that may be a dummy value and
/// consistent with the VR"). Text dummies are valid for their VR's character repertoire and length.
/// </summary>
public static class DummyValues
{
    public const string Text = "ANONYMIZED";

    public static DicomElement For(DicomTag tag, DicomVR vr) => vr switch
    {
        DicomVR.AE or DicomVR.CS or DicomVR.LO or DicomVR.SH or DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC or DicomVR.PN
            => new DicomElement(tag, vr, Text),
        DicomVR.AS => new DicomElement(tag, vr, "000Y"),
        DicomVR.DA => new DicomElement(tag, vr, "19000101"),
        DicomVR.TM => new DicomElement(tag, vr, "000000"),
        DicomVR.DT => new DicomElement(tag, vr, "19000101000000"),
        DicomVR.DS or DicomVR.IS => new DicomElement(tag, vr, "0"),
        DicomVR.US or DicomVR.SS => new DicomElement(tag, vr, new byte[2]),
        DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.AT => new DicomElement(tag, vr, new byte[4]),
        DicomVR.FD or DicomVR.UV or DicomVR.SV => new DicomElement(tag, vr, new byte[8]),
        // Binary blobs (OB, OW, OF, OD, OL, OV, UN) and URIs have no meaningful dummy: emptied.
        _ => new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty),
    };
}
