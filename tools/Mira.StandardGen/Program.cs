namespace Mira.StandardGen;

/// <summary>
/// <c>dotnet run --project tools/Mira.StandardGen [-- --standard DIR] [--out DIR] [--deid-out DIR] [--check]</c>:
/// writes src/Mira.Dicom/Generated/*.g.cs and src/Mira.Deid/Generated/ConfidentialityProfile.g.cs (PS3.15 Table E.1-1),
/// or with --check compares them and exits 1 on drift.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string? standardDir = null, outDir = null, deidOutDir = null;
        var check = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--standard" when i + 1 < args.Length: standardDir = args[++i]; break;
                case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
                case "--deid-out" when i + 1 < args.Length: deidOutDir = args[++i]; break;
                case "--check": check = true; break;
                case "-h" or "--help":
                    Console.WriteLine("usage: Mira.StandardGen [--standard DIR] [--out DIR] [--deid-out DIR] [--check]");
                    return 0;
                default:
                    Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'");
                    return 2;
            }
        }

        try
        {
            var root = RepoPaths.FindRepoRoot(Directory.GetCurrentDirectory());
            standardDir ??= root is null ? null : RepoPaths.StandardDir(root);
            outDir ??= root is null ? null : RepoPaths.GeneratedDir(root);
            deidOutDir ??= root is null ? null : RepoPaths.DeidGeneratedDir(root);
            if (standardDir is null || outDir is null || deidOutDir is null)
            {
                Console.Error.WriteLine("cannot find the repository (Mira.slnx) above the current directory; pass --standard, --out and --deid-out");
                return 2;
            }
            if (!File.Exists(Path.Combine(standardDir, "attributes.json")))
            {
                Console.Error.WriteLine($"no attributes.json in {standardDir}");
                return 2;
            }

            if (check)
            {
                var problems = StandardGenerator.Check(standardDir, outDir).Concat(ConfidentialityProfileGenerator.Check(standardDir, deidOutDir)).ToList();
                foreach (var p in problems) Console.Error.WriteLine(p);
                if (problems.Count > 0)
                {
                    Console.Error.WriteLine("generated code is out of date: run `dotnet run --project tools/Mira.StandardGen`");
                    return 1;
                }
                Console.WriteLine("generated code is up to date");
                return 0;
            }

            foreach (var name in StandardGenerator.Write(standardDir, outDir))
                Console.WriteLine($"wrote {Path.Combine(outDir, name)}");
            ConfidentialityProfileGenerator.Write(standardDir, deidOutDir);
            Console.WriteLine($"wrote {Path.Combine(deidOutDir, ConfidentialityProfileGenerator.FileName)}");
            return 0;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }
}

/// <summary>Locations inside the repository and the shared inputs beside it (<c>&lt;root&gt;/../shared</c>).</summary>
public static class RepoPaths
{
    /// <summary>The nearest directory at or above <paramref name="start"/> holding Mira.slnx, or null.</summary>
    public static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Mira.slnx"))) return dir.FullName;
        return null;
    }

    public static string StandardDir(string repoRoot) =>
        Path.GetFullPath(Path.Combine(repoRoot, "..", "shared", "dicom-standard"));

    public static string GeneratedDir(string repoRoot) =>
        Path.Combine(repoRoot, "src", "Mira.Dicom", "Generated");

    /// <summary>Where the PS3.15 Table E.1-1 code for Mira.Deid goes.</summary>
    public static string DeidGeneratedDir(string repoRoot) =>
        Path.Combine(repoRoot, "src", "Mira.Deid", "Generated");
}
