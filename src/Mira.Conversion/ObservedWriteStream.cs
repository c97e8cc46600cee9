namespace Mira.Conversion;

/// <summary>
/// A write-only stream that passes every write through to another and counts it (<see cref="Written"/>), showing the
/// bytes to <paramref name="observe"/> on the way (a hash of what is written, as it is written).
/// </summary>
public sealed class ObservedWriteStream(Stream inner, Action<ReadOnlySpan<byte>>? observe = null) : Stream
{
    public long Written { get; private set; }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Written; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        observe?.Invoke(buffer);
        inner.Write(buffer);
        Written += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);
}
