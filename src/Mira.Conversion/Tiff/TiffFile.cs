using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Mira.Conversion.Tiff;

/// <summary>
/// The structure of a TIFF (TIFF 6.0) or BigTIFF file, either byte order: the chain of image file directories, read
/// by seeking, never the whole file. Every count and offset is checked against the file length before it is read, the
/// chain against <see cref="ConversionLimits.MaxTiffDirectories"/> and against loops. Pixel payloads (tiles, strips)
/// are read one at a time by <see cref="ReadChunk"/>.
/// </summary>
public sealed class TiffFile : IDisposable
{
    /// <summary>The largest tag value read (an ICC profile, a description, an offset array).</summary>
    const long MaxTagValueBytes = 64L << 20;
    const int MaxEntries = 4096;

    readonly SafeFileHandle handle;
    readonly List<TiffDirectory> directories = [];

    TiffFile(string path, SafeFileHandle handle)
    {
        Path = path;
        this.handle = handle;
        Length = RandomAccess.GetLength(handle);
    }

    public string Path { get; }
    public long Length { get; }
    public bool BigEndian { get; private set; }
    public bool BigTiff { get; private set; }
    public IReadOnlyList<TiffDirectory> Directories => directories;

    string Name => System.IO.Path.GetFileName(Path);

    /// <summary>True when the bytes start with a TIFF or BigTIFF header of either byte order.</summary>
    public static bool HasTiffSignature(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && (head[..4].SequenceEqual("II*\0"u8) || head[..4].SequenceEqual("MM\0*"u8) ||
                             head[..4].SequenceEqual("II+\0"u8) || head[..4].SequenceEqual("MM\0+"u8));

    /// <summary>Opens the file and reads every directory; throws <see cref="ConversionException"/> naming the file and the problem.</summary>
    public static TiffFile Open(string path, ConversionLimits limits)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var file = new TiffFile(path, handle);
        try
        {
            file.ReadStructure(limits);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public ConversionException Fail(string problem) => new($"{Name}: {problem}");

    void ReadStructure(ConversionLimits limits)
    {
        Span<byte> head = stackalloc byte[16];
        if (Length < 8 || RandomAccess.Read(handle, head, 0) < 8) throw Fail("too short to be a TIFF file");
        if (!HasTiffSignature(head)) throw Fail("not a TIFF file (no II*/MM* header)");
        BigEndian = head[0] == (byte)'M';
        BigTiff = U16(head[2..]) == 43;
        long next;
        if (BigTiff)
        {
            if (Length < 16) throw Fail("too short for a BigTIFF header");
            if (U16(head[4..]) != 8 || U16(head[6..]) != 0) throw Fail("BigTIFF header with an offset size other than 8");
            next = (long)Math.Min(U64(head[8..]), long.MaxValue);
        }
        else next = U32(head[4..]);
        var seen = new HashSet<long>();
        while (next != 0)
        {
            if (!seen.Add(next)) throw Fail($"the directory chain loops back to offset {next} (directory {directories.Count + 1})");
            if (directories.Count >= limits.MaxTiffDirectories)
                throw Fail($"more than {limits.MaxTiffDirectories} image directories");
            next = ReadDirectory(next, directories.Count);
        }
        if (directories.Count == 0) throw Fail("no image directory");
    }

    long ReadDirectory(long offset, int index)
    {
        var where = $"directory {index + 1} at offset {offset}";
        var countSize = BigTiff ? 8 : 2;
        var entrySize = BigTiff ? 20 : 12;
        var pointerSize = BigTiff ? 8 : 4;
        if (offset < 8 || offset > Length - countSize) throw Fail($"{where} lies past the end of the file ({Length} bytes)");
        var countBytes = ReadExactly(offset, countSize, where);
        var count = BigTiff ? (long)Math.Min(U64(countBytes), long.MaxValue) : U16(countBytes);
        if (count is 0 or > MaxEntries) throw Fail($"{where} has {count} entries");
        var tableLength = count * entrySize + pointerSize;
        if (offset + countSize + tableLength > Length)
            throw Fail($"{where}: its {count} entries run past the end of the file ({Length} bytes)");
        var table = ReadExactly(offset + countSize, (int)tableLength, where);
        var dir = new TiffDirectory(index, offset);
        for (var i = 0; i < count; i++)
        {
            var e = table.AsSpan(i * entrySize, entrySize);
            var tag = U16(e);
            if (!TiffDirectory.Wanted(tag)) continue;
            var type = U16(e[2..]);
            var n = BigTiff ? U64(e[4..]) : U32(e[4..]);
            var size = TypeSize(type);
            if (size == 0) continue; // an unknown type: TIFF 6.0 §2 says readers skip it
            if (n > (ulong)MaxTagValueBytes / (ulong)size) throw Fail($"{where}: tag {tag} has {n} values, more than this reader accepts");
            var bytes = (long)n * size;
            var inline = e.Slice(BigTiff ? 12 : 8, pointerSize);
            byte[] value;
            if (bytes <= pointerSize) value = inline[..(int)bytes].ToArray();
            else
            {
                var at = BigTiff ? (long)Math.Min(U64(inline), long.MaxValue) : U32(inline);
                if (at < 0 || at > Length || bytes > Length - at)
                    throw Fail($"{where}: the value of tag {tag} ({bytes} bytes at offset {at}) lies past the end of the file ({Length} bytes)");
                value = ReadExactly(at, (int)bytes, $"tag {tag} of {where}");
            }
            dir.Add(tag, new TiffValue(type, (long)n, value, BigEndian));
        }
        dir.Validate(this);
        directories.Add(dir);
        var nextBytes = table.AsSpan((int)(count * entrySize), pointerSize);
        return BigTiff ? (long)Math.Min(U64(nextBytes), long.MaxValue) : U32(nextBytes);
    }

    static int TypeSize(ushort type) => type switch
    {
        1 or 2 or 6 or 7 => 1,
        3 or 8 => 2,
        4 or 9 or 11 or 13 => 4,
        5 or 10 or 12 or 16 or 17 or 18 => 8,
        _ => 0,
    };

    /// <summary>Reads exactly <paramref name="count"/> bytes at <paramref name="offset"/>, checked against the file length.</summary>
    public byte[] ReadExactly(long offset, int count, string what)
    {
        if (offset < 0 || count < 0 || offset > Length - count)
            throw Fail($"{what}: {count} bytes at offset {offset} lie past the end of the file ({Length} bytes)");
        var buffer = new byte[count];
        var done = 0;
        while (done < count)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(done), offset + done);
            if (n <= 0) throw Fail($"{what}: the file ended at offset {offset + done}");
            done += n;
        }
        return buffer;
    }

    /// <summary>The stored (compressed) bytes of tile or strip <paramref name="index"/> of <paramref name="dir"/>.</summary>
    public byte[] ReadChunk(TiffDirectory dir, int index)
    {
        var (offset, count) = dir.Chunk(index);
        return ReadExactly(offset, (int)count, $"{dir.ChunkName} {index + 1} of directory {dir.Index + 1}");
    }

    ushort U16(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);
    uint U32(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
    ulong U64(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);

    public void Dispose() => handle.Dispose();
}
