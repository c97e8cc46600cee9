using System.Text.Json;
using Mira.Deid;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Audit;
using Mira.Platform.Jobs;
using Mira.Storage.Blobs;
using Mira.Storage.Index;
using Mira.Storage.Lineage;
using Mira.Storage.Projects;
using Mira.Storage.Query;
using Mira.Storage.Security;
using Mira.Storage.Sites;

namespace Mira.Platform.Sites;

/// <summary>What one push sent to one hub project.</summary>
public sealed record SitePushSummary(string Project, int Sent, int AlreadySent, int Quarantined, int Refused, IReadOnlyList<string> Reasons)
{
    /// <summary>True when the site declined to push into the project at all (<see cref="SitePush.DeclineReason"/>).</summary>
    public bool Declined { get; init; }
}

/// <summary>
/// The site's side (<c>docs/sites.md</c>): fetches the hub's projects that name this site, de-identifies each matching
/// intake instance here, on the site, with the project's recipe and key (<see cref="DeidEngine"/>, as a project copy
/// does), writes the original ↔ pseudonym pairs to this site's own vault (under <see cref="VaultProject"/>: the
/// identified look-ups never leave the site) and sends only the de-identified copies to the hub in batches (STOW-RS,
/// <see cref="HubClient"/>). What the hub acknowledged is recorded per instance, so a push resumes where the last one
/// stopped and never sends an instance twice.
/// </summary>
public sealed class SitePush(HubLinkStore links, IIndexStore intakeIndex, IBlobStore intakeBlobs, ProjectStore vault, DeidRunStore runs, AuditLog audit)
{
    /// <summary>The job kind of a push (<see cref="SitePushJob"/>).</summary>
    public const string JobKind = "site.push";

    /// <summary>Instances per STOW-RS request to the hub, and the bytes at which a batch is sent sooner.</summary>
    public int BatchSize { get; init; } = 32;
    public long BatchBytes { get; init; } = 32L << 20;

    public HubLinkStore Links { get; } = links;

    /// <summary>The vault's project column for a hub project's pairs on this site (kept apart from local projects' rows).</summary>
    public static string VaultProject(string hubProject) => "hub:" + hubProject;

    /// <summary>Pushes every hub project naming this site; one summary per project.</summary>
    /// <exception cref="HubLinkException">No link, a refused URL, the hub unreachable or answering wrongly.</exception>
    public async Task<IReadOnlyList<SitePushSummary>> PushAsync(string actor, CancellationToken ct = default)
    {
        var link = await Links.GetLinkAsync(ct) ?? throw new HubLinkException("this site is not linked to a hub (mira site link --hub URL --token TOKEN)");
        using var hub = HubClient.Create(link);
        var summaries = new List<SitePushSummary>();
        foreach (var project in await hub.ProjectsAsync(ct))
            summaries.Add(await PushProjectAsync(hub, project, actor, link.Url, ct));
        return summaries;
    }

    async Task<SitePushSummary> PushProjectAsync(HubClient hub, SiteProjectHandout project, string actor, string hubUrl, CancellationToken ct)
    {
        var recipe = DeidRecipe.FromJson(project.RecipeJson);
        if (recipe.Hash != project.RecipeHash)
            throw new HubLinkException($"project {project.Project}: the recipe's hash {recipe.Hash} is not the {project.RecipeHash} the hub names");
        if (DeclineReason(recipe) is { } declined)
        {
            await audit.AppendAsync(new AuditEntry(actor, AuditActions.SitePush, project.Project, null, AuditOutcome.Denied,
                JsonSerializer.Serialize(new { hub = hubUrl, recipeHash = recipe.Hash, declined })), CancellationToken.None);
            return new SitePushSummary(project.Project, 0, 0, 0, 0, [declined]) { Declined = true };
        }
        var engine = new DeidEngine(recipe, new ProjectKey(Convert.FromHexString(project.KeyHex)));
        var sent = await Links.SentAsync(project.Project, ct);
        int newlySent = 0, already = 0, quarantined = 0, refused = 0;
        var reasons = new List<string>();
        var batch = new List<(string Original, string Deidentified, byte[] Bytes)>();
        long batchBytes = 0;
        var vaulted = new HashSet<(string, string, string)>();
        var started = DateTimeOffset.UtcNow;
        var files = new List<DeidFileRecord>();
        var pending = new Dictionary<string, DeidInstanceResult>(StringComparer.Ordinal);

        async Task FlushAsync()
        {
            if (batch.Count == 0) return;
            // The vault first: every pseudonym the hub can hold is resolvable on this site.
            var pairs = engine.MappingRecords.Select(m => (m.Kind.ToString(), m.Original, m.Pseudonym)).Where(vaulted.Add).ToList();
            await vault.AddToVaultAsync(VaultProject(project.Project), pairs, ct);
            var (stored, refusals) = await hub.StoreAsync(project.Project, [.. batch.Select(b => b.Bytes)], ct);
            var acknowledged = batch.Where(b => stored.Contains(b.Deidentified)).Select(b => (b.Original, b.Deidentified)).ToList();
            await Links.RecordSentAsync(project.Project, acknowledged, ct);
            foreach (var b in batch)
            {
                var r = pending[b.Original];
                var ok = stored.Contains(b.Deidentified);
                files.Add(FileRecord(r, ok ? $"hub:{project.Project}" : null, ok ? DeidFileStatus.Deidentified : DeidFileStatus.Failed,
                    ok ? null : "refused by the hub"));
            }
            pending.Clear();
            newlySent += acknowledged.Count;
            refused += batch.Count - acknowledged.Count;
            reasons.AddRange(refusals.Take(20 - Math.Min(20, reasons.Count)));
            batch.Clear();
            batchBytes = 0;
        }

        foreach (var study in await StudiesAsync(project.Filter, ct))
            foreach (var si in await intakeIndex.FindInstancesAsync(study, null, ct))
            {
                if (sent.Contains(si.SopInstanceUid))
                {
                    already++;
                    continue;
                }
                var file = await StoredObjects.ReadAsync(intakeBlobs, si, ct);
                var r = engine.Deidentify(file.Dataset, file.TransferSyntax);
                if (r.Status != DeidStatus.Deidentified)
                {
                    quarantined++;
                    reasons.Add($"intake instance {si.SopInstanceUid}: quarantined on the site: {r.Reason}");
                    files.Add(FileRecord(r, null, DeidFileStatus.Quarantined, r.Reason));
                    continue;
                }
                var bytes = DicomFileWriter.ToBytes(r.Dataset!, r.TransferSyntax!);
                batch.Add((si.SopInstanceUid, r.SopInstanceUid!, bytes));
                pending[si.SopInstanceUid] = r;
                batchBytes += bytes.Length;
                if (batch.Count >= BatchSize || batchBytes >= BatchBytes) await FlushAsync();
            }
        await FlushAsync();
        string? runId = null;
        if (files.Count > 0)
        {
            // The run record and lineage stay on the site, in its intake zone, beside the vault (they name intake UIDs).
            runId = Guid.NewGuid().ToString("N");
            var run = new DeidRunRecord(runId, recipe.Name, recipe.Version, recipe.Hash, engine.Pseudonyms.Key.Fingerprint(), started, DateTimeOffset.UtcNow,
                [$"intake:{project.Filter.ToJson()}"], $"hub:{project.Project}", newlySent, quarantined, 0, refused, files);
            var edges = files.Where(f => f.Output is not null && f.SopInstanceUid is not null)
                .Select(f => new LineageEdge($"hub:{project.Project}/sop:{f.SopInstanceUid}", $"intake/sop:{f.OriginalSopInstanceUid}", $"deid-run:{runId}", run.Finished))
                .ToList();
            await runs.AddAsync(new StoredDeidRun(runId, VaultProject(project.Project), recipe.Hash, started, run.ToJson()), edges, ct);
        }
        await audit.AppendAsync(new AuditEntry(actor, AuditActions.SitePush, project.Project, null,
            refused > 0 && newlySent == 0 ? AuditOutcome.Failure : AuditOutcome.Success,
            JsonSerializer.Serialize(new { hub = hubUrl, recipeHash = recipe.Hash, key = engine.Pseudonyms.Key.Fingerprint(), sent = newlySent,
                alreadySent = already, quarantined, refused, deidRun = runId })), CancellationToken.None);
        return new SitePushSummary(project.Project, newlySent, already, quarantined, refused, reasons);
    }

    /// <summary>
    /// The site's own floor, whatever the hub asks: a recipe that keeps a direct identifier (<see cref="DirectIdentifiers.KeptBy"/>)
    /// would send identified values, so the site sends nothing for that project. Null when the recipe may be used.
    /// </summary>
    public static string? DeclineReason(DeidRecipe recipe) => DirectIdentifiers.KeptBy(recipe) is { Count: > 0 } kept
        ? $"declined: the project's recipe '{recipe.Name}' keeps direct identifiers ({string.Join(", ", kept)}); a site sends only de-identified copies"
        : null;

    static DeidFileRecord FileRecord(DeidInstanceResult r, string? output, DeidFileStatus status, string? reason) =>
        new($"intake:{r.OriginalSopInstanceUid}", output, status, reason, r.OriginalSopInstanceUid, status == DeidFileStatus.Quarantined ? null : r.SopInstanceUid,
            r.OriginalStudyInstanceUid, status == DeidFileStatus.Quarantined ? null : r.StudyInstanceUid, r.OriginalSeriesInstanceUid,
            status == DeidFileStatus.Quarantined ? null : r.SeriesInstanceUid, r.PixelsCleaned);

    /// <summary>The intake studies the filter admits, paged through the study index.</summary>
    async Task<IReadOnlyList<string>> StudiesAsync(SourceFilter filter, CancellationToken ct)
    {
        var studies = new List<string>();
        for (var offset = 0; ; offset += QidoQuery.MaxLimit)
        {
            var page = await intakeIndex.QueryStudiesAsync(new QidoQuery { Limit = QidoQuery.MaxLimit, Offset = offset }, ct);
            foreach (var s in page)
                if (s.GetString(DicomTags.StudyInstanceUID) is { } uid
                    && filter.Admits(s.GetStrings(DicomTags.ModalitiesInStudy), s.GetString(DicomTags.StudyDate)))
                    studies.Add(uid);
            if (page.Count < QidoQuery.MaxLimit) return studies;
        }
    }
}

/// <summary>The job that runs a site's push (kind <see cref="SitePush.JobKind"/>; periodic, see docs/sites.md).</summary>
public sealed class SitePushJob(SitePush push) : IJobHandler
{
    public string Kind => SitePush.JobKind;

    public async Task RunAsync(JobContext job, CancellationToken ct)
    {
        foreach (var s in await push.PushAsync("site-push-job", ct))
            await job.LogAsync($"{s.Project}: sent {s.Sent}, already sent {s.AlreadySent}, quarantined {s.Quarantined}, refused by the hub {s.Refused}", ct);
    }
}
