namespace Mira.Dicom;

/// <summary>Value representations (PS3.5 §6.2). The numeric value is the two ASCII letters, big-endian packed.</summary>
public enum DicomVR : ushort
{
    None = 0,
    AE = ('A' << 8) | 'E', AS = ('A' << 8) | 'S', AT = ('A' << 8) | 'T',
    CS = ('C' << 8) | 'S', DA = ('D' << 8) | 'A', DS = ('D' << 8) | 'S', DT = ('D' << 8) | 'T',
    FD = ('F' << 8) | 'D', FL = ('F' << 8) | 'L', IS = ('I' << 8) | 'S',
    LO = ('L' << 8) | 'O', LT = ('L' << 8) | 'T',
    OB = ('O' << 8) | 'B', OD = ('O' << 8) | 'D', OF = ('O' << 8) | 'F', OL = ('O' << 8) | 'L',
    OV = ('O' << 8) | 'V', OW = ('O' << 8) | 'W',
    PN = ('P' << 8) | 'N', SH = ('S' << 8) | 'H', SL = ('S' << 8) | 'L', SQ = ('S' << 8) | 'Q',
    SS = ('S' << 8) | 'S', ST = ('S' << 8) | 'T', SV = ('S' << 8) | 'V',
    TM = ('T' << 8) | 'M', UC = ('U' << 8) | 'C', UI = ('U' << 8) | 'I', UL = ('U' << 8) | 'L',
    UN = ('U' << 8) | 'N', UR = ('U' << 8) | 'R', US = ('U' << 8) | 'S', UT = ('U' << 8) | 'T',
    UV = ('U' << 8) | 'V',
}

/// <summary>Properties of each VR from PS3.5 Table 6.2-1 and §7.1.2.</summary>
public static class DicomVRInfo
{
    public static bool TryParse(byte a, byte b, out DicomVR vr)
    {
        vr = (DicomVR)((a << 8) | b);
        return IsKnown(vr);
    }

    public static bool TryParse(ReadOnlySpan<char> s, out DicomVR vr)
    {
        vr = DicomVR.None;
        return s.Length == 2 && s[0] < 128 && s[1] < 128 && TryParse((byte)s[0], (byte)s[1], out vr);
    }

    public static DicomVR Parse(string s) =>
        TryParse(s, out var vr) ? vr : throw new ArgumentException($"unknown VR '{s}'", nameof(s));

    public static bool IsKnown(DicomVR vr) => vr switch
    {
        DicomVR.AE or DicomVR.AS or DicomVR.AT or DicomVR.CS or DicomVR.DA or DicomVR.DS or DicomVR.DT or
        DicomVR.FD or DicomVR.FL or DicomVR.IS or DicomVR.LO or DicomVR.LT or DicomVR.OB or DicomVR.OD or
        DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.PN or DicomVR.SH or DicomVR.SL or
        DicomVR.SQ or DicomVR.SS or DicomVR.ST or DicomVR.SV or DicomVR.TM or DicomVR.UC or DicomVR.UI or
        DicomVR.UL or DicomVR.UN or DicomVR.UR or DicomVR.US or DicomVR.UT or DicomVR.UV => true,
        _ => false,
    };

    /// <summary>The two-letter code; a constant string for every known VR, so hot paths allocate nothing.</summary>
    public static string Code(DicomVR vr) => vr switch
    {
        DicomVR.AE => "AE", DicomVR.AS => "AS", DicomVR.AT => "AT", DicomVR.CS => "CS", DicomVR.DA => "DA",
        DicomVR.DS => "DS", DicomVR.DT => "DT", DicomVR.FD => "FD", DicomVR.FL => "FL", DicomVR.IS => "IS",
        DicomVR.LO => "LO", DicomVR.LT => "LT", DicomVR.OB => "OB", DicomVR.OD => "OD", DicomVR.OF => "OF",
        DicomVR.OL => "OL", DicomVR.OV => "OV", DicomVR.OW => "OW", DicomVR.PN => "PN", DicomVR.SH => "SH",
        DicomVR.SL => "SL", DicomVR.SQ => "SQ", DicomVR.SS => "SS", DicomVR.ST => "ST", DicomVR.SV => "SV",
        DicomVR.TM => "TM", DicomVR.UC => "UC", DicomVR.UI => "UI", DicomVR.UL => "UL", DicomVR.UN => "UN",
        DicomVR.UR => "UR", DicomVR.US => "US", DicomVR.UT => "UT", DicomVR.UV => "UV",
        DicomVR.None => "??",
        _ => new string([(char)((ushort)vr >> 8), (char)((ushort)vr & 0xFF)]),
    };

    /// <summary>Explicit VR encodings use a 2-byte reserved field and a 32-bit length for these VRs (PS3.5 §7.1.2).</summary>
    public static bool HasLongLength(DicomVR vr) => vr switch
    {
        DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.SQ or
        DicomVR.SV or DicomVR.UC or DicomVR.UN or DicomVR.UR or DicomVR.UT or DicomVR.UV => true,
        _ => false,
    };

    /// <summary>Character-string VRs whose values are text (possibly multi-valued with backslash).</summary>
    public static bool IsString(DicomVR vr) => vr switch
    {
        DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA or DicomVR.DS or DicomVR.DT or DicomVR.IS or
        DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH or DicomVR.ST or DicomVR.TM or DicomVR.UC or
        DicomVR.UI or DicomVR.UR or DicomVR.UT => true,
        _ => false,
    };

    /// <summary>String VRs that are affected by Specific Character Set (PS3.5 §6.1.2.3).</summary>
    public static bool UsesCharacterSet(DicomVR vr) => vr switch
    {
        DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH or DicomVR.ST or DicomVR.UC or DicomVR.UT => true,
        _ => false,
    };

    /// <summary>VRs whose value is a single string (no backslash multiplicity) (PS3.5 §6.4).</summary>
    public static bool IsSingleValuedText(DicomVR vr) =>
        vr is DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UR;

    /// <summary>The size of one binary value for numeric VRs, used for byte swapping and multiplicity; 1 for byte VRs.</summary>
    public static int UnitSize(DicomVR vr) => vr switch
    {
        DicomVR.US or DicomVR.SS or DicomVR.OW => 2,
        DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.OF or DicomVR.OL => 4,
        DicomVR.AT => 2, // swapped as two 16-bit words
        DicomVR.FD or DicomVR.OD or DicomVR.SV or DicomVR.UV or DicomVR.OV => 8,
        _ => 1,
    };

    /// <summary>Binary (non-text, non-sequence) VRs.</summary>
    public static bool IsBinary(DicomVR vr) => !IsString(vr) && vr != DicomVR.SQ && vr != DicomVR.None;

    /// <summary>Padding byte for even length (PS3.5 §7.1.1): NUL for UI and binary, space for text.</summary>
    public static byte PaddingByte(DicomVR vr) => IsString(vr) && vr != DicomVR.UI ? (byte)' ' : (byte)0;

    /// <summary>Maximum value length in bytes for fixed-limit string VRs (PS3.5 Table 6.2-1), 0 when unlimited.</summary>
    public static int MaxLength(DicomVR vr) => vr switch
    {
        DicomVR.AE => 16, DicomVR.AS => 4, DicomVR.CS => 16, DicomVR.DA => 8, DicomVR.DS => 16,
        DicomVR.DT => 26, DicomVR.IS => 12, DicomVR.LO => 64, DicomVR.LT => 10240, DicomVR.PN => 64 * 3 + 2,
        DicomVR.SH => 16, DicomVR.ST => 1024, DicomVR.TM => 14, DicomVR.UI => 64,
        _ => 0,
    };
}
