using Microsoft.Data.Sqlite;

namespace Mira.Cli.Tests;

/// <summary>Issue 14 item 8: <c>mira user disable|enable|passwd|role</c> on the server's database, revoking tokens and audited.</summary>
public sealed class UserCommandTests : IDisposable
{
    readonly ArchiveCli cli = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        cli.Dispose();
    }

    List<(string Action, string Resource, string? Details)> Audit()
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(cli.Data, "index.db")};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var q = c.CreateCommand();
        q.CommandText = "SELECT action, resource, details FROM mira_audit ORDER BY seq";
        using var r = q.ExecuteReader();
        var rows = new List<(string, string, string?)>();
        while (r.Read()) rows.Add((r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)));
        return rows;
    }

    [Fact]
    public void Disabling_a_compromised_account_revokes_its_tokens_for_good_and_every_change_is_audited()
    {
        var env = new Dictionary<string, string> { ["MIRA_PASSWORD"] = "correct horse battery" };
        Assert.Equal(0, ArchiveCli.Run(env, null, "user", "add", "mallory", "--role", "steward", "--data", cli.Data).ExitCode);
        Assert.Equal(0, cli.Mira("token", "issue", "--user", "mallory").ExitCode);
        Assert.Equal(0, cli.Mira("token", "issue", "--user", "mallory", "--label", "second").ExitCode);

        var disabled = cli.Mira("user", "disable", "Mallory");
        Assert.Equal(0, disabled.ExitCode);
        Assert.Contains("disabled mallory (2 tokens revoked)", disabled.Stdout);
        Assert.Equal(0, cli.Mira("user", "enable", "mallory").ExitCode);
        var tokens = cli.Mira("token", "list").Stdout.Split('\n').Where(l => l.Contains("\tmallory\t")).ToList();
        Assert.Equal(2, tokens.Count);
        Assert.All(tokens, t => Assert.EndsWith("revoked", t.Trim()));

        Assert.Equal(0, cli.Mira("user", "role", "mallory", "--role", "annotator").ExitCode);
        Assert.Equal(0, ArchiveCli.Run(new Dictionary<string, string> { ["MIRA_PASSWORD"] = "a brand new one" }, null, "user", "passwd", "mallory", "--data", cli.Data).ExitCode);
        Assert.Equal(1, cli.Mira("user", "disable", "nobody").ExitCode);
        Assert.Equal(2, ArchiveCli.Run(new Dictionary<string, string> { ["MIRA_PASSWORD"] = "short" }, null, "user", "passwd", "mallory", "--data", cli.Data).ExitCode);

        var audit = Audit().Where(a => a.Resource == "mallory").Select(a => a.Action).ToList();
        Assert.Equal(["user.create", "user.disable", "user.enable", "user.roles", "user.password"], audit);
        Assert.Contains("\"revokedTokens\":2", Audit().Single(a => a.Action == "user.disable").Details);
    }
}
