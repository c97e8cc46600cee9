using Mira.Conversion.Tiff;

namespace Mira.Conversion.Slides;

/// <summary>
/// Converts a whole-slide TIFF (Aperio SVS or a generic tiled or pyramidal TIFF, classic or BigTIFF) into VL Whole
/// Slide Microscopy Image objects (PS3.3 §A.32.8): one per pyramid level, and one per label and overview image, all
/// in one series and one frame of reference. JPEG and JPEG 2000 tiles are copied as they are; other tiles and strips
/// are decoded and stored JPEG-LS lossless, the one lossless syntax the OHIF microscopy viewer decodes besides native.
/// Frames are read from the file tile by tile when the object is written.
/// </summary>
public sealed class SlideConverter : IImageConverter
{
    public string Name => "whole-slide image";

    public bool Recognises(ReadOnlySpan<byte> head, string path)
    {
        if (!TiffFile.HasTiffSignature(head)) return false;
        try
        {
            using var file = TiffFile.Open(path, ConversionLimits.Default);
            return SlideLayout.Of(file).IsSlide;
        }
        catch (Exception e) when (e is ConversionException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public IEnumerable<ConvertedInstance> Convert(string path, ConversionRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = Path.GetFileName(path);
        var plans = new List<(SlideImage Image, SlidePixelPlan Plan)>();
        SlideLayout layout;
        using (var file = TiffFile.Open(path, request.Limits))
        {
            layout = SlideLayout.Of(file);
            foreach (var image in layout.Images)
            {
                var plan = SlidePixelPlan.For(file, image.Directory, request.Limits);
                var frames = plan.FrameCount(image.Directory);
                if (frames > request.Limits.MaxFrames)
                    throw file.Fail($"directory {image.Directory.Index + 1}: {frames} frames, more than the limit of {request.Limits.MaxFrames}");
                if ((long)plan.FrameColumns * plan.FrameRows * plan.Samples * plan.BitsAllocated / 8 > request.Limits.MaxFrameBytes)
                    throw file.Fail($"directory {image.Directory.Index + 1}: a {plan.FrameColumns} x {plan.FrameRows} tile is over the frame limit of {request.Limits.MaxFrameBytes} bytes");
                plans.Add((image, plan));
            }
        }
        var uids = new ConversionUids(ConversionUids.HashFile(path), request.Subject);
        var context = new SlideHeader.Context(name, File.GetLastWriteTimeUtc(path), request, uids, layout);
        return Instances(path, context, plans, request.Limits, ct);
    }

    static IEnumerable<ConvertedInstance> Instances(string path, SlideHeader.Context context, List<(SlideImage Image, SlidePixelPlan Plan)> plans, ConversionLimits limits, CancellationToken ct)
    {
        var number = 0;
        foreach (var (image, plan) in plans)
        {
            ct.ThrowIfCancellationRequested();
            number++;
            var header = SlideHeader.Build(context, image, plan, number);
            var dir = image.Directory;
            var count = (int)plan.FrameCount(dir);
            var payload = new EncapsulatedFrames(count, SlideFrames.Enumerate(path, dir, plan, limits, ct));
            var what = image.Kind == SlideImageKind.Volume ? $"level {image.Level}" : image.Kind.ToString().ToLowerInvariant();
            var how = plan.Mode switch
            {
                SlidePixelMode.CopyJpeg => "JPEG copied",
                SlidePixelMode.CopyJpeg2000 => "JPEG 2000 copied",
                _ => "decoded and stored JPEG-LS lossless",
            };
            yield return new ConvertedInstance(header, plan.Syntax, payload, $"{what}, {dir.Width} x {dir.Height}, {count} tiles of {plan.FrameColumns} x {plan.FrameRows}, {how}");
        }
    }
}
