namespace Mira.Imaging.Presentation;

/// <summary>Colour models of PS3.3 §C.7.6.3.1.2 to 8-bit RGB.</summary>
public static class ColorConversion
{
    /// <summary>
    /// YBR_FULL (and YBR_FULL_422 once its chroma is upsampled, and YBR_ICT, whose transform is the same) to RGB, all
    /// on an 8-bit scale: R = Y + 1.402 (Cr − 128), G = Y − 0.344136 (Cb − 128) − 0.714136 (Cr − 128),
    /// B = Y + 1.772 (Cb − 128) (the inverse of the PS3.3 §C.7.6.3.1.2 equations).
    /// </summary>
    public static (byte R, byte G, byte B) YbrFullToRgb(double y, double cb, double cr) =>
        (Byte(y + 1.402 * (cr - 128)), Byte(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)), Byte(y + 1.772 * (cb - 128)));

    /// <summary>
    /// YBR_PARTIAL_422/420 (luma 16–235, chroma 16–240) to RGB: R = 1.1644 (Y − 16) + 1.5960 (Cr − 128),
    /// G = 1.1644 (Y − 16) − 0.3918 (Cb − 128) − 0.8130 (Cr − 128), B = 1.1644 (Y − 16) + 2.0172 (Cb − 128).
    /// </summary>
    public static (byte R, byte G, byte B) YbrPartialToRgb(double y, double cb, double cr)
    {
        var l = 1.1644 * (y - 16);
        return (Byte(l + 1.5960 * (cr - 128)), Byte(l - 0.3918 * (cb - 128) - 0.8130 * (cr - 128)), Byte(l + 2.0172 * (cb - 128)));
    }

    /// <summary>
    /// The inverse reversible colour transform of JPEG 2000 (YBR_RCT, ITU-T T.800 §G.2), for samples that a decoder
    /// delivered untransformed: with chroma centred on <paramref name="half"/> (2^(bits−1)),
    /// G = Y − ⌊(Cb' + Cr') / 4⌋, R = Cr' + G, B = Cb' + G where Cb' = Cb − half, Cr' = Cr − half.
    /// </summary>
    public static (double R, double G, double B) RctToRgb(double y, double cb, double cr, double half)
    {
        double u = cb - half, v = cr - half;
        var g = y - Math.Floor((u + v) / 4);
        return (v + g, g, u + g);
    }

    public static byte Byte(double v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)Math.Round(v, MidpointRounding.AwayFromZero);
}
