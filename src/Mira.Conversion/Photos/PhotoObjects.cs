using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.Codecs.JpegLs;

namespace Mira.Conversion.Photos;

/// <summary>
/// Builds the DICOM object of one photograph: a JPEG kept byte for byte as its one encapsulated frame, or native
/// pixels (from a PNG or a TIFF) compressed losslessly with JPEG-LS (1.2.840.10008.1.2.4.80), which the OHIF viewer's
/// cornerstone decoder reads. Ophthalmic Photography (8 or 16 bit) or VL Photographic by <see cref="ConversionRequest.PhotoKind"/>.
/// </summary>
public static class PhotoObjects
{
    /// <summary>
    /// The object of a photograph given as native pixels: <paramref name="rows"/> × <paramref name="columns"/> pixels of
    /// <paramref name="samples"/> (1 grey, 3 RGB) interleaved samples of <paramref name="bitsPerSample"/> (8, or 16 little
    /// endian). <paramref name="where"/> names the source in messages; <paramref name="sourceSha256"/> (hex) and the
    /// request's subject derive the UIDs; <paramref name="sourceFormat"/> ("PNG", "TIFF") goes into the description.
    /// </summary>
    public static ConvertedInstance FromNative(ReadOnlyMemory<byte> pixels, int rows, int columns, int samples, int bitsPerSample,
        string where, string sourceSha256, string sourceFormat, ConversionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (rows is < 1 or > ushort.MaxValue || columns is < 1 or > ushort.MaxValue)
            throw new ConversionException($"{where}: the image is {columns} x {rows}; a DICOM frame has 1 to 65535 rows and columns");
        if (samples is not (1 or 3)) throw new ConversionException($"{where}: {samples} samples per pixel; photographs have 1 (grey) or 3 (RGB)");
        if (bitsPerSample is not (8 or 16)) throw new ConversionException($"{where}: {bitsPerSample}-bit samples; photographs have 8 or 16");
        var length = (long)rows * columns * samples * (bitsPerSample / 8);
        if (pixels.Length != length) throw new ConversionException($"{where}: {pixels.Length} bytes of pixels, a {columns} x {rows} image of {samples} x {bitsPerSample}-bit samples has {length}");
        var image = new PhotoPixels(rows, columns, samples, bitsPerSample, samples == 1 ? "MONOCHROME2" : "RGB", null, sourceFormat);
        var header = PhotoHeader.Build(image, where, sourceSha256, request);
        var format = PixelFormat.From(header);
        var codec = new JpegLsCodec();
        var syntax = TransferSyntax.Lookup(JpegLsCodec.LosslessUid);
        return new ConvertedInstance(header, syntax, new EncapsulatedFrames(1, Encode(codec, pixels, format)),
            $"{columns} x {rows} {sourceFormat} photograph, {samples} x {bitsPerSample}-bit samples, JPEG-LS lossless");
    }

    static IEnumerable<ReadOnlyMemory<byte>> Encode(JpegLsCodec codec, ReadOnlyMemory<byte> pixels, PixelFormat format)
    {
        yield return codec.Encode(pixels.Span, format);
    }

    /// <summary>
    /// The object of a JPEG photograph, its bytes kept as they are as the one encapsulated frame (PS3.5 §8.2.1):
    /// JPEG Baseline (1.2.840.10008.1.2.4.50) for SOF0, Extended (…4.51) for 8-bit SOF1; progressive, arithmetic,
    /// lossless, hierarchical and 12-bit JPEGs are refused.
    /// </summary>
    public static ConvertedInstance FromJpeg(ReadOnlyMemory<byte> jpeg, string where, string sourceSha256, ConversionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var info = JpegPhotoInfo.Read(jpeg.Span, where);
        var photometric = info.Photometric(where);
        var samples = info.Components.Count;
        var ratio = (double)info.Width * info.Height * samples / jpeg.Length;
        var image = new PhotoPixels(info.Height, info.Width, samples, 8, photometric, ratio, "JPEG");
        var header = PhotoHeader.Build(image, where, sourceSha256, request);
        var syntax = TransferSyntax.Lookup(info.SofMarker == 0xC0 ? "1.2.840.10008.1.2.4.50" : "1.2.840.10008.1.2.4.51");
        return new ConvertedInstance(header, syntax, new EncapsulatedFrames(1, [jpeg]),
            $"{info.Width} x {info.Height} JPEG photograph ({photometric}), its bytes kept as the frame");
    }
}
