using Mira.Platform.Research;
using Mira.Storage.Security;

namespace Mira.Platform.Intake;

/// <summary>
/// The intake zone's way in: the ingest pipeline (<see cref="IngestService"/>), the queue that gathers single stores
/// into group commits (<see cref="IngestQueue"/>), and the after-store steps every transport shares through
/// <see cref="IntakeSession"/>.
/// </summary>
public sealed class IntakeService(IngestService ingest, IngestQueue queue, ProjectService projects, AuditLog audit)
{
    public IngestService Ingest { get; } = ingest;
    public IngestQueue Queue { get; } = queue;
    internal ProjectService Projects { get; } = projects;
    internal AuditLog Audit { get; } = audit;

    /// <summary>The deployment rules' hook (set by the composition root; null runs none).</summary>
    internal Deployment.DeploymentService? Deployments { get; set; }

    /// <summary>Raised when an after-store step fails (for the host's log).</summary>
    public event Action<string>? Problem;

    public IntakeSession Begin(IntakeContext context) => new(this, context);

    internal void ReportProblem(string message) => Problem?.Invoke(message);
}
