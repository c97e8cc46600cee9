namespace Mira.Dicom.IO;

/// <summary>
/// Reads a raw data set (no preamble, no File Meta Information) whose transfer syntax is known from elsewhere,
/// as DIMSE messages (PS3.7 §6.3.1, PS3.8 presentation contexts) and STOW parts without meta carry them.
/// </summary>
public static class DicomDatasetReader
{
    public static DicomDataset Read(ReadOnlyMemory<byte> data, TransferSyntax syntax, DicomReadOptions? options = null) =>
        Read(data, syntax, options, out _);

    public static DicomDataset Read(ReadOnlyMemory<byte> data, TransferSyntax syntax, DicomReadOptions? options, out IReadOnlyList<DicomReadWarning> warnings)
    {
        var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var seg)
            ? new MemoryStream(seg.Array!, seg.Offset, seg.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
        return Read(stream, syntax, options, new MemoryByteSource(data), out warnings);
    }

    public static DicomDataset Read(Stream stream, TransferSyntax syntax, DicomReadOptions? options, IByteSource? lazySource, out IReadOnlyList<DicomReadWarning> warnings)
    {
        options ??= DicomReadOptions.Default;
        var list = new List<DicomReadWarning>();
        var dataset = new DicomDataset();
        Stream source = syntax.IsDeflated ? new System.IO.Compression.DeflateStream(stream, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true) : stream;
        // A deflated data set (PS3.5 §A.5) inflates only up to the limit for its compressed size.
        using var input = syntax.IsDeflated
            ? DicomFile.InflatedInput(source, options, stream.CanSeek ? stream.Length - stream.Position : null)
            : new InputBuffer(source, stream.CanSeek ? stream.Position : 0, options.MaxTotalSize);
        new DatasetParser(input, options, list, syntax.IsDeflated ? null : lazySource).ParseTop(dataset, syntax.IsExplicitVR, !syntax.IsLittleEndian);
        warnings = list;
        return dataset;
    }
}
