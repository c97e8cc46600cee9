namespace Mira.Annotations.Segmentation;

/// <summary>
/// sRGB colours as DICOM CIELab values (Recommended Display CIELab Value (0062,000D)). PS3.3 §C.10.7.1.1: the values
/// are ICC Profile Connection Space values, CIELab relative to the D50 illuminant, scaled to 16 bits: L* 0…100 as
/// 0x0000…0xFFFF, a* and b* −128…127 as 0x0000…0xFFFF (0x8080 is 0). sRGB (IEC 61966-2-1, D65) is linearised and
/// taken to XYZ with the Bradford-adapted D50 matrix, as an ICC sRGB profile does.
/// </summary>
public static class CieLab
{
    static readonly double[] RgbToXyzD50 =
    [
        0.4360747, 0.3850649, 0.1430804,
        0.2225045, 0.7168786, 0.0606169,
        0.0139322, 0.0971045, 0.7141733,
    ];

    /// <summary>D50 reference white, the image of sRGB white under the matrix above (so that white is a* = b* = 0).</summary>
    const double Xn = 0.96422, Yn = 1.0, Zn = 0.82521;

    /// <summary>L*, a*, b* of an 8-bit sRGB colour (D50).</summary>
    public static (double L, double A, double B) FromSrgb(byte r, byte g, byte b)
    {
        double R = Linear(r), G = Linear(g), B = Linear(b);
        var x = RgbToXyzD50[0] * R + RgbToXyzD50[1] * G + RgbToXyzD50[2] * B;
        var y = RgbToXyzD50[3] * R + RgbToXyzD50[4] * G + RgbToXyzD50[5] * B;
        var z = RgbToXyzD50[6] * R + RgbToXyzD50[7] * G + RgbToXyzD50[8] * B;
        double fx = F(x / Xn), fy = F(y / Yn), fz = F(z / Zn);
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz));
    }

    /// <summary>The three unsigned 16-bit values DICOM stores (§C.10.7.1.1 scaling).</summary>
    public static ushort[] DicomValues(byte r, byte g, byte b)
    {
        var (l, a, bb) = FromSrgb(r, g, b);
        return [Scale(l / 100), Scale((a + 128) / 255), Scale((bb + 128) / 255)];
    }

    static ushort Scale(double unit) => (ushort)Math.Round(Math.Clamp(unit, 0, 1) * 65535);

    static double Linear(byte v)
    {
        var c = v / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
    }

    static double F(double t)
    {
        const double d = 6.0 / 29;
        return t > d * d * d ? Math.Cbrt(t) : t / (3 * d * d) + 4.0 / 29;
    }
}
