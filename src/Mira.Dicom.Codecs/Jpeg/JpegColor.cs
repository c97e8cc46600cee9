namespace Mira.Dicom.Codecs.Jpeg;

/// <summary>YCbCr → RGB as libjpeg's jdcolor.c (16-bit fixed point tables, JFIF / ITU-R BT.601 full range), 8-bit samples.</summary>
internal static class JpegColor
{
    const int ScaleBits = 16;
    const int Half = 1 << (ScaleBits - 1);
    static readonly int[] CrR = new int[256], CbB = new int[256], CrG = new int[256], CbG = new int[256];

    static JpegColor()
    {
        static int Fix(double x) => (int)(x * (1 << ScaleBits) + 0.5);
        for (var i = 0; i < 256; i++)
        {
            var x = i - 128;
            CrR[i] = (Fix(1.40200) * x + Half) >> ScaleBits;
            CbB[i] = (Fix(1.77200) * x + Half) >> ScaleBits;
            CrG[i] = -Fix(0.71414) * x;
            CbG[i] = -Fix(0.34414) * x + Half;
        }
    }

    public static void YCbCrToRgb(ushort[][] planes, int[] strides, int width, int height)
    {
        for (var yy = 0; yy < height; yy++)
        {
            var py = planes[0].AsSpan(yy * strides[0], width);
            var pcb = planes[1].AsSpan(yy * strides[1], width);
            var pcr = planes[2].AsSpan(yy * strides[2], width);
            for (var x = 0; x < width; x++)
            {
                int y = py[x], cb = pcb[x] & 0xFF, cr = pcr[x] & 0xFF;
                py[x] = (ushort)Math.Clamp(y + CrR[cr], 0, 255);
                var g = (ushort)Math.Clamp(y + ((CbG[cb] + CrG[cr]) >> ScaleBits), 0, 255);
                pcr[x] = (ushort)Math.Clamp(y + CbB[cb], 0, 255);
                pcb[x] = g;
            }
        }
    }
}
