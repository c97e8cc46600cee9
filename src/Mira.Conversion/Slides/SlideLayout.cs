using System.Globalization;
using Mira.Conversion.Tiff;

namespace Mira.Conversion.Slides;

/// <summary>What one directory of a slide is.</summary>
public enum SlideImageKind { Volume, Label, Overview }

/// <summary>One image of a slide that becomes one DICOM object.</summary>
public sealed record SlideImage(TiffDirectory Directory, SlideImageKind Kind, int Level);

/// <summary>
/// The images of a slide TIFF: the pyramid (the first directory and the tiled, reduced-resolution directories with
/// its aspect ratio, largest first), and the associated label and overview ("macro") images, found by their
/// description as Aperio writes them (the SVS thumbnail, the second directory, is left out: it is neither). Also
/// what the Aperio description says: magnification ("AppMag") and microns per pixel ("MPP").
/// </summary>
public sealed class SlideLayout
{
    /// <summary>Larger than this on a side, a single-image TIFF is a slide, not a photograph.</summary>
    public const int PhotographMaxSide = 8192;

    SlideLayout(IReadOnlyList<SlideImage> images, bool aperio, double? mpp, double? magnification)
        => (Images, IsAperio, MicronsPerPixel, Magnification) = (images, aperio, mpp, magnification);

    public IReadOnlyList<SlideImage> Images { get; }
    public IEnumerable<SlideImage> Levels => Images.Where(i => i.Kind == SlideImageKind.Volume);
    public SlideImage Base => Images[0];
    public bool IsAperio { get; }
    public double? MicronsPerPixel { get; }
    public double? Magnification { get; }

    /// <summary>True when the file is a slide rather than a photograph: SVS, tiled, a pyramid, or over 8192 pixels on a side.</summary>
    public bool IsSlide
    {
        get
        {
            var b = Base.Directory;
            return IsAperio || b.IsTiled || Levels.Count() > 1 || b.Width > PhotographMaxSide || b.Height > PhotographMaxSide;
        }
    }

    public static SlideLayout Of(TiffFile file)
    {
        var dirs = file.Directories;
        var first = dirs[0];
        var aperio = first.Description.StartsWith("Aperio", StringComparison.Ordinal);
        var images = new List<SlideImage> { new(first, SlideImageKind.Volume, 0) };
        var ratio = (double)first.Width / first.Height;
        for (var i = 1; i < dirs.Count; i++)
        {
            var d = dirs[i];
            var text = d.Description;
            if (Contains(text, "label")) images.Add(new(d, SlideImageKind.Label, 0));
            else if (Contains(text, "macro") || Contains(text, "overview")) images.Add(new(d, SlideImageKind.Overview, 0));
            else if (aperio && i == 1 && !d.IsTiled) continue; // the SVS thumbnail
            else if ((d.IsTiled || !first.IsTiled) && d.Width < images[^1].Directory.Width && d.SamplesPerPixel == first.SamplesPerPixel
                     && Math.Abs((double)d.Width / d.Height - ratio) <= ratio * 0.02 + 2.0 / d.Height
                     && images.All(x => x.Kind == SlideImageKind.Volume))
                images.Add(new(d, SlideImageKind.Volume, images.Count));
        }
        double? mpp = null, mag = null;
        if (aperio)
            foreach (var part in first.Description.Split('|'))
            {
                var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
                if (kv.Length != 2 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v <= 0 || !double.IsFinite(v)) continue;
                if (kv[0] == "MPP") mpp = v;
                else if (kv[0] == "AppMag") mag = v;
            }
        return new SlideLayout(images, aperio, mpp, mag);
    }

    /// <summary>True when a line of the description starts with the word ("label 415x416" after Aperio's first line).</summary>
    static bool Contains(string text, string word) =>
        text.Length < 4096 && text.Split('\n', '\r').Any(l => l.TrimStart().StartsWith(word, StringComparison.OrdinalIgnoreCase));
}
