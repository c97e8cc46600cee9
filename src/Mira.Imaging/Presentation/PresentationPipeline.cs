using Mira.Dicom;
using Mira.Dicom.Codecs;

namespace Mira.Imaging.Presentation;

/// <summary>
/// From a decoded frame to display values (PS3.4 §N.2, the grayscale and colour pipelines without a presentation
/// state): grayscale through the Modality LUT (<see cref="ModalityTransform"/>), the VOI LUT
/// (<see cref="VoiTransform"/>) and the polarity (MONOCHROME1, or Presentation Lookup Table Shape INVERSE) to
/// <see cref="RenderedLayout.Gray8"/>; PALETTE COLOR through its palette (<see cref="Palette"/>), and RGB, YBR_FULL,
/// YBR_FULL_422, YBR_PARTIAL_422/420, YBR_ICT and YBR_RCT through the colour equations
/// (<see cref="ColorConversion"/>) to <see cref="RenderedLayout.Rgba32"/>.
/// </summary>
public static class PresentationPipeline
{
    /// <summary>Decodes frame <paramref name="frameIndex"/> (from 0) and renders it.</summary>
    public static RenderedImage Render(PixelData pixels, int frameIndex, RenderOptions? options = null)
    {
        if ((uint)frameIndex >= (uint)pixels.FrameCount)
            throw new ImagingException($"frame {frameIndex + 1} is out of range: the image has {pixels.FrameCount} frame(s)");
        var bytes = pixels.DecodeFrame(frameIndex, out var decoded);
        return Render(pixels.Dataset, decoded, bytes, frameIndex, options);
    }

    /// <summary>
    /// Renders one decoded frame: <paramref name="format"/> is the format the decoder returned (it may name another
    /// photometric interpretation or planar configuration than the data set), <paramref name="dataset"/> gives the
    /// LUTs, windows and palettes.
    /// </summary>
    public static RenderedImage Render(DicomDataset dataset, PixelFormat format, ReadOnlySpan<byte> frame, int frameIndex, RenderOptions? options = null)
    {
        options ??= RenderOptions.Default;
        var photometric = format.PhotometricInterpretation.Trim().ToUpperInvariant();
        return photometric switch
        {
            "MONOCHROME1" or "MONOCHROME2" => Grayscale(dataset, format, frame, frameIndex, options, photometric == "MONOCHROME1"),
            "PALETTE COLOR" => PaletteColor(dataset, format, frame),
            "RGB" or "YBR_FULL" or "YBR_FULL_422" or "YBR_ICT" or "YBR_RCT" or "YBR_PARTIAL_422" or "YBR_PARTIAL_420" => Color(format, frame, photometric),
            _ => throw new ImagingException($"photometric interpretation '{format.PhotometricInterpretation}' cannot be rendered"),
        };
    }

    /// <summary>Whether the display is inverted: Presentation LUT Shape (2050,0020) when present, else MONOCHROME1.</summary>
    public static bool IsInverted(DicomDataset ds, bool monochrome1) =>
        ds.GetString(DicomTags.PresentationLUTShape)?.Trim().ToUpperInvariant() switch
        {
            "INVERSE" => true,
            "IDENTITY" => false,
            _ => monochrome1,
        };

    static RenderedImage Grayscale(DicomDataset ds, PixelFormat f, ReadOnlySpan<byte> frame, int frameIndex, RenderOptions options, bool monochrome1)
    {
        if (f.SamplesPerPixel != 1)
            throw new ImagingException($"{f.PhotometricInterpretation} needs 1 sample per pixel, not {f.SamplesPerPixel}");
        // Values are read from the frame as needed, never copied as numbers: memory is the frame and the output.
        var stored = new StoredValueReader(f, frame);
        var count = stored.Count;
        var modality = ModalityTransform.For(ds, frameIndex, f.IsSigned);
        var inverted = IsInverted(ds, monochrome1);
        var padding = f.IsFloat ? null : ModalityTransform.Number(ds, DicomTags.PixelPaddingValue);
        var output = new byte[count];

        VoiTransform Voi(double min, double max)
        {
            if (options.Window is { } w) return VoiTransform.FromWindow(w);
            var signedInput = f.IsSigned || (modality.Lut is null && modality.Intercept < 0);
            return (options.MinMaxWindow ? null : VoiTransform.FromDataset(ds, frameIndex, signedInput)) ?? VoiTransform.MinMax(min, max);
        }

        byte Display(VoiTransform voi, double modalityValue)
        {
            if (double.IsNaN(modalityValue)) return inverted ? (byte)255 : (byte)0;
            var d = voi.Apply(modalityValue);
            return ColorConversion.Byte((inverted ? 1 - d : d) * 255);
        }

        if (!f.IsFloat && f.BitsStored <= 16)
        {
            // Integer samples of at most 16 bits: one table from stored value to display byte.
            int lo = int.MaxValue, hi = int.MinValue;
            for (var p = 0; p < count; p++) { var i = (int)stored.Get(frame, p); if (i < lo) lo = i; if (i > hi) hi = i; }
            var present = new bool[hi - lo + 1];
            for (var p = 0; p < count; p++) present[(int)stored.Get(frame, p) - lo] = true;
            if (padding is { } pad && pad >= lo && pad <= hi && present.Count(p => p) > 1) present[(int)pad - lo] = false;
            double min = double.MaxValue, max = double.MinValue;
            var mapped = new double[present.Length];
            for (var i = 0; i < present.Length; i++)
            {
                mapped[i] = modality.Apply(lo + i);
                if (!present[i]) continue;
                min = Math.Min(min, mapped[i]);
                max = Math.Max(max, mapped[i]);
            }
            var voi = Voi(min, max);
            var table = new byte[present.Length];
            for (var i = 0; i < table.Length; i++) table[i] = Display(voi, mapped[i]);
            for (var i = 0; i < count; i++) output[i] = table[(int)stored.Get(frame, i) - lo];
        }
        else
        {
            // Two passes over the frame (range, then display) instead of a copy of it as modality values.
            double min = double.MaxValue, max = double.MinValue;
            for (var i = 0; i < count; i++)
            {
                var v = stored.Get(frame, i);
                var m = modality.Apply(v);
                if (!double.IsFinite(m) || v == padding) continue;
                if (m < min) min = m;
                if (m > max) max = m;
            }
            if (min > max) min = max = 0;
            var voi = Voi(min, max);
            for (var i = 0; i < count; i++) output[i] = Display(voi, modality.Apply(stored.Get(frame, i)));
        }
        return new RenderedImage(f.Columns, f.Rows, RenderedLayout.Gray8, output);
    }

    static RenderedImage PaletteColor(DicomDataset ds, PixelFormat f, ReadOnlySpan<byte> frame)
    {
        if (f.SamplesPerPixel != 1) throw new ImagingException($"PALETTE COLOR needs 1 sample per pixel, not {f.SamplesPerPixel}");
        if (f.IsFloat) throw new ImagingException("PALETTE COLOR cannot index with float pixel data");
        var palette = Palette.Read(ds, f.IsSigned);
        var stored = new StoredValueReader(f, frame);
        var output = new byte[stored.Count * 4];
        for (var i = 0; i < stored.Count; i++)
        {
            var (r, g, b) = palette.Lookup(stored.Get(frame, i));
            output[4 * i] = r;
            output[4 * i + 1] = g;
            output[4 * i + 2] = b;
            output[4 * i + 3] = 255;
        }
        return new RenderedImage(f.Columns, f.Rows, RenderedLayout.Rgba32, output);
    }

    static RenderedImage Color(PixelFormat f, ReadOnlySpan<byte> frame, string photometric)
    {
        if (f.SamplesPerPixel != 3) throw new ImagingException($"{photometric} needs 3 samples per pixel, not {f.SamplesPerPixel}");
        if (f.IsFloat) throw new ImagingException($"{photometric} float pixel data cannot be rendered");
        var stored = new StoredValueReader(f, frame);
        var bits = Math.Clamp(f.BitsStored, 1, 32);
        var max = Math.Pow(2, bits) - 1;
        var half = Math.Pow(2, bits - 1);
        var scale = 255 / max;
        var pixels = f.Rows * f.Columns;
        var output = new byte[pixels * 4];
        for (var p = 0; p < pixels; p++)
        {
            double a = stored.Get(frame, p, 0), b = stored.Get(frame, p, 1), c = stored.Get(frame, p, 2);
            (byte R, byte G, byte B) rgb = photometric switch
            {
                "RGB" => (ColorConversion.Byte(a * scale), ColorConversion.Byte(b * scale), ColorConversion.Byte(c * scale)),
                "YBR_RCT" => Scale(ColorConversion.RctToRgb(a, b, c, half), scale),
                "YBR_PARTIAL_422" or "YBR_PARTIAL_420" => ColorConversion.YbrPartialToRgb(a * scale, b * scale, c * scale),
                _ => ColorConversion.YbrFullToRgb(a * scale, b * scale, c * scale),
            };
            output[4 * p] = rgb.R;
            output[4 * p + 1] = rgb.G;
            output[4 * p + 2] = rgb.B;
            output[4 * p + 3] = 255;
        }
        return new RenderedImage(f.Columns, f.Rows, RenderedLayout.Rgba32, output);
    }

    static (byte, byte, byte) Scale((double R, double G, double B) v, double scale) =>
        (ColorConversion.Byte(v.R * scale), ColorConversion.Byte(v.G * scale), ColorConversion.Byte(v.B * scale));
}
