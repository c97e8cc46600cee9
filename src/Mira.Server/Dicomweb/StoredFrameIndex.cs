using System.Collections.Concurrent;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Server.Dicomweb;

/// <summary>
/// Where each frame of a large encapsulated instance lies in its blob (a whole-slide level: thousands of tiles, one
/// fragment each), so that WADO-RS frames are served by reading just those bytes, at the speed of reading a tile,
/// instead of loading the object. Built once per blob from its header and fragment item headers (the fragments are
/// skipped, not read) and kept in a small cache: blobs are immutable (their key carries their SHA-256), so an entry
/// never goes stale. Only objects with one fragment per frame (PS3.5 §A.4) are indexed; others take the general path.
/// </summary>
public sealed class StoredFrameIndex
{
    /// <summary>Instances below this size are read whole as before: cheap, and the general path handles every layout.</summary>
    public const long MinimumBlobSize = 8L << 20;
    const int CacheEntries = 64;

    static readonly ConcurrentDictionary<string, StoredFrameIndex?> Cache = new(StringComparer.Ordinal);
    static readonly DicomReadOptions Options = DicomReadOptions.Untrusted with { LazyThreshold = 1024 };

    StoredFrameIndex(TransferSyntax syntax, long[] offsets, long[] lengths) => (Syntax, Offsets, Lengths) = (syntax, offsets, lengths);

    public TransferSyntax Syntax { get; }
    public int FrameCount => Offsets.Length;
    long[] Offsets { get; }
    long[] Lengths { get; }

    /// <summary>The index of a stored instance, or null when it is small, native, or not one fragment per frame.</summary>
    public static StoredFrameIndex? For(IBlobStore blobs, StoredInstance si)
    {
        if (si.BlobSize < MinimumBlobSize || string.IsNullOrEmpty(si.TransferSyntaxUid) || !TransferSyntax.Lookup(si.TransferSyntaxUid).IsEncapsulated)
            return null;
        if (Cache.TryGetValue(si.BlobKey, out var known)) return known;
        var built = Build(blobs, si.BlobKey);
        if (Cache.Count >= CacheEntries) Cache.Clear(); // a crude bound; indexes rebuild in milliseconds
        Cache[si.BlobKey] = built;
        return built;
    }

    static StoredFrameIndex? Build(IBlobStore blobs, string key)
    {
        DicomFile file;
        using (var stream = new BufferedStream(blobs.OpenRead(key), 1 << 16))
            file = DicomFile.Read(stream, Options, new Mira.Platform.BlobByteSource(blobs, key));
        if (file.Dataset.Get(DicomTags.PixelData) is not DicomFragmentSequence fragments) return null;
        var frames = Math.Max(1, file.Dataset.GetInt32(DicomTags.NumberOfFrames) ?? 1);
        if (fragments.Fragments.Count != frames || fragments.Fragments.Any(f => f.Offset < 0)) return null;
        return new StoredFrameIndex(file.TransferSyntax,
            [.. fragments.Fragments.Select(f => f.Offset + 8)], // the value follows the item's tag and length
            [.. fragments.Fragments.Select(f => f.Length)]);
    }

    /// <summary>Reads frames (1-based) from the blob.</summary>
    public async Task<List<byte[]>> ReadAsync(IBlobStore blobs, string key, IReadOnlyList<int> numbers, CancellationToken ct)
    {
        var result = new List<byte[]>(numbers.Count);
        foreach (var n in numbers)
        {
            var bytes = new byte[Lengths[n - 1]];
            await using (var range = blobs.OpenRange(key, Offsets[n - 1], bytes.Length))
                await range.ReadExactlyAsync(bytes, ct);
            result.Add(bytes);
        }
        return result;
    }
}
