using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Mira.Dicom.Codecs.Jpeg2000;
using static Mira.Dicom.Codecs.OpenJpeg.OpenJpegNative;

namespace Mira.Dicom.Codecs.OpenJpeg;

/// <summary>Which transfer syntaxes an <see cref="OpenJpegCodec"/> instance serves.</summary>
public enum OpenJpegFamily
{
    /// <summary>JPEG 2000 Part 1 and Part 2 (.4.90, .4.91, .4.92, .4.93): decode, and lossless encode.</summary>
    Jpeg2000,

    /// <summary>High-Throughput JPEG 2000 (.4.201, .4.202, .4.203): decode only.</summary>
    Htj2k,
}

/// <summary>
/// JPEG 2000 (PS3.5 §8.2.4, §A.4.4) and HTJ2K (PS3.5 §8.2.15, §A.4.11) through OpenJPEG 2.5 (<c>libopenjp2.so.7</c>,
/// Debian package <c>libopenjp2-7</c>), called by P/Invoke on in-memory streams.
/// </summary>
/// <remarks>
/// <para>Decoding accepts a bare codestream (SOC FF4F, SIZ FF51) or a JP2 file (signature box), which some writers
/// put in Pixel Data although DICOM asks for the codestream alone. The main header is checked here first (see
/// <see cref="J2kHeader"/>), so that OpenJPEG is never handed a nonsensical SIZ or a stream with no tile-part.</para>
/// <para>Output is the frame in Explicit VR Little Endian layout: one byte per sample for Bits Allocated 8, two
/// (little endian) for 16, four for 32; colour by pixel (the returned format has Planar Configuration 0). Samples are
/// written as two's complement truncated to Bits Allocated, so a signed codestream under Pixel Representation 0 keeps
/// its bit pattern; an unsigned codestream under Pixel Representation 1 is sign-extended from its precision (what
/// pydicom 2.3 and pylibjpeg do; GDCM keeps the unsigned values).</para>
/// <para>OpenJPEG applies the inverse multiple-component transform the codestream's COD marker asks for (RCT with the
/// 5-3 wavelet, ICT with the 9-7), so YBR_RCT and YBR_ICT frames decode to RGB and the returned format says "RGB"
/// (PS3.5 §8.2.4: these Photometric Interpretations mean "RGB compressed with that transform"); other Photometric
/// Interpretations are returned unchanged.</para>
/// <para>Encoding (the <see cref="OpenJpegFamily.Jpeg2000"/> family) writes a lossless Part 1 codestream: reversible
/// 5-3 wavelet, one layer, one tile, up to 6 decomposition levels. The RCT is used when the caller's format says
/// YBR_RCT (the attribute the data set must carry for such a codestream); an RGB format is encoded without it so that
/// the data set stays conformant. <see cref="EncodeLossless"/> chooses explicitly.</para>
/// </remarks>
public sealed unsafe class OpenJpegCodec : IPixelCodec
{
    public const string Jpeg2000LosslessUid = "1.2.840.10008.1.2.4.90";
    public const string Jpeg2000Uid = "1.2.840.10008.1.2.4.91";
    public const string Jpeg2000Part2LosslessUid = "1.2.840.10008.1.2.4.92";
    public const string Jpeg2000Part2Uid = "1.2.840.10008.1.2.4.93";
    public const string Htj2kLosslessUid = "1.2.840.10008.1.2.4.201";
    public const string Htj2kLosslessRpclUid = "1.2.840.10008.1.2.4.202";
    public const string Htj2kUid = "1.2.840.10008.1.2.4.203";

    readonly OpenJpegNative native;

    /// <summary>
    /// Loads OpenJPEG; throws <see cref="DicomCodecException"/> naming the Debian package <c>libopenjp2-7</c> when the
    /// library is missing or older than 2.5.
    /// </summary>
    public OpenJpegCodec(OpenJpegFamily family = OpenJpegFamily.Jpeg2000) : this(family, DefaultLibrary) { }

    internal OpenJpegCodec(OpenJpegFamily family, string library)
    {
        native = Load(library);
        Library = library;
        Family = family;
        TransferSyntaxUids = family == OpenJpegFamily.Htj2k
            ? [Htj2kLosslessUid, Htj2kLosslessRpclUid, Htj2kUid]
            : [Jpeg2000LosslessUid, Jpeg2000Uid, Jpeg2000Part2LosslessUid, Jpeg2000Part2Uid];
    }

    public OpenJpegFamily Family { get; }

    /// <summary>The shared library this instance was loaded from (e.g. <c>libopenjp2.so.7</c>).</summary>
    public string Library { get; }

    /// <summary>The loaded library's version, e.g. "2.5.0".</summary>
    public string LibraryVersion => native.Version;

    public IReadOnlyList<string> TransferSyntaxUids { get; }

    /// <summary>True for the JPEG 2000 family (a lossless Part 1 codestream is valid in all four syntaxes); HTJ2K is decode-only.</summary>
    public bool CanEncode => Family == OpenJpegFamily.Jpeg2000;

    /// <summary>
    /// Registers both families with <paramref name="registry"/> (usually <see cref="CodecRegistry.Default"/>). Returns
    /// false, with the reason, when OpenJPEG 2.5 cannot be loaded (the registry then keeps refusing these syntaxes with
    /// its own message). Registering again in the same registry does nothing: <c>mira serve</c> registers in both the CLI
    /// and the server.
    /// </summary>
    public static bool TryRegister(CodecRegistry registry, out string? reason) => TryRegister(registry, DefaultLibrary, out reason);

    static readonly Lock registering = new();

    internal static bool TryRegister(CodecRegistry registry, string library, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(registry);
        try
        {
            lock (registering)
            {
                if (!registry.All.Any(c => c is OpenJpegCodec o && o.Library == library))
                {
                    var j2k = new OpenJpegCodec(OpenJpegFamily.Jpeg2000, library);
                    var ht = new OpenJpegCodec(OpenJpegFamily.Htj2k, library);
                    registry.Register(ht);
                    registry.Register(j2k);
                }
            }
            reason = null;
            return true;
        }
        catch (DicomCodecException e)
        {
            reason = e.Message;
            return false;
        }
    }

    public PixelFormat Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination)
    {
        var name = Family == OpenJpegFamily.Htj2k ? "HTJ2K" : "JPEG 2000";
        if (destination.Length < format.FrameLength)
            throw new ArgumentException($"destination holds {destination.Length} bytes, the frame needs {format.FrameLength}", nameof(destination));
        if (format.BitsAllocated is not (8 or 16 or 32))
            throw new DicomCodecException($"{name}: Bits Allocated {format.BitsAllocated} is not supported (8, 16 or 32)");
        var header = J2kHeader.Parse(frame);
        Check(header, format, name);

        var log = new OpenJpegStreams.MessageLog();
        var logHandle = GCHandle.Alloc(log);
        var parameters = NativeMemory.AllocZeroed(DParametersSize);
        nint codec = 0, stream = 0;
        Image* image = null;
        try
        {
            fixed (byte* data = frame)
            {
                var source = new OpenJpegStreams.Source { Data = data, Length = frame.Length, Position = 0 };
                codec = native.opj_create_decompress(header.IsJp2 ? CodecJp2 : CodecJ2k);
                if (codec == 0) throw new DicomCodecException($"{name}: opj_create_decompress failed");
                native.opj_set_error_handler(codec, &OpenJpegStreams.OnError, (void*)GCHandle.ToIntPtr(logHandle));
                native.opj_set_warning_handler(codec, &OpenJpegStreams.OnWarning, (void*)GCHandle.ToIntPtr(logHandle));
                native.opj_set_default_decoder_parameters(parameters);
                if (native.opj_setup_decoder(codec, parameters) == 0)
                    throw new DicomCodecException($"{name}: opj_setup_decoder failed. {log.Describe("")}");
                native.opj_decoder_set_strict_mode(codec, 1); // a truncated codestream is an error, not a partial image

                stream = native.opj_stream_create((nuint)Math.Clamp(frame.Length, 4096, 1 << 20), 1);
                if (stream == 0) throw new DicomCodecException($"{name}: opj_stream_create failed");
                native.opj_stream_set_read_function(stream, &OpenJpegStreams.Read);
                native.opj_stream_set_skip_function(stream, &OpenJpegStreams.SkipInput);
                native.opj_stream_set_seek_function(stream, &OpenJpegStreams.SeekInput);
                native.opj_stream_set_user_data(stream, &source, null);
                native.opj_stream_set_user_data_length(stream, (ulong)frame.Length);

                if (native.opj_read_header(stream, codec, &image) == 0 || image == null)
                    throw new DicomCodecException($"{name}: cannot read the codestream's main header. {log.Describe("(no message)")}");
                if (native.opj_decode(codec, stream, image) == 0)
                    throw new DicomCodecException($"{name}: decoding failed. {log.Describe("(no message)")}");
                if (native.opj_end_decompress(codec, stream) == 0)
                    throw new DicomCodecException($"{name}: the codestream does not end properly. {log.Describe("(no message)")}");
            }
            CopyOut(image, header, format, destination, name);
        }
        finally
        {
            if (image != null) native.opj_image_destroy(image);
            if (stream != 0) native.opj_stream_destroy(stream);
            if (codec != 0) native.opj_destroy_codec(codec);
            NativeMemory.Free(parameters);
            logHandle.Free();
        }
        var rgb = header.MultipleComponentTransform && format.SamplesPerPixel == 3
                  && format.PhotometricInterpretation is "YBR_RCT" or "YBR_ICT";
        return format with
        {
            PlanarConfiguration = 0,
            PhotometricInterpretation = rgb ? "RGB" : format.PhotometricInterpretation,
        };
    }

    /// <summary>The codestream must describe the frame the data set describes.</summary>
    static void Check(J2kHeader h, PixelFormat f, string name)
    {
        if (h.Width != f.Columns || h.Height != f.Rows)
            throw new DicomCodecException($"{name}: the codestream is {h.Width}×{h.Height}, the data set says {f.Columns} columns × {f.Rows} rows");
        if (h.Components.Count != f.SamplesPerPixel)
            throw new DicomCodecException($"{name}: the codestream has {h.Components.Count} component(s), the data set says {f.SamplesPerPixel} sample(s) per pixel");
        for (var i = 0; i < h.Components.Count; i++)
        {
            var c = h.Components[i];
            if (c.XRsiz != 1 || c.YRsiz != 1)
                throw new DicomCodecException($"{name}: component {i} is subsampled {c.XRsiz}×{c.YRsiz}; DICOM frames have full-resolution samples");
            if (c.Precision > f.BitsAllocated)
                throw new DicomCodecException($"{name}: component {i} has {c.Precision}-bit samples, more than Bits Allocated {f.BitsAllocated}");
            if (c.Precision > 31)
                throw new DicomCodecException($"{name}: component {i} has {c.Precision}-bit samples; OpenJPEG decodes at most 31 bits");
        }
    }

    static void CopyOut(Image* image, J2kHeader h, PixelFormat f, Span<byte> destination, string name)
    {
        var samples = f.SamplesPerPixel;
        if (image->NumComps != samples)
            throw new DicomCodecException($"{name}: OpenJPEG produced {image->NumComps} component(s), {samples} expected");
        var pixels = f.Rows * f.Columns;
        for (var c = 0; c < samples; c++)
        {
            var comp = image->Comps[c];
            if (comp.W != f.Columns || comp.H != f.Rows || comp.Dx != 1 || comp.Dy != 1 || comp.Data == null)
                throw new DicomCodecException($"{name}: OpenJPEG produced component {c} of {comp.W}×{comp.H} (subsampling {comp.Dx}×{comp.Dy}), {f.Columns}×{f.Rows} expected");
            var values = new ReadOnlySpan<int>(comp.Data, pixels);
            // Unsigned codestream, signed data set: sign-extend from the codestream precision (pydicom's correction).
            var shift = comp.Sgnd == 0 && f.IsSigned && comp.Prec is > 0 and < 32 ? 32 - (int)comp.Prec : 0;
            switch (f.BitsAllocated)
            {
                case 8:
                    for (int p = 0, o = c; p < pixels; p++, o += samples)
                        destination[o] = (byte)(values[p] << shift >> shift);
                    break;
                case 16:
                    {
                        var dest = MemoryMarshal.Cast<byte, ushort>(destination[..(pixels * samples * 2)]);
                        for (int p = 0, o = c; p < pixels; p++, o += samples)
                            dest[o] = (ushort)(values[p] << shift >> shift);
                        if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(dest, dest);
                        break;
                    }
                default:
                    {
                        var dest = MemoryMarshal.Cast<byte, int>(destination[..(pixels * samples * 4)]);
                        for (int p = 0, o = c; p < pixels; p++, o += samples)
                            dest[o] = values[p] << shift >> shift;
                        if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(dest, dest);
                        break;
                    }
            }
        }
    }

    /// <summary>
    /// Encodes a native frame as a lossless JPEG 2000 codestream (.4.90); with the RCT when the format says YBR_RCT
    /// (the frame then holds RGB samples, as a decoded YBR_RCT frame does). See <see cref="EncodeLossless"/>.
    /// </summary>
    public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        if (!CanEncode) throw new NotSupportedException("OpenJPEG 2.5 has no HTJ2K encoder; HTJ2K is decoded only");
        return EncodeLossless(frame, format, format.SamplesPerPixel == 3 && format.PhotometricInterpretation == "YBR_RCT", out _);
    }

    /// <summary>
    /// Encodes a native frame (Bits Allocated 8 or 16, 1 or 3 samples, either Planar Configuration) as a lossless
    /// JPEG 2000 Part 1 codestream: reversible 5-3 wavelet, one quality layer, one tile, min(6, log2(size)) levels.
    /// With <paramref name="colourTransform"/> and 3 samples the reversible colour transform (RCT) is applied and
    /// <paramref name="encoded"/> says YBR_RCT, the Photometric Interpretation the data set must then carry
    /// (PS3.5 §8.2.4); otherwise it is the input format. Samples are coded with Bits Stored bits, or with Bits
    /// Allocated bits when some stored value uses bits above High Bit, so that the round trip is exact.
    /// </summary>
    public byte[] EncodeLossless(ReadOnlySpan<byte> frame, PixelFormat format, bool colourTransform, out PixelFormat encoded)
    {
        var f = format;
        if (f.IsFloat || f.BitsAllocated is not (8 or 16))
            throw new DicomCodecException($"JPEG 2000 encode: Bits Allocated {f.BitsAllocated} is not supported (8 or 16)");
        if (f.SamplesPerPixel is not (1 or 3))
            throw new DicomCodecException($"JPEG 2000 encode: {f.SamplesPerPixel} samples per pixel is not supported (1 or 3)");
        if (f.BitsStored < 1 || f.BitsStored > f.BitsAllocated)
            throw new DicomCodecException($"JPEG 2000 encode: Bits Stored {f.BitsStored} with Bits Allocated {f.BitsAllocated}");
        if (frame.Length < f.FrameLength)
            throw new ArgumentException($"frame holds {frame.Length} bytes, {f.FrameLength} expected", nameof(frame));
        var samples = f.SamplesPerPixel;
        var pixels = f.Rows * f.Columns;
        var mct = colourTransform && samples == 3;
        var precision = FitsBitsStored(frame, f) ? f.BitsStored : f.BitsAllocated;

        var log = new OpenJpegStreams.MessageLog();
        var logHandle = GCHandle.Alloc(log);
        var sink = new OpenJpegStreams.Sink((int)Math.Min(f.FrameLength / 2 + 1024, 1 << 24));
        var sinkHandle = GCHandle.Alloc(sink);
        var parameters = (byte*)NativeMemory.AllocZeroed(CParametersSize);
        nint codec = 0, stream = 0;
        Image* image = null;
        try
        {
            var parms = stackalloc ImageCompParm[samples];
            for (var c = 0; c < samples; c++)
                parms[c] = new ImageCompParm
                {
                    Dx = 1, Dy = 1, W = (uint)f.Columns, H = (uint)f.Rows,
                    Prec = (uint)precision, Bpp = (uint)precision, Sgnd = (uint)f.PixelRepresentation,
                };
            image = native.opj_image_create((uint)samples, parms, samples == 3 ? ClrspcSrgb : ClrspcGray);
            if (image == null) throw new DicomCodecException("JPEG 2000 encode: opj_image_create failed (out of memory?)");
            image->X0 = 0;
            image->Y0 = 0;
            image->X1 = (uint)f.Columns;
            image->Y1 = (uint)f.Rows;
            for (var c = 0; c < samples; c++)
                FillComponent(frame, f, c, precision, new Span<int>(image->Comps[c].Data, pixels));

            native.opj_set_default_encoder_parameters(parameters);
            *(int*)(parameters + CParams.TcpNumLayers) = 1;
            *(float*)(parameters + CParams.TcpRates) = 0; // rate 0: lossless, every bit plane
            *(int*)(parameters + CParams.CpDistoAlloc) = 1;
            *(int*)(parameters + CParams.Irreversible) = 0;
            *(int*)(parameters + CParams.NumResolution) = Resolutions(f.Columns, f.Rows);
            parameters[CParams.TcpMct] = (byte)(mct ? 1 : 0);

            codec = native.opj_create_compress(CodecJ2k);
            if (codec == 0) throw new DicomCodecException("JPEG 2000 encode: opj_create_compress failed");
            native.opj_set_error_handler(codec, &OpenJpegStreams.OnError, (void*)GCHandle.ToIntPtr(logHandle));
            native.opj_set_warning_handler(codec, &OpenJpegStreams.OnWarning, (void*)GCHandle.ToIntPtr(logHandle));
            if (native.opj_setup_encoder(codec, parameters, image) == 0)
                throw new DicomCodecException($"JPEG 2000 encode: opj_setup_encoder failed. {log.Describe("(no message)")}");

            stream = native.opj_stream_create(1 << 20, 0);
            if (stream == 0) throw new DicomCodecException("JPEG 2000 encode: opj_stream_create failed");
            native.opj_stream_set_write_function(stream, &OpenJpegStreams.Write);
            native.opj_stream_set_skip_function(stream, &OpenJpegStreams.SkipOutput);
            native.opj_stream_set_seek_function(stream, &OpenJpegStreams.SeekOutput);
            native.opj_stream_set_user_data(stream, (void*)GCHandle.ToIntPtr(sinkHandle), null);

            if (native.opj_start_compress(codec, image, stream) == 0
                || native.opj_encode(codec, stream) == 0
                || native.opj_end_compress(codec, stream) == 0)
                throw new DicomCodecException($"JPEG 2000 encode failed. {log.Describe("(no message)")}");
        }
        finally
        {
            if (stream != 0) native.opj_stream_destroy(stream); // flushes nothing more: opj_end_compress already did
            if (codec != 0) native.opj_destroy_codec(codec);
            if (image != null) native.opj_image_destroy(image);
            NativeMemory.Free(parameters);
            sinkHandle.Free();
            logHandle.Free();
        }
        encoded = mct ? f with { PhotometricInterpretation = "YBR_RCT", PlanarConfiguration = 0 } : f;
        return sink.ToArray();
    }

    /// <summary>Decomposition levels + 1: at most 6, and no more than the smaller side allows (each level halves it).</summary>
    internal static int Resolutions(int width, int height)
    {
        var side = Math.Min(width, height);
        var levels = 0;
        while (levels < 5 && side >> (levels + 1) >= 1) levels++;
        return levels + 1;
    }

    /// <summary>True when every stored sample is representable with Bits Stored bits (nothing set above High Bit).</summary>
    static bool FitsBitsStored(ReadOnlySpan<byte> frame, PixelFormat f)
    {
        if (f.BitsStored == f.BitsAllocated) return true;
        var count = (int)(f.FrameLength / f.BytesPerSample);
        var bits = f.BitsStored;
        for (var i = 0; i < count; i++)
        {
            int raw = f.BitsAllocated == 8 ? frame[i] : BinaryPrimitives.ReadUInt16LittleEndian(frame[(2 * i)..]);
            if (f.IsSigned)
            {
                var full = f.BitsAllocated == 8 ? (sbyte)raw : (short)raw;
                var extended = raw << (32 - bits) >> (32 - bits);
                if (full != extended) return false;
            }
            else if (raw >> bits != 0) return false;
        }
        return true;
    }

    /// <summary>Sample <paramref name="c"/> of every pixel as the int OpenJPEG codes (signed values sign-extended from <paramref name="precision"/>).</summary>
    static void FillComponent(ReadOnlySpan<byte> frame, PixelFormat f, int c, int precision, Span<int> dest)
    {
        var samples = f.SamplesPerPixel;
        var planar = f.PlanarConfiguration == 1 && samples > 1;
        var shift = 32 - precision;
        var signed = f.IsSigned;
        for (var p = 0; p < dest.Length; p++)
        {
            var index = planar ? c * dest.Length + p : p * samples + c;
            int raw = f.BitsAllocated == 8 ? frame[index] : BinaryPrimitives.ReadUInt16LittleEndian(frame[(2 * index)..]);
            dest[p] = signed ? raw << shift >> shift : raw;
        }
    }
}
