using System.Buffers;

namespace Mira.Server.Dicomweb;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>: a STOW part lives in one until its batch is
/// stored, then the array goes back to the pool for the next part, instead of a fresh large-object-heap array per
/// part. Nothing may hold <see cref="Memory"/> after <see cref="Dispose"/>.
/// </summary>
public sealed class PooledBuffer : IDisposable
{
    const int InitialSize = 256 * 1024;
    byte[]? array = ArrayPool<byte>.Shared.Rent(InitialSize);

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Memory => (array ?? throw new ObjectDisposedException(nameof(PooledBuffer))).AsMemory(0, Length);

    public void Write(ReadOnlySpan<byte> bytes)
    {
        var a = array ?? throw new ObjectDisposedException(nameof(PooledBuffer));
        if (Length + bytes.Length > a.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)a.Length * 2, (long)Length + bytes.Length)));
            a.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(a);
            array = a = bigger;
        }
        bytes.CopyTo(a.AsSpan(Length));
        Length += bytes.Length;
    }

    public void Dispose()
    {
        if (array is { } a) ArrayPool<byte>.Shared.Return(a);
        array = null;
    }
}
