using System.CommandLine;
using System.Text.Json;
using Mira.Platform.Datasets;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira dataset release --project P --body request.json</c>, <c>mira dataset list --project P</c>,
/// <c>mira dataset download ID --out release.zip</c>: dataset releases (docs/datasets.md) of the archive the server
/// uses, acted on as the operator of the data folder (an admin: the same rules, so a sequestered release is never
/// downloaded), audited as <c>os:USER</c>.
/// </summary>
public static class DatasetCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
        var project = new Option<string>("--project") { Description = "the project id", Required = true };
        var body = new Option<FileInfo>("--body") { Description = "the request as JSON (the body of POST /api/projects/{p}/releases)", Required = true };
        var release = new Command("release", "Make a release (split by patient, leakage-checked). Exit codes: 0 made, 1 refused, 2 bad input") { project, body, data, db, blobsOption, s3EndpointOption };
        release.SetAction((r, ct) => ReleaseAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(project)!, r.GetValue(body)!, ct));

        var listProject = new Option<string>("--project") { Description = "the project id", Required = true };
        var list = new Command("list", "List a project's releases: id, name, version, kind, cases, created") { listProject, data, db, blobsOption, s3EndpointOption };
        list.SetAction((r, ct) => ListAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(listProject)!, ct));

        var id = new Argument<string>("id") { Description = "the release id (mira dataset list)" };
        var output = new Option<FileInfo>("--out") { Description = "the zip to write (must not exist)", Required = true };
        var download = new Command("download", "Write a non-sequestered release's folder tree as a zip. Exit codes: 0 written, 1 refused") { id, output, data, db, blobsOption, s3EndpointOption };
        download.SetAction((r, ct) => DownloadAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(id)!, r.GetValue(output)!, ct));
        return new Command("dataset", "Dataset releases: release, list, download") { release, list, download };
    }

    static DatasetActor Operator => new(TokenCommand.Actor, [Roles.Admin], "local");

    static async Task<int> ReleaseAsync(ArchiveLocation location, string project, FileInfo body, CancellationToken ct)
    {
        ReleaseRequest request;
        try
        {
            if (body.Length > 1 << 20) throw DatasetRefusedException.Invalid($"{body.FullName} is larger than 1 MiB");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(body.FullName, ct));
            request = ReleaseRequest.Parse(json.RootElement);
        }
        catch (Exception e) when (e is IOException or JsonException or DatasetRefusedException)
        {
            Console.Error.WriteLine($"mira dataset release: {body.Name}: {e.Message}");
            return 2;
        }
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        return await Refusing("release", async () =>
        {
            var made = await platform.Datasets.CreateAsync(Operator, project, request, ct);
            Console.WriteLine($"{made.Id}\t{made.Name}\tv{made.Version}\t{made.Kind}\t{made.Size} cases\t" +
                string.Join(" ", made.Cases.GroupBy(c => c.Split).Select(g => $"{g.Key}={g.Count()}")));
        });
    }

    static async Task<int> ListAsync(ArchiveLocation location, string project, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        return await Refusing("list", async () =>
        {
            Console.WriteLine("id\tname\tversion\tkind\tcases\tcreated");
            foreach (var r in await platform.Datasets.ListAsync(Operator, project, ct))
                Console.WriteLine($"{r.Id}\t{r.Name}\t{r.Version}\t{r.Kind}\t{r.Size}\t{TokenCommand.Format(r.Created)}");
        });
    }

    static async Task<int> DownloadAsync(ArchiveLocation location, string id, FileInfo output, CancellationToken ct)
    {
        if (output.Exists)
        {
            Console.Error.WriteLine($"mira dataset download: {output.FullName} exists");
            return 2;
        }
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        return await Refusing("download", async () =>
        {
            try
            {
                await using var file = new FileStream(output.FullName, FileMode.CreateNew, FileAccess.Write);
                var summary = await platform.Datasets.DownloadAsync(Operator, id, file, ct);
                Console.WriteLine($"{output.FullName}: {summary.Cases} cases, {summary.Images} images, {summary.Volumes} volumes, {summary.Labels} label maps");
            }
            catch (DatasetRefusedException)
            {
                output.Delete();
                throw;
            }
        });
    }

    static async Task<int> Refusing(string verb, Func<Task> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (DatasetRefusedException e)
        {
            Console.Error.WriteLine($"mira dataset {verb}: {e.Message}");
            return 1;
        }
    }
}
