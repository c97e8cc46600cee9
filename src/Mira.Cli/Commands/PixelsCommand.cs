using System.CommandLine;
using System.Text;
using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira pixels FILE... [--sha256]</c>: decodes every frame of each file and prints, tab-separated, the path, the
/// shape and dtype of the pixel array as pydicom 2.3's <c>pixel_array</c> would return it, the transfer syntax and,
/// with <c>--sha256</c>, the SHA-256 of that array's bytes (the hash the corpus oracle records; the layout rules are
/// in <see cref="PixelArray"/>). A file that cannot be read or decoded is reported as <c>path: reason</c> on stderr,
/// and the exit code is then 1. Folders are searched recursively. With <c>--decode-only</c> each frame is decoded into a
/// reused buffer and nothing is printed per file: one summary line (files, frames, decoded bytes) ends the output (the
/// mode the codec benchmark times, bench/compare-codecs.sh). Files are decoded in parallel, one per core.
/// </summary>
public static class PixelsCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "DICOM files or folders (searched recursively)" };
        var decodeOnly = new Option<bool>("--decode-only") { Description = "decode every frame, print only a final summary (files, frames, bytes)" };
        var sha = new Option<bool>("--sha256") { Description = "also print the SHA-256 of the decoded array (pydicom pixel_array layout: C order, little endian)" };
        var cmd = new Command("pixels", "Decode the pixel data of DICOM files and print the array's shape, dtype and, with --sha256, its hash")
        {
            paths, sha, decodeOnly,
        };
        cmd.SetAction(r => Run(r.GetValue(paths)!, r.GetValue(sha), r.GetValue(decodeOnly)));
        return cmd;
    }

    sealed record Result(string Path, string? Line, string? Error, int Frames = 0, long Bytes = 0);

    static int Run(string[] inputs, bool sha256, bool decodeOnly)
    {
        var failed = false;
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input)) files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else files.Add(input);
        }
        var results = files.AsParallel().AsOrdered().WithDegreeOfParallelism(Math.Max(1, Environment.ProcessorCount))
            .Select(f => decodeOnly ? DecodeOnly(f) : Process(f, sha256));
        int okFiles = 0, frames = 0;
        long bytes = 0;
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        foreach (var r in results)
        {
            if (r.Error is not null)
            {
                stdout.Flush();
                Console.Error.WriteLine($"{r.Path}: {r.Error}");
                failed = true;
            }
            else
            {
                okFiles++;
                frames += r.Frames;
                bytes += r.Bytes;
                if (r.Line is not null) stdout.WriteLine(r.Line);
            }
        }
        if (decodeOnly) stdout.WriteLine($"decoded {okFiles} files, {frames} frames, {bytes} bytes");
        stdout.Flush();
        return failed ? 1 : 0;
    }

    [ThreadStatic] static byte[]? frameBuffer;

    static Result DecodeOnly(string path) => Guard(path, () =>
    {
        if (!File.Exists(path)) return new Result(path, null, "no such file");
        var file = DicomFile.Open(path);
        if (file.IsTruncated) return new Result(path, null, "truncated: " + file.Warnings.FirstOrDefault(w => w.Code == DicomReadProblemCode.Truncated));
        var pixels = PixelData.Open(file);
        var length = checked((int)pixels.Format.FrameLength);
        if (frameBuffer is null || frameBuffer.Length < length) frameBuffer = GC.AllocateUninitializedArray<byte>(length);
        for (var i = 0; i < pixels.FrameCount; i++) pixels.DecodeFrame(i, frameBuffer.AsSpan(0, length));
        return new Result(path, null, null, pixels.FrameCount, (long)length * pixels.FrameCount);
    });

    static Result Process(string path, bool sha256) => Guard(path, () =>
    {
        if (!File.Exists(path)) return new Result(path, null, "no such file");
        var file = DicomFile.Open(path);
        if (file.IsTruncated) return new Result(path, null, "truncated: " + file.Warnings.FirstOrDefault(w => w.Code == DicomReadProblemCode.Truncated));
        var array = PixelArray.From(PixelData.Open(file));
        var line = $"{path}\t{array.ShapeText}\t{array.DType}\t{file.TransferSyntax.Uid}";
        return new Result(path, sha256 ? line + "\t" + array.Sha256() : line, null);
    });

    static Result Guard(string path, Func<Result> work)
    {
        try
        {
            return work();
        }
        catch (MiraException e) { return new Result(path, null, e.Message); }
        catch (IOException e) { return new Result(path, null, e.Message); }
        catch (UnauthorizedAccessException e) { return new Result(path, null, e.Message); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or OverflowException or FormatException or InvalidDataException or IndexOutOfRangeException or OutOfMemoryException)
        {
            return new Result(path, null, $"cannot decode: {e.GetType().Name}: {e.Message}");
        }
    }
}
