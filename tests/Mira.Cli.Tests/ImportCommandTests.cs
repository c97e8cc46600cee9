using Mira.Storage.Query;
using Mira.Testing;

namespace Mira.Cli.Tests;

public sealed class ImportCommandTests : IDisposable
{
    readonly ArchiveCli cli = new();

    public void Dispose() => cli.Dispose();

    static readonly string[] Folders = [Path.Combine(Corpus.Root, "dicom/charset"), Path.Combine(Corpus.Root, "dicom/edge")];

    /// <summary>What the ingest pipeline itself decides for the same files in the same order, in a separate store.</summary>
    async Task<(int Stored, int Present, int Refused, int Conflicts)> ExpectedAsync()
    {
        var (index, blobs) = await cli.OpenAsync(Path.Combine(cli.Root, "oracle"));
        var ingest = new IngestService(index, blobs);
        int stored = 0, present = 0, refused = 0, conflicts = 0;
        foreach (var file in Folders.SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)))
        {
            var r = await ingest.StoreAsync(await File.ReadAllBytesAsync(file), IngestSource.Unknown);
            if (r.Outcome == StoreOutcome.Stored) stored++;
            else if (r.Outcome == StoreOutcome.AlreadyStored) present++;
            else
            {
                refused++;
                if (r.Status == StoreStatus.DuplicateSopInstance) conflicts++;
            }
        }
        return (stored, present, refused, conflicts);
    }

    [Fact]
    public async Task Import_reports_what_was_stored_and_refused_and_a_second_import_finds_everything_present()
    {
        var expected = await ExpectedAsync();
        var total = Folders.Sum(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories).Count());
        Assert.True(expected.Stored > 20 && expected.Conflicts > 0, "the corpus folders hold what this test needs");

        var first = cli.Mira(["import", .. Folders]);
        Assert.Contains($"imported {total} file(s)", first.Stdout);
        Assert.Equal(expected.Stored, ArchiveCli.Count(first.Stdout, "stored"));
        Assert.Equal(expected.Present, ArchiveCli.Count(first.Stdout, "already present (identical)"));
        Assert.Equal(expected.Refused, ArchiveCli.Count(first.Stdout, "refused"));
        Assert.Equal(expected.Conflicts, ArchiveCli.Count(first.Stdout, "conflict 0x0111 (another object under a stored SOP Instance UID)"));
        Assert.Equal(total, expected.Stored + expected.Present + expected.Refused);
        Assert.Contains("FileInfo.txt", first.Stdout.Split("not DICOM:")[1]);
        Assert.Contains("importing " + total + "/" + total, first.Stderr);
        Assert.Equal(1, first.ExitCode); // DICOM files were refused (conflicts, missing UIDs, truncated)

        var (index, _) = await cli.OpenAsync();
        Assert.Equal(expected.Stored, (await index.QueryInstancesAsync(QidoQuery.Empty)).Count);

        var second = cli.Mira(["import", .. Folders]);
        Assert.Equal(0, ArchiveCli.Count(second.Stdout, "stored"));
        Assert.Equal(expected.Stored, ArchiveCli.Count(second.Stdout, "already present (identical)"));
        Assert.Equal(expected.Refused, ArchiveCli.Count(second.Stdout, "refused"));
        Assert.Equal(expected.Stored, (await index.QueryInstancesAsync(QidoQuery.Empty)).Count);
    }

    [Fact]
    public async Task Import_for_an_uploader_or_a_calling_AE_queues_the_copies_its_project_rules_ask_for_as_STOW_and_C_STORE_do()
    {
        await using (var platform = await MiraPlatform.OpenAsync(new PlatformOptions
                     {
                         DataFolder = cli.Data, Console = TextWriter.Null, Security = new() { Pbkdf2Iterations = 1000 },
                     }))
        {
            await platform.Accounts.CreateUserAsync("alice", "alice-password-1", ["steward"]);
            Assert.True(await platform.Projects.Store.CreateAsync("up", "Uploads", "basic", "{}", "h", new byte[32]));
            await platform.Projects.Store.AddUploaderRuleAsync("up", "alice");
            Assert.True(await platform.Projects.Store.CreateAsync("pacs", "PACS", "basic", "{}", "h", new byte[32]));
            await platform.Projects.Store.AddRuleAsync("pacs", "PACS1");
        }
        var folder = Path.Combine(Corpus.Root, "dicom", "dicomdir", "77654033", "CT2");
        var files = Directory.GetFiles(folder).Length;

        var plain = cli.Mira("import", folder);
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.True(cli.Mira("import", "--uploader", "alice", folder).ExitCode == 0);
        Assert.True(cli.Mira("import", "--calling-ae", "PACS1", folder).ExitCode == 0);
        Assert.Equal(2, cli.Mira("import", "--uploader", "nobody", folder).ExitCode);

        await using var after = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = cli.Data, Console = TextWriter.Null });
        var jobs = await after.Projects.OutstandingRuleCopiesAsync();
        Assert.Equal(files, jobs.Count(j => j is { Project: "up", Origin: "uploader:alice" }));
        Assert.Equal(files, jobs.Count(j => j is { Project: "pacs", Origin: "ae:PACS1" }));
        Assert.Equal(2 * files, jobs.Count);
        // Each run is one audit record with its counts (the plain import stored, the others found everything present).
        var imports = (await after.Audit.ReadAsync()).Where(r => r.Action == Mira.Platform.Audit.AuditActions.ImportStore).ToList();
        Assert.Equal(3, imports.Count);
        Assert.Contains($"\"stored\":{files}", imports[0].DetailsJson);
        Assert.Contains($"\"alreadyStored\":{files}", imports[1].DetailsJson);
    }

    [Fact]
    public void Files_that_are_not_DICOM_fail_the_import_only_with_strict()
    {
        var input = Path.Combine(cli.Root, "in");
        Directory.CreateDirectory(input);
        File.Copy(Path.Combine(Corpus.Root, "dicom/charset/chrX1.dcm"), Path.Combine(input, "a.dcm"));
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not an image");

        var r = cli.Mira("import", input);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(1, ArchiveCli.Count(r.Stdout, "stored"));
        Assert.Equal(1, ArchiveCli.Count(r.Stdout, "not DICOM"));
        Assert.Contains("notes.txt", r.Stdout);

        var strict = cli.Mira("import", "--strict", input);
        Assert.Equal(1, strict.ExitCode);
        Assert.Equal(1, ArchiveCli.Count(strict.Stdout, "already present (identical)"));
    }

    [Fact]
    public void A_missing_path_fails_the_import()
    {
        var r = cli.Mira("import", Path.Combine(cli.Root, "nowhere"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no such file or folder", r.Stderr);
    }

    [Fact]
    public void Help_documents_the_exit_codes()
    {
        var r = MiraProcess.Run("import", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--strict", r.Stdout);
        Assert.Contains("Exit codes", r.Stdout);
    }
}
