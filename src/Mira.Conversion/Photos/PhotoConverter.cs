namespace Mira.Conversion.Photos;

/// <summary>
/// Photographs (a fundus camera's JPEG or PNG export) to one DICOM object each: JPEG recognised by its SOI marker and
/// kept byte for byte, PNG by its signature and decoded, stored JPEG-LS lossless (<see cref="PhotoObjects"/>).
/// TIFF photographs go through the TIFF reader and <see cref="PhotoObjects.FromNative"/>.
/// </summary>
public sealed class PhotoConverter : IImageConverter
{
    public string Name => "photograph";

    public bool Recognises(ReadOnlySpan<byte> head, string path) => JpegPhotoInfo.StartsWithSoi(head) || PngReader.IsPng(head);

    public IEnumerable<ConvertedInstance> Convert(string path, ConversionRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Read when enumerated: a photograph is one object, its file read whole (bounded by the frame limit).
        var length = new FileInfo(path).Length;
        if (length > request.Limits.MaxFrameBytes)
            throw new ConversionException($"{path}: the file is {length} bytes, more than the {request.Limits.MaxFrameBytes} bytes allowed for one frame");
        var bytes = File.ReadAllBytes(path);
        var sha = System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        ct.ThrowIfCancellationRequested();
        if (JpegPhotoInfo.StartsWithSoi(bytes)) yield return PhotoObjects.FromJpeg(bytes, path, sha, request);
        else if (PngReader.IsPng(bytes))
        {
            var png = PngReader.Decode(bytes, path, request.Limits);
            yield return PhotoObjects.FromNative(png.Pixels, png.Height, png.Width, png.Samples, png.BitsPerSample, path, sha, "PNG", request);
        }
        else throw new ConversionException($"{path}: neither a JPEG (SOI marker) nor a PNG (signature)");
    }
}
