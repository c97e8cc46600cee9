using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mira.Dicom.Codecs.OpenJpeg;

/// <summary>
/// In-memory <c>opj_stream_t</c> callbacks. Decoding reads from a pinned span described by a <see cref="Source"/>
/// that lives on the caller's stack for the whole decode; encoding writes to a managed <see cref="Sink"/> reached
/// through a <see cref="GCHandle"/>. No callback lets an exception escape into native code.
/// </summary>
internal static unsafe class OpenJpegStreams
{
    /// <summary>The input: a pinned buffer, its length and the read position.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Source
    {
        public byte* Data;
        public long Length;
        public long Position;
    }

    /// <summary>The output: a growable buffer with a write position (OpenJPEG may seek back to patch lengths).</summary>
    public sealed class Sink(int capacity)
    {
        byte[] buffer = new byte[Math.Max(capacity, 256)];
        public long Length { get; private set; }
        public long Position { get; set; }

        public void Write(ReadOnlySpan<byte> data)
        {
            var end = Position + data.Length;
            if (end > Array.MaxLength) throw new InvalidOperationException("the encoded frame exceeds the largest array");
            if (end > buffer.Length) Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, Math.Max(end, (long)buffer.Length * 2)));
            data.CopyTo(buffer.AsSpan((int)Position));
            Position = end;
            if (end > Length) Length = end;
        }

        public void Skip(long count)
        {
            var end = Position + count;
            if (end > buffer.Length) Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, Math.Max(end, (long)buffer.Length * 2)));
            Position = end;
            if (end > Length) Length = end; // skipped bytes read as zero
        }

        public byte[] ToArray() => buffer.AsSpan(0, (int)Length).ToArray();
    }

    /// <summary>Messages from OpenJPEG's error and warning handlers.</summary>
    public sealed class MessageLog
    {
        public List<string> Errors { get; } = [];
        public List<string> Warnings { get; } = [];

        /// <summary>"OpenJPEG said: …" text for an exception message (errors, else warnings, else a fallback).</summary>
        public string Describe(string fallback)
        {
            var lines = Errors.Count > 0 ? Errors : Warnings;
            return lines.Count == 0 ? fallback : "OpenJPEG: " + string.Join("; ", lines.Distinct().Take(6));
        }
    }

    static readonly nuint ReadEnd = nuint.MaxValue; // (OPJ_SIZE_T)-1: end of stream or failure

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static nuint Read(void* buffer, nuint count, void* user)
    {
        var s = (Source*)user;
        var left = s->Length - s->Position;
        if (left <= 0) return ReadEnd;
        var n = (long)Math.Min((ulong)left, count);
        Buffer.MemoryCopy(s->Data + s->Position, buffer, (long)count, n);
        s->Position += n;
        return (nuint)n;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static long SkipInput(long count, void* user)
    {
        var s = (Source*)user;
        var target = s->Position + count;
        if (target < 0 || target > s->Length)
        {
            s->Position = s->Length;
            return -1;
        }
        s->Position = target;
        return count;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int SeekInput(long position, void* user)
    {
        var s = (Source*)user;
        if (position < 0 || position > s->Length) return 0;
        s->Position = position;
        return 1;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static nuint Write(void* buffer, nuint count, void* user)
    {
        try
        {
            var sink = (Sink)GCHandle.FromIntPtr((nint)user).Target!;
            sink.Write(new ReadOnlySpan<byte>(buffer, checked((int)count)));
            return count;
        }
        catch
        {
            return ReadEnd;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static long SkipOutput(long count, void* user)
    {
        try
        {
            var sink = (Sink)GCHandle.FromIntPtr((nint)user).Target!;
            if (sink.Position + count < 0) return -1;
            sink.Skip(count);
            return count;
        }
        catch
        {
            return -1;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int SeekOutput(long position, void* user)
    {
        try
        {
            var sink = (Sink)GCHandle.FromIntPtr((nint)user).Target!;
            if (position < 0) return 0;
            if (position > sink.Length) { sink.Position = sink.Length; sink.Skip(position - sink.Length); }
            else sink.Position = position;
            return 1;
        }
        catch
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static void OnError(byte* message, void* client) => Log(message, client, error: true);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static void OnWarning(byte* message, void* client) => Log(message, client, error: false);

    static void Log(byte* message, void* client, bool error)
    {
        try
        {
            if (GCHandle.FromIntPtr((nint)client).Target is not MessageLog log) return;
            var text = (Marshal.PtrToStringUTF8((nint)message) ?? "").Trim();
            lock (log) (error ? log.Errors : log.Warnings).Add(text);
        }
        catch
        {
            // never throw into native code
        }
    }
}
