using System.Buffers.Binary;
using Mira.Dicom.Codecs;

namespace Mira.Platform.Deployment.Ood;

/// <summary>Stored values of a decoded greyscale frame, in modality units, counted into a histogram without another copy of the frame.</summary>
static class ModalityValues
{
    /// <summary>
    /// Counts the <paramref name="rows"/> × <paramref name="columns"/> values at (<paramref name="x0"/>, <paramref name="y0"/>)
    /// of a frame (a mosaic tile, or the whole frame): stored values masked to Bits Stored and sign-extended when Pixel
    /// Representation is 1 (PS3.3 §C.7.6.3.1), then slope × value + intercept.
    /// </summary>
    public static void Count(byte[] frame, PixelFormat f, int x0, int y0, int rows, int columns, double slope, double intercept, IntensityHistogram histogram)
    {
        var bytes = f.BytesPerSample;
        if (x0 + columns > f.Columns || y0 + rows > f.Rows)
            throw new OodException($"a plane of {columns}×{rows} at ({x0}, {y0}) does not fit a frame of {f.Columns}×{f.Rows}");
        var bitsStored = f.BitsStored is > 0 and < 64 ? Math.Min(f.BitsStored, f.BitsAllocated) : f.BitsAllocated;
        var mask = bitsStored >= 64 ? ulong.MaxValue : (1UL << bitsStored) - 1;
        var signBit = 1UL << (bitsStored - 1);
        for (var y = 0; y < rows; y++)
        {
            var rowStart = ((long)(y + y0) * f.Columns + x0) * bytes;
            var row = frame.AsSpan(checked((int)rowStart), columns * bytes);
            for (var x = 0; x < columns; x++)
            {
                var s = row.Slice(x * bytes, bytes);
                double v;
                if (f.IsFloat) v = bytes == 4 ? BinaryPrimitives.ReadSingleLittleEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s);
                else
                {
                    ulong raw = bytes switch
                    {
                        1 => s[0],
                        2 => BinaryPrimitives.ReadUInt16LittleEndian(s),
                        4 => BinaryPrimitives.ReadUInt32LittleEndian(s),
                        _ => BinaryPrimitives.ReadUInt64LittleEndian(s),
                    } & mask;
                    v = f.IsSigned && (raw & signBit) != 0 ? (long)(raw | ~mask) : raw;
                }
                histogram.Add(slope * v + intercept);
            }
        }
    }
}
