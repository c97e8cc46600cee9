using System.IO.Compression;

namespace Mira.Imaging.Formats;

/// <summary>
/// What a format's <see cref="IVolumeFormat.Probe"/> looks at: the first bytes of a file as stored and, for a gzip
/// file (RFC 1952 magic 1F 8B), the first bytes of its content; or the fact that the path is a folder.
/// </summary>
public sealed class VolumeProbe
{
    /// <summary>How many bytes of the file, and of its decompressed content, a probe sees.</summary>
    public const int HeadLength = 4096;

    VolumeProbe(string? path, bool isDirectory, byte[] head, byte[]? inflated)
    {
        Path = path;
        IsDirectory = isDirectory;
        Head = head;
        Content = inflated ?? head;
        IsGzip = inflated is not null;
    }

    /// <summary>The file or folder probed, when probed by path.</summary>
    public string? Path { get; }

    public bool IsDirectory { get; }

    /// <summary>Up to <see cref="HeadLength"/> first bytes as stored.</summary>
    public ReadOnlyMemory<byte> Head { get; }

    /// <summary>The first bytes of the content: <see cref="Head"/>, or for a gzip file its first decompressed bytes.</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>True when the file is gzip-compressed (its content is what <see cref="Content"/> shows).</summary>
    public bool IsGzip { get; }

    public static bool StartsWithGzipMagic(ReadOnlySpan<byte> b) => b.Length >= 2 && b[0] == 0x1F && b[1] == 0x8B;

    /// <summary>Probes bytes in memory (e.g. an upload); no path, so no folder and no files beside it.</summary>
    public static VolumeProbe FromBytes(ReadOnlySpan<byte> bytes) => FromStream(new MemoryStream(bytes.ToArray(), writable: false), null);

    /// <summary>
    /// Probes a stream from its current position, to which a seekable stream is returned afterwards; reads at most
    /// <see cref="HeadLength"/> bytes (more of a gzip stream).
    /// </summary>
    public static VolumeProbe FromStream(Stream stream) => FromStream(stream, null);

    /// <summary>Probes a file or a folder.</summary>
    public static VolumeProbe FromPath(string path)
    {
        if (Directory.Exists(path)) return new VolumeProbe(path, true, [], null);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, HeadLength);
        return FromStream(fs, path);
    }

    static VolumeProbe FromStream(Stream stream, string? path)
    {
        var start = stream.CanSeek ? stream.Position : 0;
        var head = ReadUpTo(stream, HeadLength);
        byte[]? inflated = null;
        if (StartsWithGzipMagic(head))
        {
            Stream compressed = stream.CanSeek ? stream : new MemoryStream(head);
            if (stream.CanSeek) stream.Position = start;
            using var gz = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true);
            inflated = ReadUpTo(gz, HeadLength); // damaged gzip data: what inflated before the damage
        }
        if (stream.CanSeek) stream.Position = start;
        return new VolumeProbe(path, false, head, inflated);
    }

    static byte[] ReadUpTo(Stream s, int n)
    {
        var buffer = new byte[n];
        var done = 0;
        try
        {
            while (done < n)
            {
                var read = s.Read(buffer, done, n - done);
                if (read == 0) break;
                done += read;
            }
        }
        catch (InvalidDataException)
        {
            // A damaged compressed stream: keep what came before the damage.
        }
        return done == n ? buffer : buffer[..done];
    }
}
