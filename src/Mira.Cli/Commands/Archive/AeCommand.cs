using System.CommandLine;
using Mira.Storage.Network;
using Mira.Storage.Security;

namespace Mira.Cli.Commands.Archive;

/// <summary><c>mira ae add|list|remove</c>: the table of remote DICOM application entities the DIMSE listener knows.</summary>
public static class AeCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
        var title = new Argument<string>("AET") { Description = "the remote application entity title (1-16 characters)" };
        var host = new Option<string>("--host") { Description = "its host name or address: calls must come from there, C-MOVE sends there", Required = true };
        var port = new Option<int>("--port") { Description = "the port it listens on (C-MOVE destination)", Required = true };
        var allow = new Option<string>("--allow")
        {
            Description = "services it may use on Mira: comma-separated echo,store,find,move,get (or all, none)",
            DefaultValueFactory = _ => "echo,store,find,move,get",
        };
        var add = new Command("add", "Add an AE or change its host, port and permissions; a running 'mira serve' picks it up within seconds")
            { title, host, port, allow, data, db, blobsOption, s3EndpointOption };
        add.SetAction((r, ct) => AddAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(title)!, r.GetValue(host)!, r.GetValue(port), r.GetValue(allow)!, ct));

        var list = new Command("list", "List the known AEs: title, host, port, allowed services") { data, db, blobsOption, s3EndpointOption };
        list.SetAction((r, ct) => ListAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), ct));

        var removeTitle = new Argument<string>("AET") { Description = "the AE title to remove" };
        var remove = new Command("remove", "Remove an AE. Exit codes: 0 removed, 1 not found") { removeTitle, data, db, blobsOption, s3EndpointOption };
        remove.SetAction((r, ct) => RemoveAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(removeTitle)!, ct));

        return new Command("ae", "Known DICOM application entities (who may call Mira's DIMSE listener, and C-MOVE destinations)") { add, list, remove };
    }

    static async Task<int> AddAsync(ArchiveLocation location, string title, string host, int port, string allow, CancellationToken ct)
    {
        ApplicationEntity ae;
        DimsePermissions permissions;
        try
        {
            permissions = ApplicationEntity.ParsePermissions(allow);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("mira: " + e.Message);
            return 2;
        }
        if (location.RequireValidBlobs() is { } invalid) return invalid;
        await using var platform = await location.OpenAsync(ct);
        try
        {
            ae = await platform.ApplicationEntities.SetAsync(title, host, port, permissions, ct);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("mira: " + e.Message);
            return 2;
        }
        await platform.Audit.AppendAsync(new AuditEntry(Environment.UserName is { Length: > 0 } u ? $"local:{u}" : "local", AuditActions.AeSet, ae.AETitle, "local", AuditOutcome.Success,
            System.Text.Json.JsonSerializer.Serialize(new { ae.Host, ae.Port, allow = ApplicationEntity.Format(ae.Allow) })), ct);
        Console.WriteLine($"{ae.AETitle} {ae.Host}:{ae.Port} allow {ApplicationEntity.Format(ae.Allow)}");
        return 0;
    }

    static async Task<int> ListAsync(ArchiveLocation location, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        var all = await platform.ApplicationEntities.ListAsync(ct);
        Console.WriteLine($"{"AET",-16}  {"HOST",-24}  {"PORT",5}  ALLOW");
        foreach (var ae in all) Console.WriteLine($"{ae.AETitle,-16}  {ae.Host,-24}  {ae.Port,5}  {ApplicationEntity.Format(ae.Allow)}");
        return 0;
    }

    static async Task<int> RemoveAsync(ArchiveLocation location, string title, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        if (!await platform.ApplicationEntities.RemoveAsync(title, ct))
        {
            Console.Error.WriteLine($"mira: no AE '{title}'");
            return 1;
        }
        await platform.Audit.AppendAsync(new AuditEntry("local", AuditActions.AeRemove, title.Trim(), "local"), ct);
        return 0;
    }
}
