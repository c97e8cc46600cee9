using System.Text.Json;
using Mira.Deid;
using Mira.Dicom.IO;
using Mira.Server.Dicomweb;
using Mira.Storage.Index;
using Mira.Storage.Ingest;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Server.Projects;

/// <summary>The outcome of one copy into a project. Quarantined and failed instances were not copied.</summary>
public sealed record CopySummary(string Project, int Copied, int AlreadyStored, int Quarantined, int Failed, IReadOnlyList<string> StudiesNotFound,
    IReadOnlyList<string> Reasons);

/// <summary>
/// Moves data from the intake zone into research projects, only ever through the project's recipe and key: each
/// stored instance is read from the intake archive, de-identified (<see cref="DeidEngine"/>), ingested into the
/// project's own archive and its mapping records written to the vault; every copy is audited (<c>project.copy</c>).
/// Instances arriving over DIMSE from an AE title with a project rule, or stored over STOW-RS by an account with one,
/// are copied through a durable queue
/// (<see cref="RuleCopyStore"/>, worked by <see cref="RuleCopyWorker"/>).
/// </summary>
public sealed partial class ProjectService
{
    readonly Archive archive;

    public ProjectService(Archive archive, ProjectStore store, ProjectArchives archives, RuleCopyStore ruleCopies)
    {
        this.archive = archive;
        Store = store;
        Archives = archives;
        RuleCopies = ruleCopies;
    }

    public ProjectStore Store { get; }
    public ProjectArchives Archives { get; }

    /// <summary>The de-identification engine of a project (its recipe and key), or null for an unknown project.</summary>
    async Task<DeidEngine?> EngineAsync(Project project, CancellationToken ct)
    {
        var key = await Store.GetKeyAsync(project.Id, ct);
        return key is null ? null : new DeidEngine(DeidRecipe.FromJson(project.RecipeJson), new ProjectKey(key));
    }

    /// <summary>Copies whole studies from the intake archive into the project.</summary>
    public async Task<CopySummary> CopyStudiesAsync(Project project, IReadOnlyList<string> studyUids, string actor, CancellationToken ct = default)
    {
        var instances = new List<StoredInstance>();
        var missing = new List<string>();
        foreach (var study in studyUids.Distinct(StringComparer.Ordinal))
        {
            var found = await archive.Index.FindInstancesAsync(study, null, ct);
            if (found.Count == 0) missing.Add(study);
            instances.AddRange(found);
        }
        return await CopyAsync(project, instances, missing, actor, string.Join(",", studyUids), ct);
    }

    /// <param name="details">Extra audit details (a rule copy's AE title and attempt).</param>
    async Task<CopySummary> CopyAsync(Project project, IReadOnlyList<StoredInstance> instances, IReadOnlyList<string> missing, string actor,
        string resource, CancellationToken ct, IReadOnlyDictionary<string, object>? details = null)
    {
        var engine = await EngineAsync(project, ct) ?? throw new InvalidOperationException($"project {project.Id} has no key");
        var target = await Archives.GetAsync(project.Id);
        int copied = 0, already = 0, quarantined = 0, failed = 0;
        var reasons = new List<string>();
        var source = new IngestSource("project-copy", project.Id, actor);
        foreach (var si in instances)
        {
            try
            {
                var file = await StoredObjects.ReadAsync(archive.Blobs, si, ct);
                var r = engine.Deidentify(file.Dataset, file.TransferSyntax);
                if (r.Status == DeidStatus.Quarantined)
                {
                    quarantined++;
                    reasons.Add($"instance {si.SopInstanceUid}: quarantined: {r.Reason}");
                    continue;
                }
                var bytes = DicomFileWriter.ToBytes(r.Dataset!, r.TransferSyntax!);
                var stored = await target.Ingest.StoreAsync(bytes, source, ct);
                switch (stored.Outcome)
                {
                    case StoreOutcome.Stored: copied++; break;
                    case StoreOutcome.AlreadyStored: already++; break;
                    default:
                        failed++;
                        reasons.Add($"instance {si.SopInstanceUid}: refused by the project archive: {stored.Reason}");
                        break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed++;
                reasons.Add($"instance {si.SopInstanceUid}: {e.Message}");
            }
        }
        await Store.AddToVaultAsync(project.Id, engine.MappingRecords.Select(m => (m.Kind.ToString(), m.Original, m.Pseudonym)), ct);
        var summary = new CopySummary(project.Id, copied, already, quarantined, failed, missing, reasons);
        var recorded = new Dictionary<string, object>
        {
            ["project"] = project.Id, ["recipe"] = project.RecipeName, ["recipeHash"] = project.RecipeHash, ["copied"] = copied,
            ["alreadyStored"] = already, ["quarantined"] = quarantined, ["failed"] = failed, ["studiesNotFound"] = missing.Count,
        };
        if (reasons.Count > 0) recorded["reasons"] = reasons.Take(20).ToArray();
        foreach (var (k, v) in details ?? new Dictionary<string, object>()) recorded[k] = v;
        // The resource names intake study UIDs: the audit log is in the intake zone, as the vault is.
        await archive.Audit.AppendAsync(new AuditEntry(actor, "project.copy", $"{project.Id}:{resource}", null,
            failed > 0 && copied + already == 0 ? AuditOutcome.Failure : AuditOutcome.Success, JsonSerializer.Serialize(recorded)), CancellationToken.None);
        return summary;
    }
}
