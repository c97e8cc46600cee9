using System.Buffers.Binary;

namespace Mira.Dicom.Codecs.Jpeg;

/// <summary>What the decoder does with the colour components of a YBR_FULL / YBR_FULL_422 frame.</summary>
public enum JpegColorOutput
{
    /// <summary>
    /// Components as coded (YCbCr stays YCbCr, upsampled to full size; result YBR_FULL). This is what pydicom's
    /// pixel_array and GDCM return, the reference the corpus oracle records.
    /// </summary>
    AsStored,

    /// <summary>8-bit YCbCr converted to RGB with libjpeg's integer tables (result RGB), as dcmtk's dcmdjpeg does by default.</summary>
    ConvertYbrToRgb,
}

/// <summary>
/// JPEG codec for DICOM (PS3.5 §8.2.1, §A.4.1): decodes Baseline (1.2.840.10008.1.2.4.50), Extended
/// (…4.51, 8 and 12 bits) and Lossless Process 14 (…4.57, any predictor; …4.70, first-order predictor) frames,
/// Huffman coded, with any integral sampling factors and restart intervals. Encodes Lossless Process 14
/// selection value 1 (…4.70), which is also valid for …4.57 — not for the lossy syntaxes.
/// Samples of more than 8 bits are written as 16-bit little endian; signed data keep the bits of the JPEG samples.
/// </summary>
public sealed class JpegCodec(JpegColorOutput colorOutput = JpegColorOutput.AsStored) : IPixelCodec
{
    public const string Baseline = "1.2.840.10008.1.2.4.50";
    public const string Extended = "1.2.840.10008.1.2.4.51";
    public const string Lossless = "1.2.840.10008.1.2.4.57";
    public const string LosslessSV1 = "1.2.840.10008.1.2.4.70";

    public IReadOnlyList<string> TransferSyntaxUids { get; } = [Baseline, Extended, Lossless, LosslessSV1];

    public bool CanEncode => true;

    /// <summary>The encoder writes lossless process 14 (first-order prediction): valid for .57 and .70, not the lossy syntaxes.</summary>
    public bool CanEncodeTo(string transferSyntaxUid) => transferSyntaxUid is Lossless or LosslessSV1;

    public JpegColorOutput ColorOutput => colorOutput;

    public PixelFormat Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination)
    {
        var dec = new JpegDecoder(format.Columns, format.Rows, format.SamplesPerPixel);
        dec.Decode(frame);
        if (dec.FrameType < 0) throw JpegDecoder.Fail("no frame header (SOF) before the end of the image", frame.Length);
        var comps = dec.Components;
        foreach (var c in comps)
            if (!c.Decoded) throw JpegDecoder.Fail($"component {c.Id} is not in any scan", frame.Length);
        if (dec.Width != format.Columns || dec.Height != format.Rows)
            throw JpegDecoder.Fail($"the JPEG image is {dec.Width}x{dec.Height}, the data set says {format.Columns}x{format.Rows}", 0);
        if (comps.Length != format.SamplesPerPixel)
            throw JpegDecoder.Fail($"the JPEG image has {comps.Length} components, the data set {format.SamplesPerPixel} samples per pixel", 0);
        var bytesPerSample = format.BitsAllocated switch
        {
            8 when dec.Precision <= 8 => 1,
            16 => 2,
            _ => throw JpegDecoder.Fail($"{dec.Precision}-bit JPEG samples do not fit Bits Allocated {format.BitsAllocated}", 0),
        };
        if (destination.Length < format.FrameLength)
            throw new ArgumentException($"destination holds {destination.Length} bytes, the frame needs {format.FrameLength}", nameof(destination));

        int width = dec.Width, height = dec.Height, n = comps.Length;
        var planes = new ushort[n][];
        var strides = new int[n];
        for (var i = 0; i < n; i++) planes[i] = JpegUpsampler.ToFullSize(comps[i], dec.MaxH, dec.MaxV, width, height, out strides[i]);

        var photometric = format.PhotometricInterpretation;
        var isYbr = photometric is "YBR_FULL" or "YBR_FULL_422";
        if (isYbr && n == 3)
        {
            if (colorOutput == JpegColorOutput.ConvertYbrToRgb && dec.Precision == 8)
            {
                JpegColor.YCbCrToRgb(planes, strides, width, height);
                photometric = "RGB";
            }
            else photometric = "YBR_FULL";
        }

        for (var y = 0; y < height; y++)
        {
            for (var ci = 0; ci < n; ci++)
            {
                var src = planes[ci].AsSpan(y * strides[ci], width);
                if (bytesPerSample == 1)
                {
                    var d = destination.Slice(y * width * n, width * n);
                    for (int x = 0, o = ci; x < src.Length; x++, o += n) d[o] = (byte)src[x];
                }
                else
                {
                    var d = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(destination.Slice(2 * y * width * n, 2 * width * n));
                    for (int x = 0, o = ci; x < src.Length; x++, o += n) d[o] = BitConverter.IsLittleEndian ? src[x] : BinaryPrimitives.ReverseEndianness(src[x]);
                }
            }
        }
        return format with { PlanarConfiguration = 0, PhotometricInterpretation = photometric };
    }

    public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format) => JpegLosslessEncoder.Encode(frame, format, predictor: 1);
}
