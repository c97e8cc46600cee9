namespace Mira.Annotations.Reads;

/// <summary>
/// A closed region drawn on a 2D image (a photograph, a slide level's frame): the protocol label value, the referenced
/// instance and frame (1-based), and its vertices in image pixel coordinates (column, row; PS3.3 §C.18.6.1.2: the
/// image's top-left pixel centre is (0.5, 0.5) in SCOORD terms, stored here as given by the tool).
/// </summary>
public sealed record PolygonAnnotation(int Label, string SopInstanceUid, int Frame, IReadOnlyList<PointF2> Points)
{
    /// <summary>Area by the shoelace formula, in pixels².</summary>
    public double Area
    {
        get
        {
            double a = 0;
            for (int i = 0, j = Points.Count - 1; i < Points.Count; j = i++) a += (Points[j].X + Points[i].X) * (Points[j].Y - Points[i].Y);
            return Math.Abs(a) / 2;
        }
    }

    /// <summary>The bounding box: x, y, width, height.</summary>
    public (double X, double Y, double Width, double Height) Bounds
    {
        get
        {
            var x0 = Points.Min(p => p.X);
            var y0 = Points.Min(p => p.Y);
            return (x0, y0, Points.Max(p => p.X) - x0, Points.Max(p => p.Y) - y0);
        }
    }
}

/// <summary>A point in image pixel coordinates (x = column, y = row).</summary>
public readonly record struct PointF2(double X, double Y);
