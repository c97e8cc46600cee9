using System.CommandLine;
using System.Text;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Json;

namespace Mira.Cli.Commands;

/// <summary><c>mira dump PATH...</c>: a text listing or the PS3.18 JSON of each DICOM file.</summary>
public static class DumpCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "DICOM files or folders (searched recursively)" };
        var format = new Option<string>("--format") { Description = "text (default) or json (PS3.18 Annex F)", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var stop = new Option<bool>("--stop-before-pixels") { Description = "stop reading at Pixel Data" };
        var outDir = new Option<string?>("--out") { Description = "write one file per input under this folder (path relative to the input folder + .json/.txt)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "do not print read warnings" };
        var cmd = new Command("dump", "Print DICOM files as text (like dcmdump) or as DICOM JSON") { paths, format, stop, outDir, quiet };
        cmd.SetAction(r => Run(r.GetValue(paths)!, r.GetValue(format) == "json", r.GetValue(stop), r.GetValue(outDir), r.GetValue(quiet)));
        return cmd;
    }

    sealed record Result(string Path, string? Output, string? OutPath, string? Error, IReadOnlyList<DicomReadWarning> Warnings);

    static int Run(string[] inputs, bool json, bool stopBeforePixels, string? outDir, bool quiet)
    {
        var failed = false;
        var files = new List<(string Path, string Relative)>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                foreach (var f in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    files.Add((f, Path.GetRelativePath(input, f)));
            }
            else if (File.Exists(input)) files.Add((input, Path.GetFileName(input)));
            else
            {
                Console.Error.WriteLine($"{input}: no such file or folder");
                failed = true;
            }
        }

        var options = DicomReadOptions.Default with { StopBeforePixelData = stopBeforePixels };
        var ext = json ? ".json" : ".txt";
        var results = files.AsParallel().AsOrdered().WithDegreeOfParallelism(Environment.ProcessorCount)
            .Select(f => Process(f.Path, outDir is null ? null : Path.Combine(outDir, f.Relative + ext), json, options));
        // One buffered writer for all output: the console writer flushes on every write.
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        foreach (var r in results)
        {
            if (!quiet)
                foreach (var w in r.Warnings) Console.Error.WriteLine($"{r.Path}: warning: {w}");
            if (r.Error is not null)
            {
                Console.Error.WriteLine($"{r.Path}: {r.Error}");
                failed = true;
                if (r.Output is null) continue;
            }
            if (r.Output is not null)
            {
                if (!json) stdout.WriteLine($"# {r.Path}");
                stdout.Write(r.Output);
                stdout.WriteLine();
            }
        }
        stdout.Flush();
        return failed ? 1 : 0;
    }

    static Result Process(string path, string? outPath, bool json, DicomReadOptions options)
    {
        try
        {
            var file = DicomFile.Open(path, options);
            string text;
            if (json)
            {
                text = DicomJsonWriter.Serialize(file.Dataset, new DicomJsonWriteOptions { Indented = outPath is not null });
            }
            else
            {
                var sw = new StringWriter();
                DicomDump.Write(sw, file);
                text = sw.ToString();
            }
            // A truncated file is dumped as far as it goes, and still counts as a failure.
            var error = file.IsTruncated ? "truncated: " + file.Warnings.First(w => w.Code == DicomReadProblemCode.Truncated) : null;
            if (outPath is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
                var tmp = outPath + ".tmp";
                File.WriteAllText(tmp, text, new UTF8Encoding(false));
                File.Move(tmp, outPath, overwrite: true);
                return new Result(path, null, outPath, error, file.Warnings);
            }
            return new Result(path, text, null, error, file.Warnings);
        }
        catch (DicomFormatException e) { return new Result(path, null, null, e.Message, []); }
        catch (IOException e) { return new Result(path, null, null, e.Message, []); }
        catch (UnauthorizedAccessException e) { return new Result(path, null, null, e.Message, []); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or OverflowException or FormatException or InvalidDataException or IndexOutOfRangeException or KeyNotFoundException or NotSupportedException)
        {
            return new Result(path, null, null, $"cannot read: {e.GetType().Name}: {e.Message}", []);
        }
    }
}
