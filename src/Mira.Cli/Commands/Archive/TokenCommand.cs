using System.CommandLine;
using System.Globalization;
using Mira.Storage.Security;

namespace Mira.Cli.Commands.Archive;

/// <summary><c>mira token issue|list|revoke</c>: bearer tokens for DICOMweb and the REST API.</summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
        var user = new Option<string>("--user") { Description = "the account the token acts as", Required = true };
        var days = new Option<int>("--days") { Description = "lifetime in days (default 90)", DefaultValueFactory = _ => 90 };
        var label = new Option<string?>("--label") { Description = "a note to recognise the token by (e.g. the script using it)" };
        var issue = new Command("issue", """
            Issue a bearer token for an existing, enabled user. The token (mira_...) is printed once on stdout and
            stored only as a hash: copy it now. Exit codes: 0 issued, 1 no such enabled user, 2 usage error.
            """) { user, days, label, data, db, blobsOption, s3EndpointOption };
        issue.SetAction((r, ct) => IssueAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(user)!, r.GetValue(days), r.GetValue(label), ct));

        var listUser = new Option<string?>("--user") { Description = "only this user's tokens" };
        var list = new Command("list", "List tokens (id, user, label, created, expires, state); never the secrets") { listUser, data, db, blobsOption, s3EndpointOption };
        list.SetAction((r, ct) => ListAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(listUser), ct));

        var id = new Argument<string>("id") { Description = "the token's id, as 'mira token list' shows it" };
        var revoke = new Command("revoke", "Revoke a token by its id. Exit codes: 0 revoked, 1 no such token") { id, data, db, blobsOption, s3EndpointOption };
        revoke.SetAction((r, ct) => RevokeAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(id)!, ct));

        return new Command("token", "Bearer tokens (Authorization: Bearer mira_...)") { issue, list, revoke };
    }

    static async Task<int> IssueAsync(ArchiveLocation location, string user, int days, string? label, CancellationToken ct)
    {
        if (days <= 0)
        {
            Console.Error.WriteLine("mira: --days must be at least 1");
            return 2;
        }
        if (!AccountStore.TryNormalizeUserName(user, out _))
        {
            Console.Error.WriteLine($"mira: '{user}' is not a valid user name");
            return 2;
        }
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        var (tokens, log) = (platform.Tokens, platform.Audit);
        IssuedToken issued;
        try
        {
            issued = await tokens.IssueAsync(user, TimeSpan.FromDays(days), label, ct);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine("mira: " + e.Message);
            return 1;
        }
        await log.AppendAsync(new AuditEntry(Actor, AuditActions.TokenIssue, issued.Info.Id, "local", AuditOutcome.Success,
            System.Text.Json.JsonSerializer.Serialize(new { user = issued.Info.UserName, days, label })), ct);
        Console.WriteLine(issued.Token);
        Console.Error.WriteLine($"token {issued.Info.Id} for {issued.Info.UserName}, expires {Format(issued.Info.ExpiresUtc)}; shown once, store it now");
        return 0;
    }

    static async Task<int> ListAsync(ArchiveLocation location, string? user, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        var tokens = platform.Tokens;
        var now = DateTimeOffset.UtcNow;
        Console.WriteLine("id\tuser\tlabel\tcreated\texpires\tstate");
        foreach (var t in await tokens.ListAsync(user, ct))
        {
            var state = t.Revoked ? "revoked" : t.ExpiresUtc <= now ? "expired" : "active";
            Console.WriteLine($"{t.Id}\t{t.UserName}\t{t.Label ?? "-"}\t{Format(t.CreatedUtc)}\t{Format(t.ExpiresUtc)}\t{state}");
        }
        return 0;
    }

    static async Task<int> RevokeAsync(ArchiveLocation location, string id, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        if (!await platform.Tokens.RevokeAsync(id, ct))
        {
            Console.Error.WriteLine($"mira: no token with id {id}");
            return 1;
        }
        await platform.Audit.AppendAsync(new AuditEntry(Actor, AuditActions.TokenRevoke, id, "local"), ct);
        Console.WriteLine($"revoked {id}");
        return 0;
    }

    internal static string Actor => "os:" + Environment.UserName;

    internal static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
