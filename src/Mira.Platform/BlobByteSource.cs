using Mira.Dicom.IO;
using Mira.Storage.Blobs;

namespace Mira.Platform;

/// <summary>A stored blob as the source of lazily loaded values: each load opens just the range it needs.</summary>
public sealed class BlobByteSource(IBlobStore blobs, string key) : IByteSource
{
    public string Description => "blob " + key;

    public void ReadAt(long offset, Span<byte> destination)
    {
        using var range = blobs.OpenRange(key, offset, destination.Length);
        range.ReadExactly(destination);
    }
}
