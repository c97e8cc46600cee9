using System.CommandLine;
using System.Text;
using Mira.Deid;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira phi-scan DIR... [--originals IN]...</c>: prints one line per identifying value found in the DICOM files
/// under DIR (<c>file TAB tag path TAB why TAB value</c>): values that equal or contain a PHI value of the originals
/// (names, IDs, birth dates, addresses, accession numbers, physicians, institution), or a person name of the originals
/// in any of its written forms (every component group; joined, spaced, reversed, case ignored), and Chinese resident identity
/// numbers, telephone numbers and e-mail addresses anywhere in free text, sequences and private elements included.
/// With one folder and one originals folder, each file is compared with its original at the same relative path.
/// Exit 1 when anything is found, else 0 (2 on bad arguments).
/// </summary>
public static class PhiScanCommand
{
    public static Command Create()
    {
        var dirs = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "de-identified files or folders to scan" };
        var originals = new Option<string[]>("--originals") { Description = "the original files or folders, whose PHI values are looked for", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("phi-scan", "Look for PHI left in DICOM files") { dirs, originals };
        cmd.SetAction(r => Run(r.GetValue(dirs)!, r.GetValue(originals) ?? []));
        return cmd;
    }

    static int Run(string[] paths, string[] originals)
    {
        foreach (var p in paths.Concat(originals))
            if (!File.Exists(p) && !Directory.Exists(p))
            {
                Console.Error.WriteLine($"mira phi-scan: {p}: no such file or folder");
                return 2;
            }
        var results = PhiScanner.Scan(paths, originals);
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
        var count = 0;
        foreach (var list in results)
            foreach (var f in list)
            {
                stdout.WriteLine(f.ToString());
                count++;
            }
        stdout.Flush();
        Console.Error.WriteLine($"mira phi-scan: {results.Length} files, {count} finding(s)");
        return count > 0 ? 1 : 0;
    }
}
