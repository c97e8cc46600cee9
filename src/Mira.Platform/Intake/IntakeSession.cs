using System.Collections.Concurrent;
using System.Text.Json;
using Mira.Platform.Audit;
using Mira.Storage.Security;

namespace Mira.Platform.Intake;

/// <summary>
/// Who is storing, and what they asked for: the transport and peer (<see cref="IngestSource"/>), the calling AE title
/// (DIMSE: its project AE rules fire), the uploading account (STOW-RS, import: its uploader rules fire), and the audit
/// record the session ends with (null when the transport audits each request itself, as the HTTP access filter does).
/// </summary>
public sealed record IntakeContext(IngestSource Source, string Actor, string? CallingAe = null, string? Uploader = null, string? AuditAction = null,
    string? Client = null);

/// <summary>
/// One sender's stores, through every transport alike (STOW-RS request, DIMSE association, <c>mira import</c> run): the
/// parts go through the ingest pipeline, then the after-store steps run once for each durable instance, before the
/// caller acknowledges it: the project rules' copies are queued as jobs (without the queue row the instance is answered
/// Processing Failure 0110, PS3.7 Annex C and PS3.18 Table 10.5.3-1: it is stored, and the sender's identical resend,
/// "already stored", queues it again). <see cref="CompleteAsync"/> writes one audit record of what was stored.
/// </summary>
public sealed class IntakeSession(IntakeService intake, IntakeContext context)
{
    readonly ConcurrentDictionary<string, byte> studies = new(StringComparer.Ordinal);
    int stored, already, refused;

    public IntakeContext Context { get; } = context;
    public int Stored => stored;
    public int AlreadyStored => already;
    public int Refused => refused;
    public int Attempted => stored + already + refused;
    public IReadOnlyList<string> Studies => [.. studies.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Stores a batch of parts parsed once already (STOW-RS, import); results in input order.</summary>
    public async Task<IReadOnlyList<StoreResult>> StoreAsync(IReadOnlyList<IncomingInstance> parts, CancellationToken ct = default) =>
        await AfterStoreAsync(await intake.Ingest.StoreParsedAsync(parts, ct));

    /// <summary>Stores one part through the shared queue (DIMSE C-STORE: concurrent associations share group commits).</summary>
    public async Task<StoreResult> StoreOneAsync(ReadOnlyMemory<byte> part) => (await AfterStoreAsync([await intake.Queue.StoreAsync(part, Context.Source)]))[0];

    async Task<IReadOnlyList<StoreResult>> AfterStoreAsync(IReadOnlyList<StoreResult> results)
    {
        var durable = results.Where(r => r.IsSuccess && r.SopInstanceUid is not null).Select(r => r.SopInstanceUid!).ToList();
        IReadOnlyList<StoreResult> answered = results;
        if (durable.Count > 0)
        {
            try
            {
                await intake.Projects.QueueRuleCopiesAsync(Context.CallingAe, Context.Uploader, durable, CancellationToken.None);
                if (intake.Deployments is { } deployments)
                    await deployments.QueueOnArrivalAsync(Context.CallingAe, [.. results.Where(r => r.IsSuccess && r.Instance is not null).Select(r => r.Instance!)],
                        CancellationToken.None);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or IOException or TimeoutException)
            {
                intake.ReportProblem($"{Context.Source}: the project rule copies of {durable.Count} instance(s) could not be queued: {e.Message}");
                answered = [.. results.Select(r => r.IsSuccess && r.SopInstanceUid is not null
                    ? new StoreResult(StoreOutcome.Refused, StoreStatus.ProcessingFailure, r.SopClassUid, r.SopInstanceUid,
                        $"stored, but project rule copies or deployments not queued ({e.Message}): resend") { Refusal = StoreRefusal.RulesNotQueued }
                    : r)];
            }
        }
        foreach (var r in answered) Count(r);
        return answered;
    }

    void Count(StoreResult r)
    {
        switch (r.Outcome)
        {
            case StoreOutcome.Stored: Interlocked.Increment(ref stored); break;
            case StoreOutcome.AlreadyStored: Interlocked.Increment(ref already); break;
            default: Interlocked.Increment(ref refused); break;
        }
        if (r.Instance?.StudyInstanceUid is { } study) studies.TryAdd(study, 0);
    }

    /// <summary>
    /// Ends the session: one audit record (actor, studies, counts, refusals, how it ended) when the context names an
    /// audit action and anything was attempted.
    /// </summary>
    public async Task CompleteAsync(string? ended = null, IReadOnlyDictionary<string, object?>? details = null)
    {
        if (Context.AuditAction is not { } action || Attempted == 0) return;
        var recorded = new Dictionary<string, object?>
        {
            ["stored"] = stored, ["alreadyStored"] = already, ["refused"] = refused, ["studies"] = Studies, ["ended"] = ended ?? "completed",
        };
        foreach (var (k, v) in details ?? new Dictionary<string, object?>()) recorded[k] = v;
        var outcome = refused > 0 && stored + already == 0 ? AuditOutcome.Failure : AuditOutcome.Success;
        await intake.Audit.AppendAsync(new AuditEntry(Context.Actor, action, string.Join(',', Studies.Take(20)), Context.Client, outcome,
            JsonSerializer.Serialize(recorded)), CancellationToken.None);
    }
}
