using System.CommandLine;
using Mira.Storage.Security;

namespace Mira.Cli.Commands.Archive;

/// <summary><c>mira audit verify [--data DIR] [--anchor SEQ:HASH]</c>: checks the audit log's hash chain.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
        var anchor = new Option<string?>("--anchor")
        {
            Description = "a head printed earlier (SEQUENCE:HASH); also detects truncation and wholesale rewriting up to it",
        };
        var verify = new Command("verify", """
            Walk the audit log's hash chain from the first record. Prints the number of records checked and the head
            (sequence and hash): keep it outside the archive as an anchor and pass it back with --anchor later.
            Exit codes: 0 intact, 1 broken (the first break is printed), 2 usage error or no archive.
            """) { data, db, blobsOption, s3EndpointOption, anchor };
        verify.SetAction((r, ct) => VerifyAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(anchor), ct));
        return new Command("audit", "The audit log") { verify };
    }

    static async Task<int> VerifyAsync(ArchiveLocation location, string? anchorText, CancellationToken ct)
    {
        AuditAnchor? anchor = null;
        if (anchorText is not null)
        {
            var parts = anchorText.Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], out var seq) || parts[1].Length != 64)
            {
                Console.Error.WriteLine("mira: --anchor takes SEQUENCE:HASH (64 hex digits), as printed by 'mira audit verify'");
                return 2;
            }
            anchor = new AuditAnchor(seq, parts[1].ToLowerInvariant());
        }
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        var result = await platform.Audit.VerifyAsync(anchor, ct);
        Console.WriteLine($"records checked: {result.RecordsChecked}");
        if (result.FirstBreak is { } b)
        {
            Console.WriteLine($"BROKEN at record {b.Sequence} ({b.Kind}): {b.Message}");
            Console.WriteLine($"last intact record: {result.Head.Sequence}:{result.Head.Hash}");
            return 1;
        }
        Console.WriteLine($"head: {result.Head.Sequence}:{result.Head.Hash}");
        Console.WriteLine("intact" + (anchor is null ? "" : $" (anchor {anchor.Sequence} matches)"));
        return 0;
    }
}
