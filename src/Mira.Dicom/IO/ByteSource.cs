using Microsoft.Win32.SafeHandles;

namespace Mira.Dicom.IO;

/// <summary>Where a lazily loaded value lives: a file or a block of memory, read at an absolute offset.</summary>
public interface IByteSource
{
    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes at <paramref name="offset"/> or throws.</summary>
    void ReadAt(long offset, Span<byte> destination);
    string Description { get; }
}

/// <summary>A file opened for each load, so a data set holds no handle while it waits.</summary>
public sealed class FileByteSource(string path) : IByteSource
{
    public string Path { get; } = path;
    public string Description => Path;

    public void ReadAt(long offset, Span<byte> destination)
    {
        using SafeFileHandle handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var done = 0;
        while (done < destination.Length)
        {
            var n = RandomAccess.Read(handle, destination[done..], offset + done);
            if (n == 0) throw new DicomFormatException(DicomReadProblemCode.Truncated, $"{Path}: file shorter than expected while loading a value", null, offset + done);
            done += n;
        }
    }
}

public sealed class MemoryByteSource(ReadOnlyMemory<byte> memory) : IByteSource
{
    public ReadOnlyMemory<byte> Memory { get; } = memory;
    public string Description => "memory";

    public void ReadAt(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > Memory.Length)
            throw new DicomFormatException(DicomReadProblemCode.Truncated, "value beyond the end of the buffer", null, offset);
        Memory.Span.Slice((int)offset, destination.Length).CopyTo(destination);
    }
}

/// <summary>A large value left where it is (offset + length) and loaded on demand.</summary>
public sealed class LazyValue(IByteSource source, long offset, long length, int swapUnit)
{
    public IByteSource Source { get; } = source;
    public long Offset { get; } = offset;
    public long Length { get; } = length;

    /// <summary>Byte-swap unit (2, 4 or 8) when the source is big endian, else 0.</summary>
    public int SwapUnit { get; } = swapUnit;

    public byte[] Load()
    {
        if (Length > Array.MaxLength) throw new DicomFormatException(DicomReadProblemCode.LimitExceeded, $"value of {Length} bytes is too large to load at once", null, Offset);
        var buffer = GC.AllocateUninitializedArray<byte>((int)Length);
        Source.ReadAt(Offset, buffer);
        if (SwapUnit > 1) ByteOrder.Swap(buffer, SwapUnit);
        return buffer;
    }
}

/// <summary>A value's bytes, either held or still in their source; loaded (once) on first access.</summary>
internal struct ValueBytes
{
    ReadOnlyMemory<byte> bytes;
    LazyValue? lazy;

    public ValueBytes(ReadOnlyMemory<byte> value) => bytes = value;
    public ValueBytes(LazyValue value) => lazy = value;

    public readonly bool IsLazy => lazy is not null;
    public readonly LazyValue? Lazy => lazy;
    public readonly long Length => lazy?.Length ?? bytes.Length;

    public ReadOnlyMemory<byte> Get()
    {
        if (lazy is not null)
        {
            bytes = lazy.Load();
            lazy = null;
        }
        return bytes;
    }
}
