using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.Codecs.JpegLs;
using Mira.Dicom.Codecs.Rle;
using Mira.Dicom.IO;

namespace Mira.Conversion.Photos;

/// <summary>What <see cref="PhotoExport"/> wrote.</summary>
public sealed record PngExportResult(int Width, int Height, int Samples, int BitDepth, string SourcePhotometric);

/// <summary>
/// Writes a single-frame DICOM photograph (or any single-frame grey or colour image) as a PNG: JPEG frames decoded with
/// Mira's JPEG codec, YCbCr converted to RGB as libjpeg does (PS3.3 §C.7.6.3.1.2, YBR_FULL / YBR_FULL_422), JPEG-LS,
/// RLE and native frames as stored. 8-bit samples become an 8-bit PNG, 9 to 16 bits a 16-bit PNG (values unscaled).
/// </summary>
public static class PhotoExport
{
    static readonly CodecRegistry Codecs = new([new JpegCodec(JpegColorOutput.ConvertYbrToRgb), new JpegLsCodec(), new RleCodec()]);

    /// <summary>Reads <paramref name="dicomPath"/> and writes its frame to <paramref name="png"/>; ConversionException names the file and the problem.</summary>
    public static PngExportResult ToPng(string dicomPath, Stream png)
    {
        DicomFile file;
        try
        {
            file = DicomFile.Open(dicomPath);
        }
        catch (MiraException e)
        {
            throw new ConversionException($"{dicomPath}: not a readable DICOM file: {e.Message}", e);
        }
        return ToPng(file, png, dicomPath);
    }

    public static PngExportResult ToPng(DicomFile file, Stream png, string where)
    {
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            var pixels = PixelData.Open(file, Codecs);
            var f = pixels.Format;
            if (f.NumberOfFrames != 1) throw new ConversionException($"{where}: {f.NumberOfFrames} frames; a PNG holds one (export single-frame images)");
            if (f.IsFloat || f.IsSigned) throw new ConversionException($"{where}: {(f.IsFloat ? "float" : "signed")} samples have no PNG form");
            if (f.BitsAllocated is not (8 or 16)) throw new ConversionException($"{where}: Bits Allocated {f.BitsAllocated}; PNG export takes 8 or 16");
            var frame = pixels.DecodeFrame(0, out var decoded);
            var photometric = decoded.PhotometricInterpretation;
            if (photometric is not ("MONOCHROME2" or "RGB"))
                throw new ConversionException($"{where}: Photometric Interpretation {photometric} after decoding; PNG export takes MONOCHROME2 and RGB (and JPEG YBR_FULL / YBR_FULL_422)");
            var samples = decoded.SamplesPerPixel;
            var bytesPerSample = decoded.BytesPerSample;
            var rowBytes = decoded.Columns * samples * bytesPerSample;
            using var writer = new PngWriter(png, decoded.Columns, decoded.Rows, samples, 8 * bytesPerSample);
            var row = new byte[rowBytes];
            var plane = (long)decoded.Rows * decoded.Columns * bytesPerSample;
            for (var y = 0; y < decoded.Rows; y++)
            {
                if (samples > 1 && decoded.PlanarConfiguration == 1)
                {
                    // Colour-by-plane (PS3.3 §C.7.6.3.1.3): gather the row's samples from each plane.
                    for (var x = 0; x < decoded.Columns; x++)
                        for (var c = 0; c < samples; c++)
                            frame.AsSpan((int)(c * plane + ((long)y * decoded.Columns + x) * bytesPerSample), bytesPerSample)
                                .CopyTo(row.AsSpan((x * samples + c) * bytesPerSample));
                    writer.WriteRow(row);
                }
                else writer.WriteRow(frame.AsSpan(y * rowBytes, rowBytes));
            }
            writer.Complete();
            return new PngExportResult(decoded.Columns, decoded.Rows, samples, 8 * bytesPerSample, f.PhotometricInterpretation);
        }
        catch (DicomCodecException e)
        {
            throw new ConversionException($"{where}: {e.Message}", e);
        }
    }
}
