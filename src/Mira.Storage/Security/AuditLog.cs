using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Mira.Storage.Security;

/// <summary>
/// Append-only, hash-chained audit log (table <c>mira_audit</c>). Record <i>n</i> carries sequence number <i>n</i>
/// (1, 2, 3 … without gaps), the hash of record <i>n</i>−1 (genesis: 32 zero bytes) and its own hash over the
/// canonical encoding of its fields and that previous hash (<see cref="AuditHash"/>). Appends are serialised
/// (<c>BEGIN IMMEDIATE</c> on SQLite, a transaction-scoped advisory lock on PostgreSQL) so that concurrent writers,
/// in one process or several, never fork the chain; the primary key on the sequence backs that up.
/// <para>
/// There is no update or delete API, and triggers refuse <c>UPDATE</c>/<c>DELETE</c> (and <c>TRUNCATE</c> on
/// PostgreSQL). Triggers stop accidents, not a table owner; in production the server should connect as a role that
/// neither owns the table nor may change it:
/// <code>
///   -- as the owner of the schema (migrations role), once the table exists:
///   REVOKE ALL ON mira_audit FROM PUBLIC;
///   GRANT SELECT, INSERT ON mira_audit TO mira_app;
///   REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON mira_audit FROM mira_app;
/// </code>
/// Anyone able to rewrite the whole table can recompute every hash; keep an <see cref="AuditAnchor"/> (the head
/// printed by <c>mira audit verify</c>) outside the database and verify against it to detect that, and truncation.
/// </para>
/// </summary>
public sealed partial class AuditLog
{
    readonly StorageDatabase db;
    readonly SecurityOptions options;

    public AuditLog(StorageDatabase db, SecurityOptions options)
    {
        this.db = db;
        this.options = options;
    }

    /// <summary>Opens the log, creating the security tables when missing.</summary>
    public static async Task<AuditLog> OpenAsync(StorageDatabase db, SecurityOptions? options = null, CancellationToken ct = default)
    {
        await Migrations.MigrationRunner.ApplyAsync(db, Migrations.MigrationCatalog.Intake, ct);
        return new AuditLog(db, options ?? SecurityOptions.Default);
    }

    /// <summary>The hash of an empty log's (absent) last record: 64 zeros.</summary>
    public static string GenesisHash => AuditHash.Genesis;

    public async Task<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken ct = default) =>
        (await AppendAsync([entry], ct))[0];

    /// <summary>Appends records in one transaction (consecutive sequence numbers, one commit).</summary>
    /// <exception cref="ArgumentException">An empty actor or action, or details that are not JSON.</exception>
    public async Task<IReadOnlyList<AuditRecord>> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken ct = default)
    {
        foreach (var e in entries) Validate(e);
        if (entries.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        await using var tx = await SecuritySchema.BeginSerializedAsync(c, SecuritySchema.AuditLock, ct);
        // Read committed on PostgreSQL: this statement runs after the lock is held, so it sees every earlier append.
        var last = await c.QuerySingleOrDefaultAsync<(long Seq, string Hash)>(new CommandDefinition(
            "SELECT seq, hash FROM mira_audit ORDER BY seq DESC LIMIT 1", transaction: tx, cancellationToken: ct));
        var seq = last.Hash is null ? 0 : last.Seq;
        var prev = last.Hash ?? AuditHash.Genesis;
        var timeUs = SecuritySchema.ToMicros(options.Time.GetUtcNow());
        var records = new List<AuditRecord>(entries.Count);
        foreach (var e in entries)
        {
            seq++;
            var outcome = OutcomeText(e.Outcome);
            var prevBytes = AuditHash.TryDecode(prev)
                ?? throw new InvalidOperationException($"Audit record {seq - 1} has a malformed hash; run the chain verification.");
            var hash = AuditHash.Compute(seq, timeUs, e.Actor, e.Action, e.Resource, e.ClientAddress, outcome, e.DetailsJson, prevBytes);
            records.Add(new AuditRecord(seq, SecuritySchema.FromMicros(timeUs), e.Actor, e.Action, e.Resource, e.ClientAddress,
                outcome, e.DetailsJson, prev, hash));
            prev = hash;
        }
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mira_audit (seq, at_us, actor, action, resource, client, outcome, details, prev_hash, hash)
            VALUES (@Sequence, @TimeUs, @Actor, @Action, @Resource, @ClientAddress, @Outcome, @DetailsJson, @PreviousHash, @Hash)
            """,
            records.Select(r => new
            {
                r.Sequence, TimeUs = SecuritySchema.ToMicros(r.TimeUtc), r.Actor, r.Action, r.Resource, r.ClientAddress,
                r.Outcome, r.DetailsJson, r.PreviousHash, r.Hash,
            }).ToArray(), tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return records;
    }

    /// <summary>Up to <paramref name="limit"/> records with sequence ≥ <paramref name="fromSequence"/>, in order.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ReadAsync(long fromSequence = 1, int limit = 1000, CancellationToken ct = default)
    {
        var list = new List<AuditRecord>();
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Query(c, fromSequence, limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) list.Add(ReadRecord(reader));
        return list;
    }

    /// <summary>
    /// Walks the chain from sequence 1 and reports the first broken record: a missing sequence number, a previous
    /// hash that is not the hash of the record before, or fields that do not hash to the stored hash. With an
    /// <paramref name="anchor"/>, also checks that the record it names still exists with that hash.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(AuditAnchor? anchor = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Query(c, long.MinValue, null);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        long expected = 1, checkedCount = 0;
        var prev = AuditHash.Genesis;
        AuditVerification Broken(long seq, AuditBreakKind kind, string why) =>
            new(checkedCount, new AuditAnchor(expected - 1, prev), new AuditBreak(seq, kind, why));
        while (await reader.ReadAsync(ct))
        {
            var r = ReadRecord(reader);
            if (r.Sequence != expected)
                return Broken(expected, AuditBreakKind.SequenceGap,
                    r.Sequence > expected ? $"Records {expected}..{r.Sequence - 1} are missing." : $"Unexpected sequence number {r.Sequence}.");
            if (r.PreviousHash != prev)
                return Broken(r.Sequence, AuditBreakKind.PreviousHashMismatch,
                    $"Record {r.Sequence} names previous hash {r.PreviousHash}, but record {r.Sequence - 1} hashes to {prev}.");
            var actual = ComputeHash(r);
            if (actual != r.Hash)
                return Broken(r.Sequence, AuditBreakKind.HashMismatch,
                    $"Record {r.Sequence} stores hash {r.Hash}, but its fields hash to {actual}.");
            if (anchor is not null && r.Sequence == anchor.Sequence && r.Hash != anchor.Hash)
                return Broken(r.Sequence, AuditBreakKind.AnchorMismatch,
                    $"Record {r.Sequence} hashes to {r.Hash}, but the anchor says {anchor.Hash}.");
            prev = r.Hash;
            expected++;
            checkedCount++;
        }
        if (anchor is not null && anchor.Sequence >= expected)
            return Broken(expected, AuditBreakKind.Truncated,
                $"The log ends at record {expected - 1}, but the anchor names record {anchor.Sequence}.");
        return new AuditVerification(checkedCount, new AuditAnchor(expected - 1, prev), null);
    }

    /// <summary>The hash a record should have, from its fields and its stored previous hash.</summary>
    public static string ComputeHash(AuditRecord r) =>
        AuditHash.TryDecode(r.PreviousHash) is { } prev
            ? AuditHash.Compute(r.Sequence, SecuritySchema.ToMicros(r.TimeUtc), r.Actor, r.Action, r.Resource, r.ClientAddress,
                r.Outcome, r.DetailsJson, prev)
            : "(malformed previous hash)";

    public static string OutcomeText(AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Success => "success",
        AuditOutcome.Denied => "denied",
        AuditOutcome.Failure => "failure",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    static void Validate(AuditEntry e)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(e.Actor, nameof(AuditEntry.Actor));
        ArgumentException.ThrowIfNullOrWhiteSpace(e.Action, nameof(AuditEntry.Action));
        OutcomeText(e.Outcome);
        if (e.DetailsJson is null) return;
        try
        {
            using var _ = JsonDocument.Parse(e.DetailsJson);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException("Audit details must be JSON: " + ex.Message, nameof(AuditEntry.DetailsJson), ex);
        }
    }

    static DbCommand Query(DbConnection c, long fromSequence, int? limit)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT seq, at_us, actor, action, resource, client, outcome, details, prev_hash, hash FROM mira_audit "
            + "WHERE seq >= @first ORDER BY seq" + (limit is null ? "" : " LIMIT @limit");
        AddParameter(cmd, "first", fromSequence);
        if (limit is not null) AddParameter(cmd, "limit", (long)limit.Value);
        return cmd;
    }

    static void AddParameter(DbCommand cmd, string name, long value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    static AuditRecord ReadRecord(DbDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new AuditRecord(r.GetInt64(0), SecuritySchema.FromMicros(r.GetInt64(1)), r.GetString(2), r.GetString(3),
            Text(4), Text(5), r.GetString(6), Text(7), r.GetString(8), r.GetString(9));
    }
}
