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
/// and the exit code is then 1.
/// </summary>
public static class PixelsCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "DICOM files" };
        var sha = new Option<bool>("--sha256") { Description = "also print the SHA-256 of the decoded array (pydicom pixel_array layout: C order, little endian)" };
        var cmd = new Command("pixels", "Decode the pixel data of DICOM files and print the array's shape, dtype and, with --sha256, its hash")
        {
            paths, sha,
        };
        cmd.SetAction(r => Run(r.GetValue(paths)!, r.GetValue(sha)));
        return cmd;
    }

    sealed record Result(string Path, string? Line, string? Error);

    static int Run(string[] files, bool sha256)
    {
        var failed = false;
        var results = files.AsParallel().AsOrdered().WithDegreeOfParallelism(Math.Max(1, Environment.ProcessorCount))
            .Select(f => Process(f, sha256));
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        foreach (var r in results)
        {
            if (r.Error is not null)
            {
                stdout.Flush();
                Console.Error.WriteLine($"{r.Path}: {r.Error}");
                failed = true;
            }
            else stdout.WriteLine(r.Line);
        }
        stdout.Flush();
        return failed ? 1 : 0;
    }

    static Result Process(string path, bool sha256)
    {
        try
        {
            if (!File.Exists(path)) return new Result(path, null, "no such file");
            var file = DicomFile.Open(path);
            if (file.IsTruncated) return new Result(path, null, "truncated: " + file.Warnings.FirstOrDefault(w => w.Message.Contains("truncated")));
            var array = PixelArray.From(PixelData.Open(file));
            var line = $"{path}\t{array.ShapeText}\t{array.DType}\t{file.TransferSyntax.Uid}";
            return new Result(path, sha256 ? line + "\t" + array.Sha256() : line, null);
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
