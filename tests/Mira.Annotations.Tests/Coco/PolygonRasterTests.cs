using System.Globalization;
using Mira.Annotations.Coco;
using Mira.Annotations.Reads;

namespace Mira.Annotations.Tests.Coco;

public class PolygonRasterTests
{
    static PolygonAnnotation P(params (double X, double Y)[] pts) => new(1, "1.2.3", 1, pts.Select(p => new PointF2(p.X, p.Y)).ToArray());

    [Fact]
    public void An_axis_aligned_rectangle_on_pixel_edges_covers_exactly_its_area()
    {
        var mask = PolygonRaster.Fill(P((10, 10), (110, 10), (110, 60), (10, 60)), 128, 64);
        Assert.Equal(5000, mask.Count(b => b));
        Assert.True(mask[10 * 128 + 10]);
        Assert.False(mask[9 * 128 + 10]);
        Assert.False(mask[10 * 128 + 110]);
        Assert.True(mask[59 * 128 + 109]);
    }

    [Fact]
    public void Two_rectangles_sharing_an_edge_never_both_cover_a_pixel()
    {
        var left = PolygonRaster.Fill(P((0, 0), (10.5, 0), (10.5, 8), (0, 8)), 20, 8);
        var right = PolygonRaster.Fill(P((10.5, 0), (20, 0), (20, 8), (10.5, 8)), 20, 8);
        Assert.Equal(160, left.Count(b => b) + right.Count(b => b));
        Assert.DoesNotContain(Enumerable.Range(0, 160), i => left[i] && right[i]);
    }

    [Fact]
    public void A_large_circle_covers_its_area_within_half_a_percent()
    {
        var circle = P(Enumerable.Range(0, 360).Select(i => (100 + 80 * Math.Cos(i * Math.PI / 180), 100 + 80 * Math.Sin(i * Math.PI / 180))).ToArray());
        var count = PolygonRaster.Fill(circle, 200, 200).Count(b => b);
        Assert.Equal(circle.Area, count, circle.Area * 0.005);
    }

    [Fact]
    public void A_self_intersecting_star_differs_between_even_odd_and_nonzero_only_in_its_centre()
    {
        var star = P(Enumerable.Range(0, 5).Select(i => (50 + 40 * Math.Sin(i * 4 * Math.PI / 5), 50 - 40 * Math.Cos(i * 4 * Math.PI / 5))).ToArray());
        var evenOdd = PolygonRaster.Fill(star, 100, 100);
        var nonZero = PolygonRaster.Fill(star, 100, 100, FillRule.NonZero);
        Assert.False(evenOdd[50 * 100 + 50]);
        Assert.True(nonZero[50 * 100 + 50]);
        Assert.DoesNotContain(Enumerable.Range(0, 10000), i => evenOdd[i] && !nonZero[i]);
    }

    /// <summary>
    /// PIL's ImageDraw.polygon puts pixel centres on integer coordinates, so the polygon is given to it shifted by half a
    /// pixel. The rules differ at the edges: PIL (9.4) also paints the polygon's outline, covering a band of pixels whose
    /// centres lie just outside, and decides centres exactly on an edge its own way; Mira covers a pixel only when its
    /// centre is inside (half-open on edges). So every pixel where they differ lies within about a pixel of an edge,
    /// and on a 500 x 500 photograph-sized raster at least 99.5 % of the pixels agree.
    /// </summary>
    [Theory]
    [InlineData("rotated", "20,5 95,30 75,95 5,70")]
    [InlineData("concave", "10,10 90,10 90,90 50,40 10,90")]
    [InlineData("star", "50,10 73.5,82.4 12,37.6 88,37.6 26.5,82.4")]
    [InlineData("fractional", "10.3,12.7 88.9,15.1 60.2,91.6 30.75,70.25")]
    public void Masks_agree_with_PIL_ImageDraw_polygon_but_at_the_edges(string shape, string points)
    {
        const int size = 500;
        var pts = points.Split(' ').Select(p => p.Split(',').Select(v => 5 * double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).Select(v => (v[0], v[1])).ToArray();
        var mine = PolygonRaster.Fill(P(pts), size, size);
        var script = """
import sys
from PIL import Image, ImageDraw
n = int(sys.argv[2])
pts = [tuple(5 * float(v) - 0.5 for v in p.split(',')) for p in sys.argv[1].split(' ')]
im = Image.new('L', (n, n), 0)
ImageDraw.Draw(im).polygon(pts, fill=1)
print(''.join('1' if v else '0' for v in im.getdata()))
""";
        var (code, output) = Mira.Testing.ExternalTool.Exec("/usr/bin/python3", ["-c", script, points, size.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(code == 0, output);
        var pil = output.Trim();
        Assert.Equal(size * size, pil.Length);
        var differ = Enumerable.Range(0, size * size).Where(i => mine[i] != (pil[i] == '1')).ToArray();
        var agreement = 1 - differ.Length / (double)(size * size);
        Assert.True(agreement >= 0.995, $"{shape}: {agreement:P3} of the pixels agree with PIL");
        var far = differ.Select(i => EdgeDistance(pts, i % size + 0.5, i / size + 0.5)).Max();
        Assert.True(far <= 1.5, $"{shape}: a pixel {far:F2} px from every edge differs from PIL");
    }

    static double EdgeDistance((double X, double Y)[] pts, double x, double y)
    {
        var best = double.MaxValue;
        for (int i = 0, j = pts.Length - 1; i < pts.Length; j = i++)
        {
            var (x0, y0, vx, vy) = (pts[j].X, pts[j].Y, pts[i].X - pts[j].X, pts[i].Y - pts[j].Y);
            var t = Math.Clamp(((x - x0) * vx + (y - y0) * vy) / (vx * vx + vy * vy), 0, 1);
            best = Math.Min(best, Math.Sqrt(Math.Pow(x - x0 - t * vx, 2) + Math.Pow(y - y0 - t * vy, 2)));
        }
        return best;
    }
}
