namespace Mira.Conversion;

/// <summary>
/// Converts one kind of non-DICOM source (NIfTI, a photograph, a whole-slide image) into DICOM objects. Chosen by
/// content (<see cref="Recognises"/>), never by file name; <see cref="ImageConverters"/> holds them. A converter reads
/// untrusted files: it checks sizes and counts against <see cref="ConversionLimits"/> before allocating, and throws
/// <see cref="ConversionException"/> naming the file and what is wrong.
/// </summary>
public interface IImageConverter
{
    /// <summary>Its name in messages and summaries: "NIfTI", "photograph", "whole-slide image".</summary>
    string Name { get; }

    /// <summary>
    /// True when the file at <paramref name="path"/>, starting with <paramref name="head"/> (its first 4 KiB or less), is
    /// this converter's. Decides from <paramref name="head"/> where it can; may read the file's structure (a TIFF's
    /// directories) where it must. Never throws.
    /// </summary>
    bool Recognises(ReadOnlySpan<byte> head, string path);

    /// <summary>
    /// The objects the file becomes, lazily: each is complete (UIDs, image modules, <paramref name="request"/>'s subject
    /// applied) when enumerated; its pixels are read from the file only when written. The same file and request give
    /// the same UIDs (<see cref="ConversionUids"/>), so importing a file twice stores it once.
    /// </summary>
    IEnumerable<ConvertedInstance> Convert(string path, ConversionRequest request, CancellationToken ct = default);
}
