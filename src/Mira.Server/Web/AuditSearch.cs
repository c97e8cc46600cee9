using System.Globalization;
using Mira.Storage.Security;

namespace Mira.Server.Web;

/// <summary>
/// The audit log page's filter form (GET): actor, action (or its beginning), outcome, a range of days (UTC, both
/// inclusive), and the page (records older than <see cref="Before"/>), turned into an <see cref="AuditFilter"/>.
/// </summary>
public sealed record AuditSearch(string? Actor, string? Action, string? Outcome, string? From, string? To, string? Before)
{
    public const int PageSize = 50;

    public static IReadOnlyList<string> Outcomes { get; } = ["success", "denied", "failure"];

    /// <summary>The filter, or a message naming the field that is wrong.</summary>
    public AuditFilter ToFilter(out string? error)
    {
        error = null;
        AuditOutcome? outcome = Outcome?.Trim() switch
        {
            null or "" => null,
            "success" => AuditOutcome.Success,
            "denied" => AuditOutcome.Denied,
            "failure" => AuditOutcome.Failure,
            _ => null,
        };
        if (outcome is null && !string.IsNullOrWhiteSpace(Outcome)) error = $"Outcome: '{Shorten(Outcome)}' is not one of {string.Join(", ", Outcomes)}.";
        var from = Day("From", From, ref error);
        var to = Day("To", To, ref error);
        if (from is not null && to is not null && from > to) error ??= "Time: 'From' is after 'To'.";
        long? before = null;
        if (!string.IsNullOrWhiteSpace(Before))
        {
            if (long.TryParse(Before, NumberStyles.None, CultureInfo.InvariantCulture, out var b)) before = b;
            else error ??= $"before: '{Shorten(Before)}' is not a record number.";
        }
        if (Actor is { Length: > 256 } || Action is { Length: > 100 }) error ??= "Actor: at most 256 characters; action: at most 100.";
        return new AuditFilter(
            string.IsNullOrWhiteSpace(Actor) ? null : Actor.Trim(),
            string.IsNullOrWhiteSpace(Action) ? null : Action.Trim(),
            outcome,
            from,
            to?.AddDays(1), // "to" names a whole day
            before);
    }

    static DateTimeOffset? Day(string label, string? value, ref string? error)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        error ??= $"{label}: '{Shorten(value)}' is not a date (YYYY-MM-DD).";
        return null;
    }

    /// <summary>This filter's query string for the page of records older than <paramref name="before"/> (none: the newest).</summary>
    public string QueryString(long? before)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) parts.Add(name + "=" + Uri.EscapeDataString(value.Trim()));
        }
        Add("actor", Actor);
        Add("action", Action);
        Add("outcome", Outcome);
        Add("from", From);
        Add("to", To);
        if (before is { } b) parts.Add("before=" + b.ToString(CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
