using System.Text;
using Dapper;

namespace Mira.Storage.Security;

/// <summary>
/// Which audit records an auditor asks for. Every field is optional; given ones must all match.
/// </summary>
/// <param name="Actor">The actor, exactly (user names are stored lower case).</param>
/// <param name="ActionPrefix">The action, or its beginning: <c>project.</c> matches <c>project.copy</c> and <c>project.qido</c>.</param>
/// <param name="Outcome">Success, denied or failure.</param>
/// <param name="From">Records at or after this time.</param>
/// <param name="Until">Records before this time.</param>
/// <param name="BeforeSequence">Records with a smaller sequence number (the next page of a newest-first listing).</param>
public sealed record AuditFilter(
    string? Actor = null,
    string? ActionPrefix = null,
    AuditOutcome? Outcome = null,
    DateTimeOffset? From = null,
    DateTimeOffset? Until = null,
    long? BeforeSequence = null);

public sealed partial class AuditLog
{
    /// <summary>The most records one <see cref="QueryAsync"/> returns.</summary>
    public const int MaxQueryLimit = 1000;

    /// <summary>
    /// Up to <paramref name="limit"/> records matching <paramref name="filter"/>, newest first. Pages follow with
    /// <see cref="AuditFilter.BeforeSequence"/> set to the last sequence number of the page before (so records appended
    /// meanwhile do not shift the pages).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit outside 1..<see cref="MaxQueryLimit"/>.</exception>
    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditFilter filter, int limit = 100, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxQueryLimit);
        var sql = new StringBuilder("SELECT seq, at_us, actor, action, resource, client, outcome, details, prev_hash, hash FROM mira_audit WHERE 1 = 1");
        var args = new DynamicParameters();
        if (filter.Actor is { } actor)
        {
            sql.Append(" AND actor = @actor");
            args.Add("actor", actor);
        }
        if (filter.ActionPrefix is { Length: > 0 } prefix)
        {
            // A prefix compare without LIKE: no wildcard in an action name can widen the match, on either database.
            sql.Append(" AND substr(action, 1, @prefixLength) = @prefix");
            args.Add("prefix", prefix);
            args.Add("prefixLength", prefix.Length);
        }
        if (filter.Outcome is { } outcome)
        {
            sql.Append(" AND outcome = @outcome");
            args.Add("outcome", OutcomeText(outcome));
        }
        if (filter.From is { } from)
        {
            sql.Append(" AND at_us >= @fromUs");
            args.Add("fromUs", SecuritySchema.ToMicros(from));
        }
        if (filter.Until is { } until)
        {
            sql.Append(" AND at_us < @untilUs");
            args.Add("untilUs", SecuritySchema.ToMicros(until));
        }
        if (filter.BeforeSequence is { } before)
        {
            sql.Append(" AND seq < @before");
            args.Add("before", before);
        }
        sql.Append(" ORDER BY seq DESC LIMIT @limit");
        args.Add("limit", (long)limit);
        var list = new List<AuditRecord>();
        await using var c = await db.OpenAsync(ct);
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(sql.ToString(), args, cancellationToken: ct));
        while (await reader.ReadAsync(ct)) list.Add(ReadRecord(reader));
        return list;
    }
}
