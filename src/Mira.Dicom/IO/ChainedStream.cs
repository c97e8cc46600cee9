namespace Mira.Dicom.IO;

/// <summary>Reads what is left in an <see cref="InputBuffer"/>'s window, then the rest of the stream.</summary>
internal sealed class ChainedStream(InputBuffer window, Stream rest) : Stream
{
    public override int Read(byte[] buffer, int offset, int count)
    {
        if (window.Available > 0)
        {
            var n = Math.Min(count, window.Available);
            window.Peek(n).CopyTo(buffer.AsSpan(offset, n));
            window.Advance(n);
            return n;
        }
        return rest.Read(buffer, offset, count);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
