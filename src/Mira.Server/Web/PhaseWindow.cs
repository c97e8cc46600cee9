using Mira.Storage.Evaluations;

namespace Mira.Server.Web;

/// <summary>How pages describe a phase's submission window.</summary>
public static class PhaseWindow
{
    public static bool IsOpen(EvaluationPhaseRecord p, DateTimeOffset now) => now >= p.Opens && (p.Closes is not { } c || now < c);

    public static string Describe(EvaluationPhaseRecord p, DateTimeOffset now)
    {
        var span = $"{WebFormat.Time(p.Opens)} – {(p.Closes is { } c ? WebFormat.Time(c) : "open-ended")}";
        var state = now < p.Opens ? "not open yet" : IsOpen(p, now) ? "open" : "closed";
        return $"{span} ({state})";
    }
}
