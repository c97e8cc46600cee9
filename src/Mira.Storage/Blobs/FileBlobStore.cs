using System.Security.Cryptography;
using System.Text;

namespace Mira.Storage.Blobs;

/// <summary>
/// Blobs as files under a root folder. A write goes to a temporary file in the destination folder, is flushed to
/// the disk (fsync), renamed over the final name (atomic on POSIX file systems) and the folder is fsynced so the
/// rename itself survives a power loss (as are the parents of folders it had to create). Readers therefore see
/// either nothing or the complete blob.
/// </summary>
public sealed class FileBlobStore : IBlobStore
{
    /// <summary>Temporary files start with this prefix; <see cref="Enumerate"/> skips them.</summary>
    public const string TemporaryPrefix = ".tmp-";

    public FileBlobStore(string root)
    {
        Root = Path.GetFullPath(root);
        TemporaryFolder = Path.Combine(Root, ".tmp");
        Directory.CreateDirectory(TemporaryFolder);
    }

    public string Root { get; }

    /// <summary>Where blobs are written before their rename: one folder, so recovery need not search the tree.</summary>
    public string TemporaryFolder { get; }

    /// <summary>
    /// The key for an instance: SHA-256 of its SOP Instance UID (hex), fanned out in two folder levels, plus the first
    /// 16 hex digits of the content's SHA-256 so that a different object sent under the same UID never overwrites
    /// the stored one, while identical objects share one file.
    /// </summary>
    public static string KeyFor(string sopInstanceUid, string contentSha256)
    {
        var h = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(sopInstanceUid)));
        return $"{h[..2]}/{h[2..4]}/{h}.{contentSha256[..16]}.dcm";
    }

    /// <summary>Whether a key has the shape <see cref="KeyFor"/> gives instances (not a key of <see cref="BlobKeys"/>).</summary>
    public static bool IsInstanceKey(string key) =>
        key.Length > 6 && key[2] == '/' && key[5] == '/' && char.IsAsciiHexDigitLower(key[0]) && char.IsAsciiHexDigitLower(key[1])
        && key.EndsWith(".dcm", StringComparison.Ordinal);

    string PathOf(string key)
    {
        if (key.Length == 0 || key.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(key) || key.Contains('\\'))
            throw new ArgumentException($"invalid blob key '{key}'", nameof(key));
        return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    /// <summary>How many files are written and flushed at once by <see cref="WriteManyAsync"/>.</summary>
    public int WriteParallelism { get; init; } = 16;

    public async Task WriteAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        if ((await WriteManyAsync([new BlobWrite(key, data)], ct))[0] is { } error)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>A file in <see cref="TemporaryFolder"/>: removed by <see cref="RemoveIncompleteWrites"/> after a crash.</summary>
    public string NewStagingFile() => Path.Combine(TemporaryFolder, TemporaryPrefix + Guid.NewGuid().ToString("N"));

    /// <summary>A new folder in <see cref="TemporaryFolder"/>, removed with its content by <see cref="RemoveIncompleteWrites"/> after a crash.</summary>
    public string NewStagingFolder() => Directory.CreateDirectory(Path.Combine(TemporaryFolder, TemporaryPrefix + Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Flushes the staged file, renames it over the key and flushes the folders: no copy.</summary>
    public Task AdoptAsync(string key, string stagedFile, CancellationToken ct = default)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            var path = PathOf(key);
            var dir = Path.GetDirectoryName(path)!;
            var created = new HashSet<string>(StringComparer.Ordinal);
            CreateFolders(dir, created);
            using (var handle = File.OpenHandle(stagedFile, FileMode.Open, FileAccess.ReadWrite)) RandomAccess.FlushToDisk(handle);
            File.Move(stagedFile, path, overwrite: true);
            foreach (var d in created.Append(dir).Distinct(StringComparer.Ordinal)) FlushDirectory(d);
            return Task.CompletedTask;
        }
        catch
        {
            TryDelete(stagedFile);
            throw;
        }
    }

    /// <summary>
    /// Copies the stream to a temporary file (hashing it on the way), flushes it, renames it over the key and flushes the
    /// folder: the same durability as <see cref="WriteManyAsync"/>, in constant memory.
    /// </summary>
    public async Task<(long Length, string Sha256)> WriteAsync(string key, Stream data, long maxBytes, CancellationToken ct = default)
    {
        var path = PathOf(key);
        var dir = Path.GetDirectoryName(path)!;
        var created = new HashSet<string>(StringComparer.Ordinal);
        CreateFolders(dir, created);
        var temp = Path.Combine(TemporaryFolder, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            long length = 0;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
                try
                {
                    int n;
                    while ((n = await data.ReadAsync(buffer, ct)) > 0)
                    {
                        length += n;
                        if (length > maxBytes) throw new InvalidDataException($"blob '{key}' is larger than {maxBytes} bytes");
                        sha.AppendData(buffer, 0, n);
                        await file.WriteAsync(buffer.AsMemory(0, n), ct);
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            foreach (var d in created.Append(dir).Distinct(StringComparer.Ordinal)) FlushDirectory(d);
            return (length, Convert.ToHexStringLower(sha.GetHashAndReset()));
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public Stream OpenRange(string key, long offset, long length)
    {
        var stream = OpenRead(key);
        try
        {
            if (offset < 0 || length < 0 || offset + length > stream.Length)
                throw new ArgumentOutOfRangeException(nameof(offset), $"bytes {offset}..{offset + length} are outside blob '{key}' ({stream.Length} bytes)");
            return new BlobRange(stream, offset, length);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A group commit: every blob goes to a temporary file in its destination folder and is flushed (fsync), many at
    /// once so the disk's queue and the journal's commits are shared; then each is renamed over its final name and
    /// every folder whose entries changed (the destinations and the parents of folders created here) is fsynced
    /// once. Only then is a write reported durable.
    /// </summary>
    public async Task<Exception?[]> WriteManyAsync(IReadOnlyList<BlobWrite> writes, CancellationToken ct = default)
    {
        var errors = new Exception?[writes.Count];
        var paths = new string[writes.Count];
        var temps = new string?[writes.Count];
        var changed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                paths[i] = PathOf(writes[i].Key);
                var dir = Path.GetDirectoryName(paths[i])!;
                CreateFolders(dir, changed);
                changed.Add(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                errors[i] = e;
            }
        }
        var groupSync = UseSyncFs;
        await Task.Run(() => Parallel.For(0, writes.Count, new ParallelOptions { MaxDegreeOfParallelism = WriteParallelism, CancellationToken = ct }, i =>
        {
            if (errors[i] is not null) return;
            var temp = Path.Combine(TemporaryFolder, TemporaryPrefix + Guid.NewGuid().ToString("N"));
            try
            {
                using var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, writes[i].Data.Length);
                RandomAccess.Write(handle, writes[i].Data.Span, 0);
                if (!groupSync) RandomAccess.FlushToDisk(handle);
                temps[i] = temp;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(temp);
                errors[i] = e;
            }
        }), ct);
        // The data of every temporary file must be durable before any is renamed over its final name.
        if (groupSync && !SyncFileSystem(out var dataError)) FailAll(temps, errors, dataError);
        for (var i = 0; i < writes.Count; i++)
        {
            if (temps[i] is not { } temp) continue;
            try
            {
                File.Move(temp, paths[i], overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(temp);
                errors[i] = e;
            }
        }
        if (groupSync)
        {
            // The renames and new folders; on failure their durability is unknown, so nothing is reported stored.
            if (!SyncFileSystem(out var renameError))
                for (var i = 0; i < writes.Count; i++)
                    if (errors[i] is null) errors[i] = renameError;
        }
        else await Task.Run(() => Parallel.ForEach(changed, new ParallelOptions { MaxDegreeOfParallelism = WriteParallelism }, FlushDirectory), CancellationToken.None);
        return errors;
    }

    /// <summary>
    /// On Linux a batch is made durable with two <c>syncfs(2)</c> calls on the store's file system (one for the
    /// data of all temporary files, one for all renames and new folders) instead of an fsync per file and folder:
    /// the same guarantee, one journal commit each. Set false to fsync file by file (other systems always do).
    /// </summary>
    public bool UseSyncFs { get; init; } = OperatingSystem.IsLinux();

    public bool GroupCommitCovers(string path) => UseSyncFs && DeviceOf(Root) is { } root && DeviceOf(path) == root;

    /// <summary>The device number (<c>st_dev</c>, the first field of <c>struct stat</c> on 64-bit Linux) of a path, or null.</summary>
    static ulong? DeviceOf(string path)
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess) return null;
        try
        {
            var buffer = new byte[256];
            return Native.stat(path, buffer) == 0 ? BitConverter.ToUInt64(buffer, 0) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    bool SyncFileSystem(out IOException? error)
    {
        error = null;
        try
        {
            var fd = Native.open(Root, 0 /* O_RDONLY */);
            if (fd < 0)
            {
                error = new IOException($"cannot open {Root} to sync it (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
                return false;
            }
            var rc = Native.syncfs(fd);
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            Native.close(fd);
            if (rc == 0) return true;
            error = new IOException($"syncfs on {Root} failed (errno {errno}); the batch is not durable");
            return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            error = new IOException("syncfs is not available", e);
            return false;
        }
    }

    static void FailAll(string?[] temps, Exception?[] errors, Exception? error)
    {
        for (var i = 0; i < temps.Length; i++)
        {
            if (temps[i] is not { } temp) continue;
            TryDelete(temp);
            temps[i] = null;
            errors[i] = error;
        }
    }

    /// <summary>Creates the missing folders of <paramref name="dir"/>; the parent of each one created gets a new entry.</summary>
    void CreateFolders(string dir, HashSet<string> changed)
    {
        if (Directory.Exists(dir)) return;
        var parent = Path.GetDirectoryName(dir);
        if (parent is not null && parent.Length >= Root.Length) CreateFolders(parent, changed);
        Directory.CreateDirectory(dir);
        if (parent is not null) changed.Add(parent);
    }

    /// <summary>
    /// Makes a rename durable: on Linux and macOS the directory is opened read-only and fsynced. .NET's
    /// <c>File.OpenHandle</c> refuses directories, so this calls libc <c>open</c>/<c>fsync</c>/<c>close</c> directly.
    /// Windows cannot fsync directories; NTFS journals renames. Failures here are ignored (the data file itself was
    /// already flushed; only the rename's durability is at stake).
    /// </summary>
    public static void FlushDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        try
        {
            var fd = Native.open(dir, 0 /* O_RDONLY */);
            if (fd < 0) return;
            Native.fsync(fd);
            Native.close(fd);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    static class Native
    {
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        internal static extern int open([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, int flags);

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        internal static extern int fsync(int fd);

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        internal static extern int close(int fd);

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        internal static extern int syncfs(int fd);

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        internal static extern int stat([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path,
            [System.Runtime.InteropServices.Out] byte[] buffer);
    }

    public Stream OpenRead(string key) =>
        new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public bool Exists(string key) => File.Exists(PathOf(key));

    public string Describe(string key) => Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));

    public long? GetLength(string key)
    {
        var fi = new FileInfo(PathOf(key));
        return fi.Exists ? fi.Length : null;
    }

    public bool Delete(string key)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        FlushDirectory(Path.GetDirectoryName(path)!);
        return true;
    }

    public IEnumerable<BlobInfo> Enumerate()
    {
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith(TemporaryPrefix, StringComparison.Ordinal)) continue;
            var fi = new FileInfo(file);
            if (!fi.Exists) continue;
            yield return new BlobInfo(Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/'), fi.Length);
        }
    }

    public int RemoveIncompleteWrites(bool wholeTree = false)
    {
        var n = 0;
        var folder = wholeTree ? Root : TemporaryFolder;
        foreach (var file in Directory.EnumerateFiles(folder, TemporaryPrefix + "*", wholeTree ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly).ToList())
            if (TryDelete(file)) n++;
        // Staging folders (an upload kept under its own name, NewStagingFolder) with whatever is in them.
        foreach (var dir in Directory.EnumerateDirectories(TemporaryFolder, TemporaryPrefix + "*").ToList())
        {
            try
            {
                Directory.Delete(dir, recursive: true);
                n++;
            }
            catch (IOException)
            {
            }
        }
        return n;
    }

    static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
