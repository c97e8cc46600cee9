using System.Text;
using Mira.Dicom.Text;

namespace Mira.Dicom.Json;

/// <summary>
/// The character set of a data set read from JSON (see <see cref="DicomJsonReadOptions.ConvertToUtf8"/>): JSON text
/// is Unicode (PS3.18 §F.2), so when a declared Specific Character Set (0008,0005) cannot encode some value, or none
/// is declared and a value is not ASCII, (0008,0005) becomes ISO_IR 192 (PS3.5 §6.1.2.3, PS3.3 Table C.12-5).
/// </summary>
internal static class DicomJsonCharacterSets
{
    /// <summary>Returns true when it converted.</summary>
    public static bool ConvertIfNeeded(DicomDataset top)
    {
        if (!NeedsUtf8(top)) return false;
        DecodeBytes(top);
        SetUtf8(top, isTop: true);
        return true;
    }

    static bool NeedsUtf8(DicomDataset ds)
    {
        foreach (var e in ds)
        {
            if (e is DicomSequence sq)
            {
                foreach (var item in sq.Items)
                    if (NeedsUtf8(item)) return true;
                continue;
            }
            if (!e.HasTextValues || !DicomVRInfo.UsesCharacterSet(e.VR)) continue;
            foreach (var v in e.TextValues!)
                if (!Ascii.IsValid(v) && !CanEncode(ds.CharacterSet, v, e.VR)) return true;
        }
        return false;
    }

    static bool CanEncode(DicomCharacterSet charset, string value, DicomVR vr)
    {
        try
        {
            charset.Encode(value, vr);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Values held as bytes (from a BulkDataURI) are decoded with the set they were encoded in before it changes.</summary>
    static void DecodeBytes(DicomDataset ds)
    {
        var charset = ds.CharacterSet;
        foreach (var e in ds.ToList())
        {
            if (e is DicomSequence sq)
            {
                foreach (var item in sq.Items) DecodeBytes(item);
                continue;
            }
            if (e.HasTextValues || e is DicomBulkDataReference || !DicomVRInfo.UsesCharacterSet(e.VR) || e.Length <= 0) continue;
            ds.Set(new DicomElement(e.Tag, e.VR, e.GetStrings(charset)));
        }
    }

    static void SetUtf8(DicomDataset ds, bool isTop)
    {
        if (isTop || ds.Contains(DicomTags.SpecificCharacterSet)) ds.Set(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
        foreach (var e in ds)
            if (e is DicomSequence sq)
                foreach (var item in sq.Items) SetUtf8(item, isTop: false);
    }
}
