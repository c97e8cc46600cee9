namespace Mira.Dicom.IO;

/// <summary>The writer's check of one value against its VR (PS3.5 Table 6.2-1).</summary>
internal static class DicomValueRules
{
    public static string? Check(DicomVR vr, string value)
    {
        var max = DicomVRInfo.MaxLength(vr);
        if (max > 0 && vr != DicomVR.PN && value.Length > max) return $"value '{Short(value)}' is longer than {max} characters";
        return null;
    }

    static string Short(string s) => s.Length > 40 ? s[..37] + "..." : s;
}
