using System.CommandLine;
using System.Text.Json;
using Mira.Deid;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira deid --recipe NAME|R.json [--key-file K] IN... --out DIR [--record FILE] [--mapping FILE] [--jobs N]</c>:
/// offline de-identification (PS3.15 Annex E, see docs/deid.md) of files and folders into DIR, which mirrors each
/// input's tree. Quarantined (burned-in text) and non-DICOM files are not written; each is listed on stderr. The run
/// record (recipe, input → output UIDs) goes to --record, by default DIR.deid-run.json beside (not inside) DIR; the
/// original → pseudonym pairs for the vault go to --mapping when given. Exit 0, or 1 when a DICOM file failed, 2 on
/// bad arguments.
/// </summary>
public static class DeidCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Arity = ArgumentArity.OneOrMore, Description = "DICOM files or folders" };
        var recipe = new Option<string>("--recipe") { Description = "built-in recipe (basic, research) or a recipe JSON file", Required = true };
        var keyFile = new Option<string?>("--key-file") { Description = "project key (64 hex digits, base64 or ≥16 raw bytes); without it a random key is used and pseudonyms link to no other run" };
        var output = new Option<string>("--out") { Description = "output folder", Required = true };
        var record = new Option<string?>("--record") { Description = "where to write the run record (default: OUT.deid-run.json)" };
        var mapping = new Option<string?>("--mapping") { Description = "where to write the original → pseudonym records for the vault" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "files processed in parallel (default: one per core)" };
        var cmd = new Command("deid", "De-identify DICOM files with a PS3.15 profile recipe") { inputs, recipe, keyFile, output, record, mapping, jobs };
        cmd.SetAction(r => Run(r.GetValue(inputs)!, r.GetValue(recipe)!, r.GetValue(keyFile), r.GetValue(output)!, r.GetValue(record), r.GetValue(mapping), r.GetValue(jobs)));
        return cmd;
    }

    static int Run(string[] inputs, string recipeName, string? keyFile, string output, string? recordPath, string? mappingPath, int jobs)
    {
        DeidRecipe recipe;
        ProjectKey key;
        try
        {
            recipe = DeidRecipe.Load(recipeName);
            key = keyFile is null ? ProjectKey.Generate() : ProjectKey.FromFile(keyFile);
        }
        catch (Exception e) when (e is IOException or FormatException or JsonException or ArgumentException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"mira deid: {e.Message}");
            return 2;
        }
        foreach (var i in inputs)
            if (!File.Exists(i) && !Directory.Exists(i))
            {
                Console.Error.WriteLine($"mira deid: {i}: no such file or folder");
                return 2;
            }
        if (keyFile is null) Console.Error.WriteLine("mira deid: no --key-file: using a random key; pseudonyms will not match any other run");
        Directory.CreateDirectory(output);
        var engine = new DeidEngine(recipe, key);
        var run = DeidRunner.Run(engine, inputs, output, jobs);
        foreach (var f in run.Files)
            if (f.Status != DeidFileStatus.Deidentified)
                Console.Error.WriteLine($"{f.Input}: {f.Status.ToString().ToLowerInvariant()}: {f.Reason}");
        recordPath ??= Path.TrimEndingDirectorySeparator(Path.GetFullPath(output)) + ".deid-run.json";
        File.WriteAllText(recordPath, run.ToJson());
        if (mappingPath is not null)
            File.WriteAllText(mappingPath, PseudonymRecord.ToJson(engine.MappingRecords));
        Console.Error.WriteLine($"mira deid: recipe {recipe.Name} v{recipe.Version}: {run.Deidentified} de-identified, {run.Quarantined} quarantined, " +
            $"{run.NotDicom} not DICOM, {run.Failed} failed; run record {recordPath}");
        return run.Failed > 0 ? 1 : 0;
    }
}
