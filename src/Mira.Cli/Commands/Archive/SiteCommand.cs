using System.CommandLine;
using System.Text.Json;
using Mira.Platform.Sites;
using Mira.Storage.Security;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira site</c> (docs/sites.md). On a hub: <c>add NAME</c> (an account of role <c>site</c> and its token, printed
/// once), <c>list</c>, <c>remove NAME</c>. On a site: <c>link --hub URL --token TOKEN [--hub-certificate-sha256 HEX]</c>,
/// <c>push</c> (de-identify here, send only de-identified copies), <c>lookup PROJECT PSEUDONYM</c> (this site's vault).
/// </summary>
public static class SiteCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        ArchiveLocation At(ParseResult r) => new(r.GetValue(data)!, r.GetValue(db));

        var name = new Argument<string>("name") { Description = "the site's name (a-z, 0-9 and '-'); also its account's name" };
        var days = new Option<int>("--days") { Description = "the token's lifetime in days (default 365)", DefaultValueFactory = _ => 365 };
        var add = new Command("add", """
            Hub: register a site. Makes an account of the single role 'site' and a bearer token, printed once on stdout
            (give it to the site's operator for 'mira site link'). Exit codes: 0 added, 1 the name is taken, 2 usage error.
            """) { name, days, data, db };
        add.SetAction((r, ct) => AddAsync(At(r), r.GetValue(name)!, r.GetValue(days), ct));

        var list = new Command("list", "Hub: the registered sites and the projects naming each as a source") { data, db };
        list.SetAction((r, ct) => ListAsync(At(r), ct));

        var removeName = new Argument<string>("name") { Description = "the site to remove" };
        var remove = new Command("remove", "Hub: remove a site (its sources go, its account is disabled, its tokens stop working)") { removeName, data, db };
        remove.SetAction((r, ct) => RemoveAsync(At(r), r.GetValue(removeName)!, ct));

        var hub = new Option<string>("--hub") { Description = "the hub's base URL (https; http only on a loopback address)", Required = true };
        var token = new Option<string>("--token") { Description = "the token 'mira site add' printed on the hub", Required = true };
        var pin = new Option<string?>("--hub-certificate-sha256") { Description = "the SHA-256 of the hub's TLS certificate (64 hex digits): only that certificate is accepted" };
        var link = new Command("link", "Site: link this site to its hub (stored in this site's database)") { hub, token, pin, data, db };
        link.SetAction((r, ct) => LinkAsync(At(r), r.GetValue(hub)!, r.GetValue(token)!, r.GetValue(pin), ct));

        var push = new Command("push", """
            Site: push once. For each hub project naming this site: de-identify the matching intake instances here with
            the project's recipe and key, keep the pseudonym pairs in this site's vault, send only the de-identified copies.
            Instances already sent are skipped. Exit codes: 0 done, 1 the hub refused some or cannot be reached.
            """) { data, db };
        push.SetAction((r, ct) => PushAsync(At(r), ct));

        var project = new Argument<string>("project") { Description = "the hub project" };
        var pseudonym = new Argument<string>("pseudonym") { Description = "a pseudonym (Patient ID, UID) as the hub holds it" };
        var lookup = new Command("lookup", "Site: the identified value behind a pseudonym, from this site's vault (audited)") { project, pseudonym, data, db };
        lookup.SetAction((r, ct) => LookupAsync(At(r), r.GetValue(project)!, r.GetValue(pseudonym)!, ct));

        return new Command("site", "Sites and hub: data stays at the site, only de-identified copies travel (docs/sites.md)") { add, list, remove, link, push, lookup };
    }

    static async Task<int> AddAsync(ArchiveLocation location, string name, int days, CancellationToken ct)
    {
        if (days <= 0 || !HubSites.IsValidName(name))
        {
            Console.Error.WriteLine(days <= 0 ? "mira: --days must be at least 1" : $"mira: '{name}' is not a site name (a-z, 0-9 and '-', at most 63 characters)");
            return 2;
        }
        await using var platform = await location.OpenAsync(ct);
        try
        {
            var registered = await platform.Sites.AddSiteAsync(name, TimeSpan.FromDays(days), TokenCommand.Actor, ct);
            Console.WriteLine(registered.Token.Token);
            Console.Error.WriteLine($"site {name} registered; its token expires {TokenCommand.Format(registered.Token.Info.ExpiresUtc)}; shown once, hand it to the site now");
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine("mira: " + e.Message);
            return 1;
        }
    }

    static async Task<int> ListAsync(ArchiveLocation location, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        Console.WriteLine("site\tcreated\tprojects");
        foreach (var s in await platform.Sites.Store.ListSitesAsync(ct))
        {
            var projects = await platform.Sites.Store.ListSourcesAsync(site: s.Name, ct: ct);
            Console.WriteLine($"{s.Name}\t{TokenCommand.Format(s.Created)}\t{(projects.Count == 0 ? "-" : string.Join(",", projects.Select(p => p.Project)))}");
        }
        return 0;
    }

    static async Task<int> RemoveAsync(ArchiveLocation location, string name, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        if (!await platform.Sites.RemoveSiteAsync(name, TokenCommand.Actor, ct))
        {
            Console.Error.WriteLine($"mira: no site '{name}'");
            return 1;
        }
        Console.WriteLine($"removed site {name}");
        return 0;
    }

    static async Task<int> LinkAsync(ArchiveLocation location, string hub, string token, string? pin, CancellationToken ct)
    {
        if (HubClient.CheckUrl(hub, pin) is { } refused)
        {
            Console.Error.WriteLine("mira: " + refused);
            return 2;
        }
        if (!token.StartsWith(Mira.Storage.Security.TokenStore.Prefix, StringComparison.Ordinal))
        {
            Console.Error.WriteLine("mira: --token: not a Mira token (mira_...)");
            return 2;
        }
        await using var platform = await location.OpenAsync(ct);
        await platform.SitePush.Links.SetLinkAsync(hub, token, pin?.ToLowerInvariant(), ct);
        await platform.Audit.AppendAsync(new AuditEntry(TokenCommand.Actor, AuditActions.SiteLink, hub, "local", AuditOutcome.Success,
            JsonSerializer.Serialize(new { certificateSha256 = pin })), ct);
        Console.WriteLine($"linked to {hub}{(pin is null ? "" : " (certificate pinned)")}");
        return 0;
    }

    static async Task<int> PushAsync(ArchiveLocation location, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        try
        {
            var summaries = await platform.SitePush.PushAsync(TokenCommand.Actor, ct);
            Console.WriteLine("project\tsent\talready_sent\tquarantined\trefused");
            foreach (var s in summaries)
            {
                Console.WriteLine($"{s.Project}\t{s.Sent}\t{s.AlreadySent}\t{s.Quarantined}\t{s.Refused}");
                foreach (var reason in s.Reasons) Console.Error.WriteLine($"{s.Project}: {reason}");
            }
            return summaries.Any(s => s.Refused > 0 || s.Declined) ? 1 : 0;
        }
        catch (HubLinkException e)
        {
            Console.Error.WriteLine("mira: " + e.Message);
            return 1;
        }
    }

    static async Task<int> LookupAsync(ArchiveLocation location, string project, string pseudonym, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        var found = await platform.Projects.Store.LookupAsync(SitePush.VaultProject(project), pseudonym, ct);
        await platform.Audit.AppendAsync(new AuditEntry(TokenCommand.Actor, AuditActions.VaultLookup, $"{SitePush.VaultProject(project)}:{pseudonym}", "local",
            found.Count > 0 ? AuditOutcome.Success : AuditOutcome.Failure), ct);
        if (found.Count == 0)
        {
            Console.Error.WriteLine($"mira: no pseudonym '{pseudonym}' of hub project {project} in this site's vault");
            return 1;
        }
        Console.WriteLine("kind\toriginal\tpseudonym");
        foreach (var r in found) Console.WriteLine($"{r.Kind}\t{r.Original}\t{r.Pseudonym}");
        return 0;
    }
}
