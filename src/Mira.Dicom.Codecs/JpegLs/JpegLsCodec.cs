using System.Buffers.Binary;

namespace Mira.Dicom.Codecs.JpegLs;

/// <summary>
/// JPEG-LS Lossless (1.2.840.10008.1.2.4.80) and Near-Lossless (1.2.840.10008.1.2.4.81) image compression
/// (PS3.5 §8.2.3, §A.4.3; ITU-T T.87 | ISO/IEC 14495-1), written from the standard.
/// Decoding takes the image characteristics from the JPEG-LS stream (PS3.5 §8.2.3) and checks them against the
/// data set; colour images come out colour-by-pixel (Planar Configuration 0) whatever the interleave mode.
/// Samples are returned as coded: for signed data with Bits Stored &lt; Bits Allocated the bits above Bits Stored
/// are not sign-extended (as pydicom, GDCM and dcmtk return them).
/// Encoding writes NEAR = <see cref="JpegLsOptions.NearLossless"/>, default thresholds unless a preset is given.
/// </summary>
public sealed class JpegLsCodec(JpegLsOptions? options = null) : IPixelCodec
{
    public const string LosslessUid = "1.2.840.10008.1.2.4.80";
    public const string NearLosslessUid = "1.2.840.10008.1.2.4.81";

    public JpegLsOptions Options { get; } = options ?? JpegLsOptions.Default;

    public IReadOnlyList<string> TransferSyntaxUids { get; } = [LosslessUid, NearLosslessUid];

    public bool CanEncode => true;

    /// <summary>The transfer syntax an encoded frame belongs to with these options.</summary>
    public string EncodedTransferSyntaxUid => Options.NearLossless > 0 ? NearLosslessUid : LosslessUid;

    public PixelFormat Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination)
    {
        var info = JpegLsDecoder.ReadFrameInfo(frame);
        if (info.Width != format.Columns || info.Height != format.Rows)
            throw new DicomCodecException($"JPEG-LS: the stream is {info.Width}×{info.Height}, the data set says {format.Columns}×{format.Rows} (at byte offset 0)");
        if (info.Components != format.SamplesPerPixel)
            throw new DicomCodecException($"JPEG-LS: the stream has {info.Components} component(s), the data set says {format.SamplesPerPixel} sample(s) per pixel (at byte offset 0)");
        if (format.BitsAllocated != 8 && format.BitsAllocated != 16)
            throw new DicomCodecException($"JPEG-LS: Bits Allocated {format.BitsAllocated} is not 8 or 16 (at byte offset 0)");
        if (info.BitsPerSample > format.BitsAllocated)
            throw new DicomCodecException($"JPEG-LS: {info.BitsPerSample}-bit samples do not fit Bits Allocated {format.BitsAllocated} (at byte offset 0)");
        var length = checked((int)format.FrameLength);
        if (destination.Length < length)
            throw new ArgumentException($"the destination holds {destination.Length} bytes, a frame needs {length}", nameof(destination));

        var streamBytes = info.BitsPerSample <= 8 ? 1 : 2;
        if (streamBytes == format.BytesPerSample)
            JpegLsDecoder.Decode(frame, destination[..length]);
        else
        {
            // ≤ 8-bit stream into 16-bit samples: decode bytes, then widen.
            var samples = length / 2;
            var tmp = new byte[samples];
            JpegLsDecoder.Decode(frame, tmp);
            for (var i = 0; i < samples; i++) BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], tmp[i]);
        }
        return format.SamplesPerPixel > 1 ? format with { PlanarConfiguration = 0 } : format;
    }

    public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        if (format.BitsAllocated != 8 && format.BitsAllocated != 16)
            throw new DicomCodecException($"JPEG-LS: cannot encode Bits Allocated {format.BitsAllocated} (8 or 16 only)");
        if (format.BitsStored < 2 || format.BitsStored > format.BitsAllocated)
            throw new DicomCodecException($"JPEG-LS: cannot encode Bits Stored {format.BitsStored} (2 to Bits Allocated)");
        if (format.SamplesPerPixel is not (1 or 3))
            throw new DicomCodecException($"JPEG-LS: cannot encode {format.SamplesPerPixel} samples per pixel (1 or 3)");
        if (format.PhotometricInterpretation.StartsWith("YBR_", StringComparison.Ordinal) && format.PhotometricInterpretation != "YBR_FULL")
            throw new DicomCodecException($"JPEG-LS: cannot encode {format.PhotometricInterpretation} (DICOM allows RGB and YBR_FULL for colour)");
        if (format.Rows < 1 || format.Columns < 1)
            throw new DicomCodecException($"JPEG-LS: cannot encode a {format.Columns}×{format.Rows} image");
        var length = checked((int)format.FrameLength);
        if (frame.Length < length)
            throw new DicomCodecException($"JPEG-LS: the frame has {frame.Length} bytes, {length} expected");
        var source = frame[..length];
        byte[]? interleaved = null;
        if (format.SamplesPerPixel > 1 && format.PlanarConfiguration == 1)
        {
            interleaved = new byte[length];
            var bps = format.BytesPerSample;
            var plane = format.Rows * format.Columns;
            for (var c = 0; c < format.SamplesPerPixel; c++)
                for (var i = 0; i < plane; i++)
                    source.Slice((c * plane + i) * bps, bps).CopyTo(interleaved.AsSpan((i * format.SamplesPerPixel + c) * bps, bps));
            source = interleaved;
        }
        try
        {
            return JpegLsEncoder.Encode(source, format.Columns, format.Rows, format.SamplesPerPixel, format.BitsStored, format.BytesPerSample, Options);
        }
        catch (ArgumentException e)
        {
            throw new DicomCodecException("JPEG-LS: " + e.Message, e);
        }
    }
}
