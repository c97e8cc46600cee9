using System.CommandLine;
using Mira.Platform.Sites;
using Mira.Storage.Sites;

namespace Mira.Cli.Commands.Archive;

/// <summary><c>mira project source add|remove|list</c>: the sites a hub project takes de-identified copies from (docs/sites.md).</summary>
public static class ProjectCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        ArchiveLocation At(ParseResult r) => new(r.GetValue(data)!, r.GetValue(db));
        var project = new Argument<string>("project") { Description = "the project's id" };
        var site = new Option<string>("--site") { Description = "a registered site (mira site add)", Required = true };
        var modality = new Option<string[]>("--modality") { Description = "send only studies with one of these modalities (default: all)", AllowMultipleArgumentsPerToken = true };
        var from = new Option<string?>("--study-date-from") { Description = "send only studies from this date (YYYYMMDD)" };
        var to = new Option<string?>("--study-date-to") { Description = "send only studies up to this date (YYYYMMDD)" };
        var add = new Command("add", "Name a site as a source of the project (or change what it sends). Exit codes: 0 done, 1 refused") { project, site, modality, from, to, data, db };
        add.SetAction(async (r, ct) =>
        {
            if (At(r).RequireExisting() is { } code) return code;
            await using var platform = await At(r).OpenAsync(ct);
            var modalities = r.GetValue(modality) ?? [];
            var filter = new SourceFilter(modalities.Length == 0 ? null : modalities, r.GetValue(from), r.GetValue(to));
            if (await platform.Sites.SetSourceAsync(r.GetValue(project)!, r.GetValue(site)!, filter, TokenCommand.Actor, ct) is { } refused)
            {
                Console.Error.WriteLine("mira: " + refused);
                return 1;
            }
            Console.WriteLine($"{r.GetValue(project)}: source {r.GetValue(site)} ({(filter.IsAll ? "all" : filter.ToJson())})");
            return 0;
        });
        var removeSite = new Option<string>("--site") { Description = "the source to remove", Required = true };
        var remove = new Command("remove", "Stop taking copies from a site") { project, removeSite, data, db };
        remove.SetAction(async (r, ct) =>
        {
            if (At(r).RequireExisting() is { } code) return code;
            await using var platform = await At(r).OpenAsync(ct);
            if (await platform.Sites.RemoveSourceAsync(r.GetValue(project)!, r.GetValue(removeSite)!, TokenCommand.Actor, ct)) return 0;
            Console.Error.WriteLine($"mira: project {r.GetValue(project)} has no source '{r.GetValue(removeSite)}'");
            return 1;
        });
        var list = new Command("list", "The project's source sites and what each sends") { project, data, db };
        list.SetAction(async (r, ct) =>
        {
            if (At(r).RequireExisting() is { } code) return code;
            await using var platform = await At(r).OpenAsync(ct);
            Console.WriteLine("site\tsends");
            foreach (var s in await platform.Sites.Store.ListSourcesAsync(r.GetValue(project)!, ct: ct))
                Console.WriteLine($"{s.Site}\t{(s.Filter.IsAll ? "all" : s.Filter.ToJson())}");
            return 0;
        });
        return new Command("project", "Research projects (docs/projects.md)") { new Command("source", "The sites a project takes de-identified copies from") { add, remove, list } };
    }
}
