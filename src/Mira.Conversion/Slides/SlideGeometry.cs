using System.Globalization;
using Mira.Conversion.Tiff;

namespace Mira.Conversion.Slides;

/// <summary>
/// Where a slide image's pixels lie on the slide: pixel spacing in millimetres (from the Aperio MPP, else the TIFF
/// resolution when its unit is the centimetre or the inch, scaled per pyramid level) and the Image Orientation
/// (Slide) (PS3.3 §C.8.12.4.1.1) that shows the stored pixels the way the TIFF Orientation tag (274) says they are seen.
/// </summary>
public static class SlideGeometry
{
    /// <summary>The spacing assumed when the file gives none (0.25 µm, a 40× scan), said so in Image Comments.</summary>
    public const double AssumedSpacingMm = 0.00025;

    /// <summary>The spacing assumed for a label or overview image that gives none (a macro camera's 50 µm).</summary>
    public const double AssumedOverviewSpacingMm = 0.05;

    /// <summary>(row spacing, column spacing) in mm, and whether it was assumed.</summary>
    public static (double Row, double Column, bool Assumed) Spacing(SlideLayout layout, SlideImage image)
    {
        var dir = image.Directory;
        if (image.Kind != SlideImageKind.Volume)
            return FromResolution(dir) is { } own ? (own.Row, own.Column, false) : (AssumedOverviewSpacingMm, AssumedOverviewSpacingMm, true);
        var b = layout.Base.Directory;
        (double Row, double Column, bool Assumed) baseSpacing = layout.MicronsPerPixel is { } mpp ? (mpp / 1000, mpp / 1000, false)
            : FromResolution(b) is { } r ? (r.Row, r.Column, false) : (AssumedSpacingMm, AssumedSpacingMm, true);
        return (baseSpacing.Row * b.Height / dir.Height, baseSpacing.Column * b.Width / dir.Width, baseSpacing.Assumed);
    }

    static (double Row, double Column)? FromResolution(TiffDirectory dir)
    {
        var (x, y, unit) = dir.Resolution;
        var mmPerUnit = unit switch { 2 => 25.4, 3 => 10.0, _ => 0 };
        if (mmPerUnit == 0 || !(x > 0) || !(y > 0) || !double.IsFinite(x) || !double.IsFinite(y)) return null;
        return (mmPerUnit / y, mmPerUnit / x);
    }

    /// <summary>
    /// The direction cosines of the stored rows and columns on the slide. Orientation 1 (row 0 at the top, column 0 at
    /// the left) gives the usual 0\-1\0\-1\0\0 (rows run along −Y, columns along −X of the slide coordinate system);
    /// the other seven turn or mirror that, so a viewer shows the image as the TIFF says it is seen, without re-encoding.
    /// </summary>
    public static double[] ImageOrientationSlide(int tiffOrientation)
    {
        double[] right = [0, -1, 0], down = [-1, 0, 0];
        static double[] Neg(double[] v) => [-v[0], -v[1], -v[2]];
        var (row, column) = tiffOrientation switch
        {
            2 => (Neg(right), down),
            3 => (Neg(right), Neg(down)),
            4 => (right, Neg(down)),
            5 => (down, right),
            6 => (down, Neg(right)),
            7 => (Neg(down), Neg(right)),
            8 => (Neg(down), right),
            _ => (right, down),
        };
        return [.. row, .. column];
    }

    /// <summary>The TIFF orientation an Image Orientation (Slide) expresses (the inverse of <see cref="ImageOrientationSlide"/>), 1 when none matches.</summary>
    public static int TiffOrientation(IReadOnlyList<double> cosines)
    {
        for (var o = 1; o <= 8; o++)
        {
            var expected = ImageOrientationSlide(o);
            if (cosines.Count == 6 && expected.Zip(cosines).All(p => Math.Abs(p.First - p.Second) < 1e-3)) return o;
        }
        return 1;
    }

    public static string Ds(double v)
    {
        var s = v.ToString("G10", CultureInfo.InvariantCulture);
        if (s.Length > 16) s = v.ToString("G8", CultureInfo.InvariantCulture);
        if (s.Length > 16) s = v.ToString("G6", CultureInfo.InvariantCulture);
        return s == "-0" ? "0" : s;
    }
}
