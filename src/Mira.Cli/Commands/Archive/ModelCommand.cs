using System.CommandLine;
using Mira.Inference;
using Mira.Inference.Packages;
using Mira.Platform.Annotations;
using Mira.Platform.Security;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira model push PACKAGE [--owner USER]</c>, <c>mira model list</c>, <c>mira model run …</c>: the model registry of
/// the archive the server uses (docs/models.md), and the worker that runs a package over a folder of cases.
/// </summary>
public static class ModelCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
        var package = new Argument<string>("package") { Description = "a package folder or .zip holding model.onnx and mira-model.json" };
        var owner = new Option<string?>("--owner") { Description = "the account the model belongs to (default: os:<your user name>)" };
        var push = new Command("push", "Check a model package and store it in the registry (versions are immutable). Exit codes: 0 stored or already there, 1 refused, 2 no archive")
            { package, owner, data, db, blobsOption, s3EndpointOption };
        push.SetAction((r, ct) => PushAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(package)!, r.GetValue(owner), ct));

        var list = new Command("list", "List the registry's model versions: name, version, task, protocol, sha256, owner, pushed") { data, db, blobsOption, s3EndpointOption };
        list.SetAction((r, ct) => ListAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), ct));
        return new Command("model", "Model packages: push to the registry, list, run over a folder of cases") { push, list, ModelRunCommand.Create() };
    }

    static async Task<int> PushAsync(ArchiveLocation location, string path, string? owner, CancellationToken ct)
    {
        ModelPackage package;
        try { package = ModelPackage.Open(path); }
        catch (ModelPackageException e)
        {
            Console.Error.WriteLine($"mira model push: {path}: {e.Message}");
            return 1;
        }
        if (location.RequireValidBlobs() is { } invalid) return invalid;
        await using var platform = await location.OpenAsync(ct);
        try
        {
            var actor = new AnnotationActor(owner ?? TokenCommand.Actor, [Roles.Developer], "local");
            var outcome = await platform.Models.AddAsync(actor, package, ct);
            var m = outcome.Model;
            Console.WriteLine($"{(outcome.Added ? "stored" : "already stored")} {m.Name}@{m.Version} ({m.Task}, protocol {m.Protocol}) sha256 {m.Sha256}");
            return 0;
        }
        catch (AnnotationRefusedException e)
        {
            Console.Error.WriteLine($"mira model push: {e.Message}");
            return 1;
        }
    }

    static async Task<int> ListAsync(ArchiveLocation location, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        Console.WriteLine("name\tversion\ttask\tprotocol\tsha256\towner\tpushed");
        foreach (var m in await platform.Models.Store.ListAsync(null, ct))
            Console.WriteLine($"{m.Name}\t{m.Version}\t{m.Task}\t{m.Protocol}\t{m.Sha256}\t{m.Owner}\t{TokenCommand.Format(m.Pushed)}");
        return 0;
    }
}
