using System.IO.Compression;

namespace Mira.Imaging.Nifti;

/// <summary>
/// Opens a NIfTI file for one forward pass: the file itself, or for gzip content (RFC 1952 magic 1F 8B, whatever the
/// name) an inflating stream over it. Reads go straight from the file's buffer through zlib into the caller's array:
/// no copy of the compressed file and no growing buffer of the inflated one.
/// </summary>
public static class NiftiStreams
{
    /// <summary>The file buffer: large reads, few system calls.</summary>
    const int FileBuffer = 1 << 20;

    public static Stream OpenMaybeGzip(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBuffer, FileOptions.SequentialScan);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            var n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (n == 2 && magic[0] == 0x1F && magic[1] == 0x8B) return new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
