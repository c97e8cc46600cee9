namespace Mira.Dicom;

/// <summary>Private data elements by creator (PS3.5 §7.8): a creator (gggg,00xx) reserves the block (gggg,xx00)–(gggg,xxFF).</summary>
public sealed partial class DicomDataset
{
    /// <summary>The private creator of a private data element, or null when absent.</summary>
    public string? GetPrivateCreator(DicomTag tag) =>
        tag.IsPrivate && tag.Element >= 0x1000 ? GetString(tag.PrivateCreatorTag) : null;

    /// <summary>The tag of element <paramref name="elementByte"/> in the block that <paramref name="creator"/> reserved in <paramref name="group"/>, or null.</summary>
    public DicomTag? FindPrivateTag(string creator, ushort group, byte elementByte)
    {
        for (ushort block = 0x10; block <= 0xFF; block++)
            if (Find(new DicomTag(group, block)) is { } e && string.Equals(DicomElement.TrimValue(e.GetText(CharacterSet), DicomVR.LO), creator, StringComparison.Ordinal))
                return new DicomTag(group, (ushort)((block << 8) | elementByte));
        return null;
    }

    /// <summary>
    /// Frames of encapsulated Pixel Data (PS3.5 §A.4), using Number of Frames and the Extended Offset Table
    /// (7FE0,0001)/(7FE0,0002) when present; null when Pixel Data is absent or native.
    /// </summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? GetEncapsulatedFrames()
    {
        if (Find(DicomTags.PixelData) is not DicomFragmentSequence pixels) return null;
        var frames = GetInt32(DicomTags.NumberOfFrames) ?? 1;
        return pixels.GetFrames(frames, UInt64s(DicomTags.ExtendedOffsetTable), UInt64s(DicomTags.ExtendedOffsetTableLengths));
    }

    ulong[]? UInt64s(DicomTag tag) =>
        Find(tag) is { } e ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(e.Bytes.Span[..(e.Bytes.Length & ~7)]).ToArray() : null;
}
