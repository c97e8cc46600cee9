using Dapper;
using static Mira.Storage.Security.SecuritySchema;

namespace Mira.Storage.Lineage;

/// <summary>One stored de-identification run: the run record itself is JSON (the type <c>mira deid</c> writes,
/// <c>Mira.Deid.DeidRunRecord</c>), with the columns a listing needs.</summary>
public sealed record StoredDeidRun(string RunId, string? Project, string RecipeHash, DateTimeOffset Started, string RecordJson);

/// <summary>An edge of lineage: <see cref="Artefact"/> was made from <see cref="Input"/> by <see cref="Activity"/>.</summary>
public sealed record LineageEdge(string Artefact, string Input, string Activity, DateTimeOffset At);

/// <summary>
/// De-identification run records (<c>mira_deid_runs</c>) and lineage edges (<c>mira_lineage</c>), in the intake
/// database: both name original UIDs, so they stay in the intake zone with the vault.
/// </summary>
public sealed class DeidRunStore(StorageDatabase db)
{
    /// <summary>The tables (migration 7).</summary>
    internal static IReadOnlyList<string> TableDdl(StorageProvider p) =>
    [
        """
        CREATE TABLE mira_deid_runs (
            run_id TEXT PRIMARY KEY,
            project TEXT NULL,
            recipe_hash TEXT NOT NULL,
            started_us BIGINT NOT NULL,
            record TEXT NOT NULL)
        """,
        "CREATE INDEX mira_deid_runs_project ON mira_deid_runs (project, started_us)",
        """
        CREATE TABLE mira_lineage (
            artefact TEXT NOT NULL,
            input TEXT NOT NULL,
            activity TEXT NOT NULL,
            at_us BIGINT NOT NULL,
            PRIMARY KEY (artefact, input, activity))
        """,
        "CREATE INDEX mira_lineage_input ON mira_lineage (input)",
    ];


    /// <summary>Stores a run and its lineage edges in one transaction.</summary>
    public async Task AddAsync(StoredDeidRun run, IReadOnlyList<LineageEdge> lineage, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_deid_runs (run_id, project, recipe_hash, started_us, record) VALUES (@RunId, @Project, @RecipeHash, @started, @RecordJson)
            """, new { run.RunId, run.Project, run.RecipeHash, started = ToMicros(run.Started), run.RecordJson }, tx, cancellationToken: ct));
        foreach (var e in lineage)
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO mira_lineage (artefact, input, activity, at_us) VALUES (@Artefact, @Input, @Activity, @at)
                ON CONFLICT (artefact, input, activity) DO NOTHING
                """, new { e.Artefact, e.Input, e.Activity, at = ToMicros(e.At) }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    public async Task<StoredDeidRun?> GetAsync(string runId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var r = await c.QuerySingleOrDefaultAsync<(string RunId, string? Project, string RecipeHash, long Started, string Record)>(new CommandDefinition(
            "SELECT run_id, project, recipe_hash, started_us, record FROM mira_deid_runs WHERE run_id = @runId", new { runId }, cancellationToken: ct));
        return r.RunId is null ? null : new StoredDeidRun(r.RunId, r.Project, r.RecipeHash, FromMicros(r.Started), r.Record);
    }

    /// <summary>A project's runs, newest first.</summary>
    public async Task<IReadOnlyList<StoredDeidRun>> ListAsync(string project, int limit = 100, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string RunId, string? Project, string RecipeHash, long Started, string Record)>(new CommandDefinition(
            "SELECT run_id, project, recipe_hash, started_us, record FROM mira_deid_runs WHERE project = @project ORDER BY started_us DESC LIMIT @limit",
            new { project, limit }, cancellationToken: ct));
        return [.. rows.Select(r => new StoredDeidRun(r.RunId, r.Project, r.RecipeHash, FromMicros(r.Started), r.Record))];
    }

    /// <summary>What an artefact was made from (one step back).</summary>
    public async Task<IReadOnlyList<LineageEdge>> InputsOfAsync(string artefact, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Artefact, string Input, string Activity, long At)>(new CommandDefinition(
            "SELECT artefact, input, activity, at_us FROM mira_lineage WHERE artefact = @artefact ORDER BY at_us, input", new { artefact }, cancellationToken: ct));
        return [.. rows.Select(r => new LineageEdge(r.Artefact, r.Input, r.Activity, FromMicros(r.At)))];
    }
}
