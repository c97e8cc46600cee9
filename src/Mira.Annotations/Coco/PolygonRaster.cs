using Mira.Annotations.Reads;

namespace Mira.Annotations.Coco;

/// <summary>Which points a self-intersecting polygon covers: the even–odd rule or the nonzero winding rule.</summary>
public enum FillRule { EvenOdd, NonZero }

/// <summary>
/// Rasterises a polygon onto a pixel grid so that polygon reads can be compared as masks (Dice and the other
/// agreement statistics of Mira.Metrics). Coordinates are those of SCOORD and COCO: (0, 0) is the top-left corner of
/// the top-left pixel, so pixel (c, r) is covered when its centre (c + 0.5, r + 0.5) lies inside the polygon (PS3.3
/// §C.18.6.1.2). A centre exactly on an edge is decided half-open: inside on a left or top edge, outside on a right
/// or bottom edge, so two polygons sharing an edge never both cover a pixel. (PIL's ImageDraw.polygon also paints the
/// outline, so it covers some pixels along the edges whose centres are just outside; see the tests.)
/// </summary>
public static class PolygonRaster
{
    /// <summary>The mask (index = column + columns × row) of the pixels the polygon covers.</summary>
    public static bool[] Fill(PolygonAnnotation polygon, int columns, int rows, FillRule rule = FillRule.EvenOdd)
    {
        ArgumentNullException.ThrowIfNull(polygon);
        if (columns < 1 || rows < 1 || (long)columns * rows > Array.MaxLength) throw new ArgumentException($"a {columns} x {rows} grid cannot be filled");
        var pts = polygon.Points;
        if (pts.Count < 3) throw new AnnotationException($"a polygon of {pts.Count} point(s) covers nothing: at least 3 are needed");
        if (pts.Any(p => !double.IsFinite(p.X) || !double.IsFinite(p.Y))) throw new AnnotationException("a polygon vertex is not a finite number");
        var mask = new bool[columns * rows];
        var crossings = new List<(double X, int Winding)>();
        var minY = pts.Min(p => p.Y);
        var maxY = pts.Max(p => p.Y);
        var r0 = Math.Max(0, (int)Math.Floor(minY - 0.5));
        var r1 = Math.Min(rows - 1, (int)Math.Ceiling(maxY - 0.5));
        for (var r = r0; r <= r1; r++)
        {
            var y = r + 0.5;
            crossings.Clear();
            for (int i = 0, j = pts.Count - 1; i < pts.Count; j = i++)
            {
                var (a, b) = (pts[j], pts[i]);
                // Half-open in y: an edge covers [min y, max y), so a vertex on the scanline counts once and horizontal edges never.
                if (a.Y <= y && b.Y > y) crossings.Add((a.X + (y - a.Y) * (b.X - a.X) / (b.Y - a.Y), 1));
                else if (b.Y <= y && a.Y > y) crossings.Add((a.X + (y - a.Y) * (b.X - a.X) / (b.Y - a.Y), -1));
            }
            crossings.Sort((p, q) => p.X.CompareTo(q.X));
            var winding = 0;
            for (var k = 0; k < crossings.Count - 1; k++)
            {
                winding += rule == FillRule.EvenOdd ? (k % 2 == 0 ? 1 : -1) : crossings[k].Winding;
                if (winding == 0) continue;
                // Pixel centres c + 0.5 in [x_k, x_k+1).
                var c0 = Math.Max(0, (long)Math.Ceiling(crossings[k].X - 0.5));
                var c1 = Math.Min(columns, (long)Math.Ceiling(crossings[k + 1].X - 0.5));
                for (var c = c0; c < c1; c++) mask[r * columns + c] = true;
            }
        }
        return mask;
    }
}
