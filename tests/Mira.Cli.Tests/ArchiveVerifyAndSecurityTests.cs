using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Mira.Testing;

namespace Mira.Cli.Tests;

public sealed partial class ArchiveVerifyAndSecurityTests : IDisposable
{
    readonly ArchiveCli cli = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        cli.Dispose();
    }

    [Fact]
    public async Task Verify_is_consistent_after_import_and_names_a_deleted_blob()
    {
        Assert.Equal(0, cli.Mira("import", Path.Combine(Corpus.Root, "dicom/charset/chrX1.dcm"), Path.Combine(Corpus.Root, "dicom/charset/chrGerm.dcm")).ExitCode);
        var ok = cli.Mira("archive", "verify");
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("instances indexed: 2", ok.Stdout);
        Assert.Contains("consistent", ok.Stdout);

        var (index, blobs) = await cli.OpenAsync();
        var victim = await index.EnumerateInstancesAsync().FirstAsync();
        Assert.True(blobs.Delete(victim.BlobKey));
        var bad = cli.Mira("archive", "verify");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("MissingBlob: 1", bad.Stdout);
        Assert.Contains(victim.SopInstanceUid, bad.Stdout);
        Assert.Contains(Path.GetFileName(victim.BlobKey), bad.Stdout);
        Assert.Contains("INCONSISTENT", bad.Stdout);
    }

    [Fact]
    public void Verify_without_an_archive_exits_2() =>
        Assert.Equal(2, cli.Mira("archive", "verify").ExitCode);

    [GeneratedRegex("^mira_[A-Za-z0-9_-]{43}$")]
    private static partial Regex TokenPattern();

    [Fact]
    public void A_token_is_printed_once_and_listed_without_its_secret()
    {
        var env = new Dictionary<string, string> { ["MIRA_PASSWORD"] = "correct horse battery" };
        var added = ArchiveCli.Run(env, null, "user", "add", "Alice", "--role", "steward,auditor", "--data", cli.Data);
        Assert.Equal(0, added.ExitCode);
        var fromStdin = ArchiveCli.Run(null, "another secret\n", "user", "add", "bob", "--role", "annotator", "--data", cli.Data);
        Assert.Equal(0, fromStdin.ExitCode);
        Assert.Equal(1, ArchiveCli.Run(env, null, "user", "add", "alice", "--role", "admin", "--data", cli.Data).ExitCode);
        var users = cli.Mira("user", "list");
        Assert.Contains("alice\tsteward,auditor\tenabled", users.Stdout);
        Assert.Contains("bob\tannotator\tenabled", users.Stdout);

        var issued = cli.Mira("token", "issue", "--user", "alice", "--label", "nightly", "--days", "7");
        Assert.Equal(0, issued.ExitCode);
        var token = issued.Stdout.Trim();
        Assert.Matches(TokenPattern(), token);
        Assert.DoesNotContain(token, issued.Stderr);

        var list = cli.Mira("token", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.DoesNotContain(token, list.Stdout);
        Assert.DoesNotContain(token[5..], list.Stdout);
        var row = list.Stdout.Split('\n').Single(l => l.Contains("\talice\tnightly\t"));
        Assert.EndsWith("active", row.Trim());
        var id = row.Split('\t')[0];

        Assert.Equal(1, cli.Mira("token", "issue", "--user", "nobody").ExitCode);
        Assert.Equal(0, cli.Mira("token", "revoke", id).ExitCode);
        Assert.EndsWith("revoked", cli.Mira("token", "list").Stdout.Split('\n').Single(l => l.StartsWith(id)).Trim());
        Assert.Equal(1, cli.Mira("token", "revoke", "0000000000000000").ExitCode);

        var audit = cli.Mira("audit", "verify");
        Assert.Equal(0, audit.ExitCode);
        Assert.Contains("records checked: 4", audit.Stdout); // two users created, a token issued and revoked
    }

    [Fact]
    public async Task Audit_verify_prints_the_head_and_exits_1_on_a_break()
    {
        await cli.OpenAsync();
        var fresh = cli.Mira("audit", "verify");
        Assert.Equal(0, fresh.ExitCode);
        Assert.Contains("records checked: 0", fresh.Stdout);
        Assert.Contains("head: 0:" + new string('0', 64), fresh.Stdout);

        cli.Mira("import", Path.Combine(Corpus.Root, "dicom/charset/chrX1.dcm"));
        cli.Mira("import", Path.Combine(Corpus.Root, "dicom/charset/chrX1.dcm"));
        var two = cli.Mira("audit", "verify");
        Assert.Equal(0, two.ExitCode);
        var head = Regex.Match(two.Stdout, "head: (2:[0-9a-f]{64})").Groups[1].Value;
        Assert.NotEmpty(head);
        Assert.Equal(0, cli.Mira("audit", "verify", "--anchor", head).ExitCode);

        await using (var c = new SqliteConnection($"Data Source={Path.Combine(cli.Data, "index.db")};Pooling=False"))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "DROP TRIGGER mira_audit_no_update; UPDATE mira_audit SET actor = 'mallory' WHERE seq = 1;";
            await cmd.ExecuteNonQueryAsync();
        }
        var broken = cli.Mira("audit", "verify");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("BROKEN at record 1", broken.Stdout);
    }
}
