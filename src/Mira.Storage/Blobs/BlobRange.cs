namespace Mira.Storage.Blobs;

/// <summary>A read-only window of <see cref="Length"/> bytes of a blob, starting at an offset (a frame, a tile).</summary>
sealed class BlobRange : Stream
{
    readonly Stream inner;
    readonly long start;
    long position;

    public BlobRange(Stream inner, long start, long length)
    {
        this.inner = inner;
        this.start = start;
        Length = length;
        inner.Seek(start, SeekOrigin.Begin);
    }

    public override long Length { get; }
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;

    public override long Position
    {
        get => position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, Length - position)]);
        position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Length - position)], ct);
        position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => position + offset, _ => Length + offset };
        if (target < 0 || target > Length) throw new ArgumentOutOfRangeException(nameof(offset));
        inner.Seek(start + target, SeekOrigin.Begin);
        return position = target;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
