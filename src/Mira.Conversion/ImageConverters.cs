namespace Mira.Conversion;

/// <summary>
/// The converters Mira has, probed in order by a file's content (never its name). A new source kind is one class
/// implementing <see cref="IImageConverter"/> and one line in <see cref="CreateBuiltIn"/>.
/// </summary>
public sealed class ImageConverters(IReadOnlyList<IImageConverter> converters)
{
    /// <summary>How much of a file <see cref="IImageConverter.Recognises"/> is shown.</summary>
    public const int HeadLength = 4096;

    public IReadOnlyList<IImageConverter> All { get; } = converters;

    /// <summary>The built-in converters, one line each.</summary>
    public static ImageConverters CreateBuiltIn() => new(
    [
        new Nifti.NiftiConverter(),
        new Slides.SlideConverter(),
        new Photos.PhotoConverter(),
        new Photos.TiffPhotoConverter(),
    ]);

    /// <summary>The converter for the file, or null when none recognises it (DICOM, or something else).</summary>
    public IImageConverter? Detect(string path)
    {
        var head = new byte[HeadLength];
        int read;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        // PS3.10 §7.1: "DICM" after the 128-byte preamble is a DICOM file, whatever the preamble holds (a DICOM
        // whole-slide file may carry a TIFF header there, so that it is both).
        if (read >= 132 && head.AsSpan(128, 4).SequenceEqual("DICM"u8)) return null;
        foreach (var c in All)
            if (c.Recognises(head.AsSpan(0, read), path)) return c;
        return null;
    }
}
