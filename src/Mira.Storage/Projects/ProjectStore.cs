using System.Text.RegularExpressions;
using Dapper;

namespace Mira.Storage.Projects;

/// <summary>A research project. Its key is deliberately not part of this record (see <see cref="ProjectStore.GetKeyAsync"/>).</summary>
public sealed record Project(string Id, string Name, string RecipeName, string RecipeJson, string RecipeHash, DateTimeOffset Created)
{
    /// <summary>The project's disease domain (<see cref="ProjectDomains"/>), or null when none was given.</summary>
    public string? Domain { get; init; }
}

/// <summary>A project member's role.</summary>
public static class ProjectRoles
{
    public const string Lead = "lead";
    public const string Member = "member";

    public static bool IsKnown(string role) => role is Lead or Member;
}

/// <summary>One original → pseudonym pair kept in the vault.</summary>
public sealed record VaultRecord(string Project, string Kind, string Original, string Pseudonym, DateTimeOffset Created);

/// <summary>
/// Research projects in the intake database: <c>mira_projects</c> (with the project's secret key, which stays in the
/// intake zone), <c>mira_project_members</c>, <c>mira_project_rules</c> (source AE titles whose arrivals are copied),
/// <c>mira_project_uploader_rules</c> (accounts whose STOW-RS uploads are copied) and <c>mira_pseudonym_vault</c> (original ↔ pseudonym, unique per project, kind and original).
/// </summary>
public sealed partial class ProjectStore
{
    readonly StorageDatabase db;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex IdPattern();

    /// <summary>Project ids are slugs: lower-case letters, digits and hyphens, 1–63 characters, not starting with a hyphen.</summary>
    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    public ProjectStore(StorageDatabase db) => this.db = db;

    /// <summary>Opens the store on a migrated intake database (<see cref="Migrations.MigrationCatalog.Intake"/>).</summary>
    public static async Task<ProjectStore> OpenAsync(StorageDatabase db, CancellationToken ct = default)
    {
        await Migrations.MigrationRunner.ApplyAsync(db, Migrations.MigrationCatalog.Intake, ct);
        return new ProjectStore(db);
    }

    /// <summary>The project tables (migration 4).</summary>
    internal static readonly string[] TableDdl =
    [
        """
        CREATE TABLE IF NOT EXISTS mira_projects (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            recipe_name TEXT NOT NULL,
            recipe_json TEXT NOT NULL,
            recipe_hash TEXT NOT NULL,
            key_hex TEXT NOT NULL,
            created_us BIGINT NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS mira_project_members (
            project TEXT NOT NULL,
            user_name TEXT NOT NULL,
            role TEXT NOT NULL,
            PRIMARY KEY (project, user_name))
        """,
        """
        CREATE TABLE IF NOT EXISTS mira_project_rules (
            project TEXT NOT NULL,
            ae_title TEXT NOT NULL,
            PRIMARY KEY (project, ae_title))
        """,
        """
        CREATE TABLE IF NOT EXISTS mira_pseudonym_vault (
            project TEXT NOT NULL,
            kind TEXT NOT NULL,
            original TEXT NOT NULL,
            pseudonym TEXT NOT NULL,
            created_us BIGINT NOT NULL,
            PRIMARY KEY (project, kind, original))
        """,
        "CREATE INDEX IF NOT EXISTS mira_pseudonym_vault_pseudonym ON mira_pseudonym_vault (project, pseudonym)",
        // Uploader rules ("everything this account stores over STOW-RS") have a table of their own: the AE
        // rules' key (project, ae_title) cannot be widened in place on SQLite, and a name shared by an AE
        // title and an account must not make two rules one.
        """
        CREATE TABLE IF NOT EXISTS mira_project_uploader_rules (
            project TEXT NOT NULL,
            user_name TEXT NOT NULL,
            PRIMARY KEY (project, user_name))
        """,
    ];

    static long NowUs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    static DateTimeOffset FromUs(long us) => DateTimeOffset.FromUnixTimeMilliseconds(us / 1000);

    /// <summary>Creates a project; false when the id is taken.</summary>
    /// <param name="domain">Its disease domain (one of <see cref="ProjectDomains.All"/>), or null.</param>
    public async Task<bool> CreateAsync(string id, string name, string recipeName, string recipeJson, string recipeHash, ReadOnlyMemory<byte> key,
        string? domain = null, CancellationToken ct = default)
    {
        if (!IsValidId(id)) throw new ArgumentException($"'{id}' is not a project id (a-z, 0-9 and '-', at most 63 characters)", nameof(id));
        if (domain is not null && !ProjectDomains.IsKnown(domain))
            throw new ArgumentException($"'{domain}' is not a disease domain ({string.Join(", ", ProjectDomains.All)})", nameof(domain));
        if (key.Length < 16) throw new ArgumentException("a project key needs at least 16 bytes", nameof(key));
        await using var c = await db.OpenAsync(ct);
        var n = await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_projects (id, name, recipe_name, recipe_json, recipe_hash, key_hex, created_us, domain)
            VALUES (@id, @name, @recipeName, @recipeJson, @recipeHash, @key, @now, @domain) ON CONFLICT (id) DO NOTHING
            """, new { id, name, recipeName, recipeJson, recipeHash, key = Convert.ToHexString(key.Span), now = NowUs(), domain }, cancellationToken: ct));
        return n == 1;
    }

    sealed class ProjectRow
    {
        public string id { get; set; } = "";
        public string name { get; set; } = "";
        public string recipe_name { get; set; } = "";
        public string recipe_json { get; set; } = "";
        public string recipe_hash { get; set; } = "";
        public long created_us { get; set; }
        public string? domain { get; set; }
        public Project ToProject() => new(id, name, recipe_name, recipe_json, recipe_hash, FromUs(created_us)) { Domain = domain };
    }

    const string ProjectColumns = "p.id, p.name, p.recipe_name, p.recipe_json, p.recipe_hash, p.created_us, p.domain";

    public async Task<Project?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<ProjectRow>(new CommandDefinition(
            $"SELECT {ProjectColumns} FROM mira_projects p WHERE p.id = @id", new { id }, cancellationToken: ct));
        return row?.ToProject();
    }

    /// <summary>All projects, or (with <paramref name="member"/>) those the user belongs to; ordered by id.</summary>
    public async Task<IReadOnlyList<Project>> ListAsync(string? member = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var sql = member is null
            ? $"SELECT {ProjectColumns} FROM mira_projects p ORDER BY p.id"
            : $"SELECT {ProjectColumns} FROM mira_projects p JOIN mira_project_members m ON m.project = p.id WHERE m.user_name = @member ORDER BY p.id";
        var rows = await c.QueryAsync<ProjectRow>(new CommandDefinition(sql, new { member }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToProject())];
    }

    /// <summary>The project's secret key (intake zone only: never hand it to a research API).</summary>
    public async Task<byte[]?> GetKeyAsync(string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var hex = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT key_hex FROM mira_projects WHERE id = @id", new { id }, cancellationToken: ct));
        return hex is null ? null : Convert.FromHexString(hex);
    }

    /// <summary>Adds a member or changes their role.</summary>
    public async Task SetMemberAsync(string project, string user, string role, CancellationToken ct = default)
    {
        if (!ProjectRoles.IsKnown(role)) throw new ArgumentException($"unknown project role '{role}' (lead, member)", nameof(role));
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_project_members (project, user_name, role) VALUES (@project, @user, @role)
            ON CONFLICT (project, user_name) DO UPDATE SET role = excluded.role
            """, new { project, user, role }, cancellationToken: ct));
    }

    /// <summary>The user's role in the project, or null for a non-member.</summary>
    public async Task<string?> GetMemberRoleAsync(string project, string user, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT role FROM mira_project_members WHERE project = @project AND user_name = @user", new { project, user }, cancellationToken: ct));
    }

    /// <summary>"Everything arriving from AE X": adds a rule (idempotent).</summary>
    public async Task AddRuleAsync(string project, string aeTitle, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO mira_project_rules (project, ae_title) VALUES (@project, @aeTitle) ON CONFLICT (project, ae_title) DO NOTHING",
            new { project, aeTitle }, cancellationToken: ct));
    }

    /// <summary>The projects with a rule for this source AE title.</summary>
    public async Task<IReadOnlyList<string>> ProjectsForAeAsync(string aeTitle, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. await c.QueryAsync<string>(new CommandDefinition(
            "SELECT project FROM mira_project_rules WHERE ae_title = @aeTitle ORDER BY project", new { aeTitle }, cancellationToken: ct))];
    }

    /// <summary>The projects with an uploader rule for this account.</summary>
    public async Task<IReadOnlyList<string>> ProjectsForUploaderAsync(string userName, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. await c.QueryAsync<string>(new CommandDefinition(
            "SELECT project FROM mira_project_uploader_rules WHERE user_name = @userName ORDER BY project", new { userName }, cancellationToken: ct))];
    }

    /// <summary>Writes mapping records; pairs already in the vault are kept as they are. Returns the number added.</summary>
    public async Task<int> AddToVaultAsync(string project, IEnumerable<(string Kind, string Original, string Pseudonym)> records, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var now = NowUs();
        var added = 0;
        foreach (var (kind, original, pseudonym) in records)
            added += await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO mira_pseudonym_vault (project, kind, original, pseudonym, created_us)
                VALUES (@project, @kind, @original, @pseudonym, @now) ON CONFLICT (project, kind, original) DO NOTHING
                """, new { project, kind, original, pseudonym, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return added;
    }

    /// <summary>The vault records whose pseudonym is <paramref name="pseudonym"/> (normally one).</summary>
    public async Task<IReadOnlyList<VaultRecord>> LookupAsync(string project, string pseudonym, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Kind, string Original, string Pseudonym, long Created)>(new CommandDefinition(
            "SELECT kind, original, pseudonym, created_us FROM mira_pseudonym_vault WHERE project = @project AND pseudonym = @pseudonym ORDER BY kind",
            new { project, pseudonym }, cancellationToken: ct));
        return [.. rows.Select(r => new VaultRecord(project, r.Kind, r.Original, r.Pseudonym, FromUs(r.Created)))];
    }

    /// <summary>The pseudonyms the project's de-identification gave <paramref name="original"/> (a UID, an ID), normally one.</summary>
    public async Task<IReadOnlyList<VaultRecord>> PseudonymsOfAsync(string project, string original, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Kind, string Original, string Pseudonym, long Created)>(new CommandDefinition(
            "SELECT kind, original, pseudonym, created_us FROM mira_pseudonym_vault WHERE project = @project AND original = @original ORDER BY kind",
            new { project, original }, cancellationToken: ct));
        return [.. rows.Select(r => new VaultRecord(project, r.Kind, r.Original, r.Pseudonym, FromUs(r.Created)))];
    }
}
