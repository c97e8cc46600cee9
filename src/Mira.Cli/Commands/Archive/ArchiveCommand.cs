using System.CommandLine;
using Mira.Storage.Verify;

namespace Mira.Cli.Commands.Archive;

/// <summary><c>mira archive verify [--data DIR] [--db CONNECTION] [--blobs FOLDER|s3://BUCKET[/PREFIX]] [--s3-endpoint URL] [--repair] [--no-hash]</c>: checks that index and blobs agree.</summary>
public static class ArchiveCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
        var repair = new Option<bool>("--repair")
        {
            Description = "remove leftovers of interrupted ingests (temporary files, blobs never indexed); run it while no server is running",
        };
        var noHash = new Option<bool>("--no-hash") { Description = "check presence and size only, not SHA-256 (faster)" };
        var verify = new Command("verify", """
            Check that the index and the blob store agree: every indexed instance has its blob with the recorded size
            and SHA-256, and every blob is indexed. Missing or corrupt blobs are reported, never deleted.
            Exit codes: 0 consistent, 1 inconsistent, 2 no archive in the data folder.
            """) { data, db, blobsOption, s3EndpointOption, repair, noHash };
        verify.SetAction((r, ct) => VerifyAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(repair), !r.GetValue(noHash), ct));
        return new Command("archive", "Archive maintenance") { verify };
    }

    static async Task<int> VerifyAsync(ArchiveLocation location, bool repair, bool hashes, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        var blobs = platform.Blobs;
        var report = await new ArchiveVerifier(platform.Index, blobs) { CheckHashes = hashes }.VerifyAsync(repair, ct);
        Console.WriteLine($"archive {location.Describe()}");
        Console.WriteLine($"instances indexed: {report.Instances}");
        Console.WriteLine($"blobs: {report.Blobs}");
        if (repair) Console.WriteLine($"repaired (leftovers removed): {report.Repaired}");
        foreach (var group in report.Problems.GroupBy(p => p.Kind).OrderBy(g => g.Key))
        {
            Console.WriteLine($"{group.Key}: {group.Count()}");
            foreach (var p in group)
                Console.WriteLine($"  {blobs.Describe(p.BlobKey)}{(p.SopInstanceUid is null ? "" : " SOP Instance UID " + p.SopInstanceUid)}: {p.Detail}");
        }
        Console.WriteLine(report.IsConsistent ? "consistent" : $"INCONSISTENT: {report.Problems.Count} problem(s)");
        return report.IsConsistent ? 0 : 1;
    }
}
