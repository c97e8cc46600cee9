namespace Mira.Dicom.Codecs.Jpeg;

/// <summary>
/// Brings subsampled components to full size as libjpeg 6b does by default: "fancy" (triangle-filter)
/// upsampling for 2:1 horizontal and 2:1 horizontal + vertical factors when the subsampled width exceeds 2,
/// sample replication otherwise. Rows below the last real row repeat it; the row above the first is the first.
/// </summary>
internal static class JpegUpsampler
{
    /// <summary>A full-size plane of <paramref name="width"/> × <paramref name="height"/> samples for the component.</summary>
    public static ushort[] ToFullSize(JpegComponent c, int maxH, int maxV, int width, int height, out int stride)
    {
        if (c.H == maxH && c.V == maxV)
        {
            stride = c.Stride;
            return c.Plane;
        }
        if (maxH % c.H != 0 || maxV % c.V != 0)
            throw new DicomCodecException($"JPEG: sampling factors {c.H}x{c.V} against {maxH}x{maxV} are not integral ratios at byte 0");
        int hf = maxH / c.H, vf = maxV / c.V;
        stride = width;
        var dst = new ushort[(long)width * height];
        if (hf == 2 && vf == 1 && c.Width > 2) H2V1Fancy(c, dst, width, height);
        else if (hf == 2 && vf == 2 && c.Width > 2) H2V2Fancy(c, dst, width, height);
        else Replicate(c, dst, width, height, hf, vf);
        return dst;
    }

    static void H2V1Fancy(JpegComponent c, ushort[] dst, int width, int height)
    {
        var n = c.Width;
        Span<ushort> row = new ushort[2 * n];
        for (var y = 0; y < height; y++)
        {
            var s = c.Plane.AsSpan(y * c.Stride, n);
            row[0] = s[0];
            row[1] = (ushort)((s[0] * 3 + s[1] + 2) >> 2);
            for (var i = 1; i < n - 1; i++)
            {
                var v = s[i] * 3;
                row[2 * i] = (ushort)((v + s[i - 1] + 1) >> 2);
                row[2 * i + 1] = (ushort)((v + s[i + 1] + 2) >> 2);
            }
            row[2 * n - 2] = (ushort)((s[n - 1] * 3 + s[n - 2] + 1) >> 2);
            row[2 * n - 1] = s[n - 1];
            row[..width].CopyTo(dst.AsSpan(y * width, width));
        }
    }

    static void H2V2Fancy(JpegComponent c, ushort[] dst, int width, int height)
    {
        var n = c.Width;
        Span<ushort> row = new ushort[2 * n];
        for (var y = 0; y < height; y++)
        {
            var inRow = y >> 1;
            var other = (y & 1) == 0 ? Math.Max(inRow - 1, 0) : Math.Min(inRow + 1, c.Height - 1);
            var s0 = c.Plane.AsSpan(inRow * c.Stride, n);
            var s1 = c.Plane.AsSpan(other * c.Stride, n);
            int thisSum = s0[0] * 3 + s1[0], nextSum = s0[1] * 3 + s1[1];
            row[0] = (ushort)((thisSum * 4 + 8) >> 4);
            row[1] = (ushort)((thisSum * 3 + nextSum + 7) >> 4);
            var lastSum = thisSum;
            thisSum = nextSum;
            for (var i = 1; i < n - 1; i++)
            {
                nextSum = s0[i + 1] * 3 + s1[i + 1];
                row[2 * i] = (ushort)((thisSum * 3 + lastSum + 8) >> 4);
                row[2 * i + 1] = (ushort)((thisSum * 3 + nextSum + 7) >> 4);
                lastSum = thisSum;
                thisSum = nextSum;
            }
            row[2 * n - 2] = (ushort)((thisSum * 3 + lastSum + 8) >> 4);
            row[2 * n - 1] = (ushort)((thisSum * 4 + 7) >> 4);
            row[..width].CopyTo(dst.AsSpan(y * width, width));
        }
    }

    static void Replicate(JpegComponent c, ushort[] dst, int width, int height, int hf, int vf)
    {
        for (var y = 0; y < height; y++)
        {
            var s = c.Plane.AsSpan(Math.Min(y / vf, c.PlaneHeight - 1) * c.Stride);
            var d = dst.AsSpan(y * width, width);
            for (var x = 0; x < width; x++) d[x] = s[x / hf];
        }
    }
}
