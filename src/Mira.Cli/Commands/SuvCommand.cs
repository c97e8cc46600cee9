using System.CommandLine;
using System.Globalization;
using System.Text;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging;
using Mira.Imaging.Pet;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira suv FILE...</c>: the SUVbw scale factor of each PET image (multiply the modality value, stored value ×
/// Rescale Slope + Intercept, by it to get SUVbw in g/ml), one line per instance: <c>path TAB factor</c> (17 significant
/// digits). Folders are searched recursively. DICOM files are grouped by Series Instance UID, because the scan reference
/// time may depend on the earliest Acquisition Time of the series (of the files given). A <c>.json</c> file is read as an
/// array of instances in calculate-suv's keyword shape (one series; lines <c>path#index</c>). With <c>--all</c> the line
/// also has SUL (Janmahasatian), SUVbsa (Du Bois, cm²/ml) and the scan time rule used (<c>-</c> where not available).
/// A file or series that cannot be given a factor is reported as <c>path: reason</c> on stderr and the exit code is 1.
/// </summary>
public static class SuvCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "PET DICOM files or folders, or calculate-suv JSON instance arrays" };
        var all = new Option<bool>("--all") { Description = "also print SUL, SUVbsa and the scan time rule" };
        var frt = new Option<bool>("--frame-reference-time")
        {
            Description = "when Series Time is after the acquisition (and no GE private scan time), back-compute the scan start from Frame Reference Time per image instead of taking the earliest Acquisition Time",
        };
        var cmd = new Command("suv", "Print the SUVbw scale factor of PET images (QIBA vendor-neutral algorithm)") { paths, all, frt };
        cmd.SetAction(r => Run(r.GetValue(paths)!, r.GetValue(all),
            r.GetValue(frt) ? PetSeriesAfterAcquisitionRule.FrameReferenceTime : PetSeriesAfterAcquisitionRule.EarliestAcquisition));
        return cmd;
    }

    sealed record Item(int Order, string Label, string Group, PetSuvInputs? Inputs, string? Error);

    static int Run(string[] inputs, bool all, PetSeriesAfterAcquisitionRule rule)
    {
        var files = new List<string>();
        var failed = false;
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else files.Add(input);
        }

        var options = DicomReadOptions.Default with { StopBeforePixelData = true };
        var items = files.Select((f, i) => (f, i)).AsParallel().AsOrdered().WithDegreeOfParallelism(Math.Max(1, Environment.ProcessorCount))
            .SelectMany(x => Read(x.f, x.i, options)).ToList();

        var lines = new SortedDictionary<(int, int), (string Text, bool Error)>();
        var sub = 0;
        foreach (var item in items.Where(i => i.Error is not null))
            lines[(item.Order, sub++)] = ($"{item.Label}: {item.Error}", true);
        foreach (var group in items.Where(i => i.Error is null).GroupBy(i => i.Group, StringComparer.Ordinal))
        {
            var members = group.ToList();
            var result = PetSuv.Compute(members.Select(m => m.Inputs!).ToArray(), rule);
            for (var k = 0; k < members.Count; k++)
            {
                var m = members[k];
                lines[(m.Order, sub++)] = result.Ok ? (Format(m.Label, result.Factors![k], all), false) : ($"{m.Label}: {result.Refusal}", true);
            }
        }

        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        foreach (var (text, error) in lines.Values)
        {
            if (error)
            {
                stdout.Flush();
                Console.Error.WriteLine(text);
                failed = true;
            }
            else stdout.WriteLine(text);
        }
        stdout.Flush();
        return failed ? 1 : 0;
    }

    static string Format(string label, PetSuvFactors f, bool all)
    {
        static string N(double? v) => v is { } d ? d.ToString("G17", CultureInfo.InvariantCulture) : "-";
        var line = label + "\t" + N(f.SuvBw);
        return all ? $"{line}\t{N(f.SuvLbm)}\t{N(f.SuvBsa)}\t{f.ScanTimeSource}" : line;
    }

    static IEnumerable<Item> Read(string path, int order, DicomReadOptions options)
    {
        if (!File.Exists(path)) return [new Item(order, path, path, null, "no such file or folder")];
        try
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                // One JSON file is one series; the group key keeps it apart from every other input.
                return PetSuvInputs.FromKeywordJsonArray(File.ReadAllText(path), path)
                    .Select(i => new Item(order, i.Source, "json:" + path, i, null)).ToArray();
            var file = DicomFile.Open(path, options);
            var ds = file.Dataset;
            var modality = ds.GetString(DicomTags.Modality);
            if (modality is not null && modality != "PT")
                return [new Item(order, path, path, null, $"Modality is {modality}, not PT")];
            var inputs = PetSuvInputs.FromDataset(ds, path);
            return [new Item(order, path, inputs.SeriesInstanceUid is { } uid ? "uid:" + uid : "file:" + path, inputs, null)];
        }
        catch (MiraException e) { return [new Item(order, path, path, null, e.Message)]; }
        catch (System.Text.Json.JsonException e) { return [new Item(order, path, path, null, "not JSON: " + e.Message)]; }
        catch (IOException e) { return [new Item(order, path, path, null, e.Message)]; }
        catch (UnauthorizedAccessException e) { return [new Item(order, path, path, null, e.Message)]; }
    }
}
