using System.Text.Json;
using Mira.Deid;
using Mira.Dicom.IO;
using Mira.Platform.Audit;
using Mira.Platform.Intake;
using Mira.Platform.Jobs;
using Mira.Storage.Blobs;
using Mira.Storage.Index;
using Mira.Storage.Lineage;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Platform.Research;

/// <summary>The outcome of one copy into a project. Quarantined and failed instances were not copied.</summary>
public sealed record CopySummary(string Project, int Copied, int AlreadyStored, int Quarantined, int Failed, IReadOnlyList<string> StudiesNotFound,
    IReadOnlyList<string> Reasons)
{
    /// <summary>The de-identification run record of this copy (<see cref="ProjectService.Runs"/>); null when nothing was tried.</summary>
    public string? RunId { get; init; }
}

/// <summary>
/// Moves data from the intake zone into research projects, only ever through the project's recipe and key: each
/// stored instance is read from the intake archive, de-identified (<see cref="DeidEngine"/>), ingested into the
/// project's own archive and its mapping records written to the vault; every copy is audited (<c>project.copy</c>).
/// Instances arriving over DIMSE from an AE title with a project rule, or stored by an account with one, are copied
/// by jobs (<see cref="ProjectRuleCopyJob"/>). Every copy keeps a de-identification run record (the type
/// <c>mira deid</c> writes) and lineage edges from each research instance to its intake original, in the intake zone.
/// </summary>
public sealed partial class ProjectService
{
    readonly IIndexStore intakeIndex;
    readonly IBlobStore intakeBlobs;
    readonly AuditLog audit;

    public ProjectService(IIndexStore intakeIndex, IBlobStore intakeBlobs, AuditLog audit, ProjectStore store, ProjectArchives archives, JobService jobs,
        DeidRunStore runs)
    {
        this.intakeIndex = intakeIndex;
        this.intakeBlobs = intakeBlobs;
        this.audit = audit;
        Runs = runs;
        Store = store;
        Archives = archives;
        Jobs = jobs;
    }

    /// <summary>The de-identification run records and lineage of the copies (intake zone).</summary>
    public DeidRunStore Runs { get; }

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
            var found = await intakeIndex.FindInstancesAsync(study, null, ct);
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
        var started = DateTimeOffset.UtcNow;
        int copied = 0, already = 0, quarantined = 0, failed = 0;
        var reasons = new List<string>();
        var files = new List<DeidFileRecord>(instances.Count);
        var source = new IngestSource("project-copy", project.Id, actor);
        foreach (var si in instances)
        {
            var input = $"intake:{si.SopInstanceUid}";
            try
            {
                var file = await StoredObjects.ReadAsync(intakeBlobs, si, ct);
                var r = engine.Deidentify(file.Dataset, file.TransferSyntax);
                if (r.Status == DeidStatus.Quarantined)
                {
                    quarantined++;
                    reasons.Add($"instance {si.SopInstanceUid}: quarantined: {r.Reason}");
                    files.Add(FileRecord(input, null, DeidFileStatus.Quarantined, r.Reason, si, null));
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
                files.Add(FileRecord(input, stored.IsSuccess ? $"project:{project.Id}" : null,
                    stored.IsSuccess ? DeidFileStatus.Deidentified : DeidFileStatus.Failed, stored.IsSuccess ? null : stored.Reason, si, stored.Instance));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed++;
                reasons.Add($"instance {si.SopInstanceUid}: {e.Message}");
                files.Add(FileRecord(input, null, DeidFileStatus.Failed, e.Message, si, null));
            }
        }
        await Store.AddToVaultAsync(project.Id, engine.MappingRecords.Select(m => (m.Kind.ToString(), m.Original, m.Pseudonym)), ct);
        var run = new DeidRunRecord(Guid.NewGuid().ToString("N"), engine.Recipe.Name, engine.Recipe.Version, engine.Recipe.Hash,
            engine.Pseudonyms.Key.Fingerprint(), started, DateTimeOffset.UtcNow, [resource], $"project:{project.Id}", copied + already, quarantined, 0, failed, files);
        if (files.Count > 0) await RecordRunAsync(project.Id, run, ct);
        var summary = new CopySummary(project.Id, copied, already, quarantined, failed, missing, reasons) { RunId = files.Count > 0 ? run.RunId : null };
        var recorded = new Dictionary<string, object>
        {
            ["project"] = project.Id, ["recipe"] = project.RecipeName, ["recipeHash"] = project.RecipeHash, ["copied"] = copied,
            ["alreadyStored"] = already, ["quarantined"] = quarantined, ["failed"] = failed, ["studiesNotFound"] = missing.Count,
        };
        if (files.Count > 0) recorded["deidRun"] = run.RunId;
        if (reasons.Count > 0) recorded["reasons"] = reasons.Take(20).ToArray();
        foreach (var (k, v) in details ?? new Dictionary<string, object>()) recorded[k] = v;
        // The resource names intake study UIDs: the audit log is in the intake zone, as the vault is.
        await audit.AppendAsync(new AuditEntry(actor, AuditActions.ProjectCopy, $"{project.Id}:{resource}", null,
            failed > 0 && copied + already == 0 ? AuditOutcome.Failure : AuditOutcome.Success, JsonSerializer.Serialize(recorded)), CancellationToken.None);
        return summary;
    }
}

public sealed partial class ProjectService
{
    static DeidFileRecord FileRecord(string input, string? output, DeidFileStatus status, string? reason, StoredInstance original, StoredInstance? copy) =>
        new(input, output, status, reason, original.SopInstanceUid, copy?.SopInstanceUid, original.StudyInstanceUid, copy?.StudyInstanceUid,
            original.SeriesInstanceUid, copy?.SeriesInstanceUid, false);

    /// <summary>
    /// Keeps the run record and one lineage edge per copied instance (<c>project:ID/sop:UID</c> made from
    /// <c>intake:sop:UID</c> by <c>deid-run:RUN</c>). A failure to record is not a failed copy: the copy is stored and
    /// audited, and the audit record names the run.
    /// </summary>
    async Task RecordRunAsync(string projectId, DeidRunRecord run, CancellationToken ct)
    {
        var edges = run.Files.Where(f => f.SopInstanceUid is not null && f.OriginalSopInstanceUid is not null)
            .Select(f => new LineageEdge($"project:{projectId}/sop:{f.SopInstanceUid}", $"intake/sop:{f.OriginalSopInstanceUid}", $"deid-run:{run.RunId}", run.Finished))
            .ToList();
        await Runs.AddAsync(new StoredDeidRun(run.RunId, projectId, run.RecipeHash, run.Started, run.ToJson()), edges, ct);
    }
}
