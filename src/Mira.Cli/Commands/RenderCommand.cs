using System.CommandLine;
using System.Globalization;
using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Imaging.Presentation;
using Mira.Imaging.Rendering;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira render FILE [--frame N] [--window C,W[,FUNCTION]] [--format png|jpeg] [--quality Q] [--size WxH] --out PATH</c>:
/// renders one frame (from 1) of a DICOM image through the presentation pipeline (<see cref="PresentationPipeline"/>:
/// Modality LUT, the data set's first window or VOI LUT unless <c>--window</c> is given, polarity, palette and YBR to
/// RGB), optionally scaled to fit <c>--size</c> (aspect ratio kept), and writes it as PNG or JPEG. The format is
/// <c>--format</c>, else the output's extension (.jpg/.jpeg → JPEG), else PNG. Errors are <c>path: reason</c> on stderr
/// with exit code 1.
/// </summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "DICOM image" };
        var frame = new Option<int>("--frame") { Description = "frame number, from 1", DefaultValueFactory = _ => 1 };
        var window = new Option<string?>("--window") { Description = "window center,width[,function] (function: linear, linear-exact, sigmoid) instead of the file's" };
        var format = new Option<string?>("--format") { Description = "png or jpeg (default: from the --out extension, else png)" };
        var quality = new Option<int>("--quality") { Description = "JPEG quality, 1 to 100", DefaultValueFactory = _ => ImageEncoder.DefaultJpegQuality };
        var size = new Option<string?>("--size") { Description = "fit into WxH pixels, keeping the aspect ratio (e.g. 256x256)" };
        var output = new Option<string>("--out", "-o") { Description = "output image file", Required = true };
        var cmd = new Command("render", "Render a frame of a DICOM image to PNG or JPEG (windowed, palette/YBR converted)")
        {
            file, frame, window, format, quality, size, output,
        };
        cmd.SetAction(r => Run(r.GetValue(file)!, r.GetValue(frame), r.GetValue(window), r.GetValue(format), r.GetValue(quality), r.GetValue(size), r.GetValue(output)!));
        return cmd;
    }

    static int Fail(string path, string reason)
    {
        Console.Error.WriteLine($"{path}: {reason}");
        return 1;
    }

    static int Run(string path, int frame, string? windowText, string? formatText, int quality, string? sizeText, string output)
    {
        VoiWindow? window = null;
        if (windowText is not null && (window = VoiWindow.Parse(windowText, out var windowError)) is null) return Fail(path, windowError!);
        RenderedFormat format;
        var named = formatText ?? Path.GetExtension(output).TrimStart('.');
        switch (named.ToLowerInvariant())
        {
            case "jpeg" or "jpg": format = RenderedFormat.Jpeg; break;
            case "png": format = RenderedFormat.Png; break;
            default:
                if (formatText is not null) return Fail(path, $"--format {formatText}: expected png or jpeg");
                format = RenderedFormat.Png;
                break;
        }
        if (quality is < 1 or > 100) return Fail(path, $"--quality {quality}: expected 1 to 100");
        (int W, int H)? size = null;
        if (sizeText is not null)
        {
            if (ParseSize(sizeText) is not { } s) return Fail(path, $"--size {sizeText}: expected WxH with positive integers, e.g. 256x256");
            size = s;
        }
        if (frame < 1) return Fail(path, $"--frame {frame}: frames are numbered from 1");
        try
        {
            if (!File.Exists(path)) return Fail(path, "no such file");
            var dicom = DicomFile.Open(path);
            if (dicom.IsTruncated) return Fail(path, "truncated: " + dicom.Warnings.FirstOrDefault(w => w.Code == DicomReadProblemCode.Truncated));
            var pixels = PixelData.Open(dicom);
            if (frame > pixels.FrameCount) return Fail(path, $"frame {frame} is out of range: the image has {pixels.FrameCount} frame(s)");
            var image = PresentationPipeline.Render(pixels, frame - 1, new RenderOptions { Window = window });
            if (size is { } fit) image = ImageEncoder.Fit(image, fit.W, fit.H);
            File.WriteAllBytes(output, ImageEncoder.Encode(image, format, quality));
            return 0;
        }
        catch (MiraException e) { return Fail(path, e.Message); }
        catch (IOException e) { return Fail(path, e.Message); }
        catch (UnauthorizedAccessException e) { return Fail(path, e.Message); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or OverflowException or FormatException or InvalidDataException or IndexOutOfRangeException)
        {
            return Fail(path, $"cannot render: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary><c>WxH</c> (also <c>W,H</c>) with positive integers.</summary>
    public static (int W, int H)? ParseSize(string text)
    {
        var parts = text.Split('x', 'X', ',');
        return parts.Length == 2
               && int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w > 0
               && int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h > 0
            ? (w, h) : null;
    }
}
