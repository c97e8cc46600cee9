using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mira.Platform.Audit;
using Mira.Storage.Datasets;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Platform.Datasets;

public sealed partial class DatasetService
{
    /// <summary>
    /// Writes a non-sequestered release's folder tree (<see cref="ReleaseTree"/>) as a zip to <paramref name="output"/>:
    /// stewards and admins, and members of the project who hold the <c>developer</c> role. A sequestered release is
    /// never downloaded, by anyone (403): only the evaluation runner reads it, through
    /// <see cref="MaterialiseForEvaluationAsync"/>. The zip is composed from a folder written under the data folder,
    /// removed afterwards.
    /// </summary>
    public async Task<ReleaseTreeSummary> DownloadAsync(DatasetActor actor, string id, Stream output, CancellationToken ct = default)
    {
        var record = await ReadableReleaseAsync(actor, id, AuditActions.DatasetDownload, ct);
        var resource = $"release:{id}";
        if (record.Kind == ReleaseKinds.Sequestered)
        {
            await AuditAsync(actor, AuditActions.DatasetDownload, resource, new { project = record.Project, refused = "sequestered" }, AuditOutcome.Denied);
            throw DatasetRefusedException.Forbidden($"release {id} is sequestered: it is never downloaded; only the evaluation runner reads it");
        }
        if (!actor.IsSteward && !actor.IsDeveloper)
        {
            await AuditAsync(actor, AuditActions.DatasetDownload, resource, new { project = record.Project, refused = "not a developer or steward" }, AuditOutcome.Denied);
            throw DatasetRefusedException.Forbidden($"releases are downloaded by stewards, admins and the project's members with the role {Security.Roles.Developer}");
        }
        var folder = ScratchFolder();
        try
        {
            var summary = await WriteTreeAsync(record, folder, ct);
            using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
                foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var name = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
                    var level = name.EndsWith(".gz", StringComparison.Ordinal) ? CompressionLevel.NoCompression : CompressionLevel.Fastest;
                    await using var target = zip.CreateEntry($"{record.Name}-v{record.Version}/{name}", level).Open();
                    await using var source = File.OpenRead(file);
                    await source.CopyToAsync(target, ct);
                }
            await AuditAsync(actor, AuditActions.DatasetDownload, resource, new { project = record.Project, summary.Cases, summary.Images, summary.Volumes, summary.Labels });
            return summary with { Folder = "" };
        }
        catch (Exception e) when (e is not DatasetRefusedException)
        {
            await AuditAsync(actor, AuditActions.DatasetDownload, resource, new { project = record.Project, error = e.GetType().Name }, AuditOutcome.Failure);
            throw;
        }
        finally
        {
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// For the evaluation runner only: writes a release — sequestered ones included — to <paramref name="folder"/>
    /// (empty or absent) in the same tree as a download, and audits it as <c>dataset.materialise</c> by
    /// <paramref name="runner"/> (the run's identity, e.g. <c>evaluation:RUN</c>). There is no access check here: this is
    /// the trusted path, mapped to no endpoint and no command, and it is the only way a sequestered release's cases are
    /// read. 404 for an unknown release.
    /// </summary>
    public async Task<ReleaseTreeSummary> MaterialiseForEvaluationAsync(string id, string folder, string runner, CancellationToken ct = default)
    {
        var record = (IsReleaseId(id) ? await store.GetAsync(id, ct) : null) ?? throw DatasetRefusedException.NotFound($"no release {id}");
        var actor = new DatasetActor(runner, []);
        try
        {
            var summary = await WriteTreeAsync(record, folder, ct);
            await AuditAsync(actor, AuditActions.DatasetMaterialise, $"release:{id}", new { project = record.Project, record.Kind, summary.Cases, summary.Images });
            return summary;
        }
        catch (Exception e)
        {
            await AuditAsync(actor, AuditActions.DatasetMaterialise, $"release:{id}", new { project = record.Project, error = e.GetType().Name }, AuditOutcome.Failure);
            throw;
        }
    }

    /// <summary>For the evaluation runner only: a release with its cases, sequestered ones included (no access check; not audited as a view).</summary>
    public async Task<DatasetRelease?> ReleaseForEvaluationAsync(string id, CancellationToken ct = default) =>
        (IsReleaseId(id) ? await store.GetAsync(id, ct) : null) is { } r ? await WithCasesAsync(r, ct) : null;

    async Task<ReleaseTreeSummary> WriteTreeAsync(DatasetReleaseRecord record, string folder, CancellationToken ct) =>
        await ReleaseTree.WriteAsync(await WithCasesAsync(record, ct), await projects.Archives.GetAsync(record.Project), annotations, folder, ct);

    string ScratchFolder() => Path.Combine(dataFolder, "tmp", "release-" + Guid.NewGuid().ToString("N"));

    /// <summary>What the datasheet takes from the platform's records: recipe and runs, protocols, annotators and agreement of the chosen tasks.</summary>
    async Task<DatasheetSources> DatasheetSourcesAsync(Project project, IReadOnlyList<ReleaseCase> cases, DatasetReleaseRecord? previous, CancellationToken ct)
    {
        var runs = (await projects.Runs.ListAsync(project.Id, 1000, ct)).Select(r => (object)new { runId = r.RunId, recipeSha256 = r.RecipeHash, started = r.Started }).ToList();
        var tasks = cases.Where(c => c.Annotation is not null).Select(c => c.Annotation!.Task).Distinct().ToList();
        var protocols = new List<object>();
        var agreement = new List<object>();
        var authors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in cases.Where(c => c.Annotation is not null).GroupBy(c => (c.Annotation!.Protocol, c.Annotation.ProtocolVersion)))
            if (await annotations.Protocols.GetAsync(g.Key.Protocol, g.Key.ProtocolVersion, ct) is { } p)
                protocols.Add(new { id = p.Id, version = p.Version, title = p.Protocol.Title, sha256 = p.Sha256, cases = g.Count() });
        foreach (var c in cases.Where(c => c.Annotation is not null))
        {
            var task = await annotations.Store.GetTaskAsync(c.Annotation!.Task, ct);
            foreach (var v in await annotations.Store.VersionsAsync(c.Annotation.Task, ct))
                if (v.Role == Annotations.VersionRoles.Annotator) authors.Add(v.Author);
            if (task?.AgreementJson is { } a) agreement.Add(new { @case = c.CaseId, agreement = JsonNode.Parse(a) });
        }
        // Every reader of the chosen tasks, with their record (title, specialty, experience, training, assessments) where one is kept.
        var profiles = await annotations.ProfilesAsync(authors.ToArray(), ct);
        var annotators = authors.Order(StringComparer.Ordinal)
            .Select(a => profiles.FirstOrDefault(p => p.User == a) is { } p ? (object)p : new { user = a, record = "none kept" }).ToList();
        var changelog = previous is null ? [] : JsonNode.Parse(previous.DatasheetJson)?["changelog"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [];
        return new DatasheetSources(project.Name, project.RecipeName, project.RecipeHash, runs, protocols, annotators, agreement, changelog);
    }
}
