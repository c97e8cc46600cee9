using Dapper;
using static Mira.Storage.Security.SecuritySchema;

namespace Mira.Storage.Datasets;

/// <summary>
/// Dataset releases and their members (<see cref="DatasetSchema"/>). SQL only: what a kind or a split means, and who
/// may see what, is the platform's business. A release and its members are written in one transaction and never
/// updated: a release is immutable, and a new version is a new row.
/// </summary>
public sealed class DatasetStore(StorageDatabase db)
{
    public StorageDatabase Database => db;

    const string ReleaseColumns = "id, project, name, version, kind, supersedes, splits, datasheet, member_count, created_by, created_us";
    const string MemberColumns = "release_id, ordinal, case_id, study_uid, series_uid, patient, split, fields, pixel_sha256, content_sha256, annotation";

    sealed class ReleaseRow
    {
        public string id { get; set; } = "";
        public string project { get; set; } = "";
        public string name { get; set; } = "";
        public long version { get; set; }
        public string kind { get; set; } = "";
        public string? supersedes { get; set; }
        public string splits { get; set; } = "";
        public string datasheet { get; set; } = "";
        public long member_count { get; set; }
        public string created_by { get; set; } = "";
        public long created_us { get; set; }
        public DatasetReleaseRecord ToRecord() =>
            new(id, project, name, (int)version, kind, supersedes, splits, datasheet, (int)member_count, created_by, FromMicros(created_us));
    }

    sealed class MemberRow
    {
        public string release_id { get; set; } = "";
        public long ordinal { get; set; }
        public string case_id { get; set; } = "";
        public string study_uid { get; set; } = "";
        public string series_uid { get; set; } = "";
        public string patient { get; set; } = "";
        public string split { get; set; } = "";
        public string fields { get; set; } = "";
        public string pixel_sha256 { get; set; } = "";
        public string content_sha256 { get; set; } = "";
        public string? annotation { get; set; }
        public DatasetMemberRecord ToRecord() =>
            new(release_id, (int)ordinal, case_id, study_uid, series_uid, patient, split, fields, pixel_sha256, content_sha256, annotation);
    }

    /// <summary>
    /// Writes a release and its members in one transaction. False (and nothing written) when a release with that id, or
    /// with that project, name and version, already exists.
    /// </summary>
    public async Task<bool> AddAsync(DatasetReleaseRecord release, IReadOnlyList<DatasetMemberRecord> members, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var exists = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM mira_dataset_releases WHERE id = @Id OR (project = @Project AND name = @Name AND version = @Version)",
            new { release.Id, release.Project, release.Name, release.Version }, tx, cancellationToken: ct));
        if (exists > 0) return false;
        await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_dataset_releases ({ReleaseColumns})
            VALUES (@Id, @Project, @Name, @Version, @Kind, @Supersedes, @SplitsJson, @DatasheetJson, @MemberCount, @CreatedBy, @created)
            """, new
        {
            release.Id, release.Project, release.Name, release.Version, release.Kind, release.Supersedes, release.SplitsJson, release.DatasheetJson,
            release.MemberCount, release.CreatedBy, created = ToMicros(release.Created),
        }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_dataset_members ({MemberColumns})
            VALUES (@Release, @Ordinal, @CaseId, @StudyUid, @SeriesUid, @Patient, @Split, @FieldsJson, @PixelSha256, @ContentSha256, @AnnotationJson)
            """, members, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>A release by id; null when absent.</summary>
    public async Task<DatasetReleaseRecord?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QueryFirstOrDefaultAsync<ReleaseRow>(new CommandDefinition(
            $"SELECT {ReleaseColumns} FROM mira_dataset_releases WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToRecord();
    }

    /// <summary>A project's releases, by name then version.</summary>
    public async Task<IReadOnlyList<DatasetReleaseRecord>> ListAsync(string project, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<ReleaseRow>(new CommandDefinition(
            $"SELECT {ReleaseColumns} FROM mira_dataset_releases WHERE project = @project ORDER BY name, version", new { project }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>The latest version of a release name in a project; null when there is none.</summary>
    public async Task<DatasetReleaseRecord?> LatestAsync(string project, string name, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QueryFirstOrDefaultAsync<ReleaseRow>(new CommandDefinition(
            $"SELECT {ReleaseColumns} FROM mira_dataset_releases WHERE project = @project AND name = @name ORDER BY version DESC LIMIT 1",
            new { project, name }, cancellationToken: ct));
        return row?.ToRecord();
    }

    /// <summary>A release's members, in release order.</summary>
    public async Task<IReadOnlyList<DatasetMemberRecord>> MembersAsync(string release, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<MemberRow>(new CommandDefinition(
            $"SELECT {MemberColumns} FROM mira_dataset_members WHERE release_id = @release ORDER BY ordinal", new { release }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>Every member of every release of a project, with its release's name, version and kind (for the leakage check).</summary>
    public async Task<IReadOnlyList<DatasetMemberFact>> ProjectMembersAsync(string project, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Release, string Name, long Version, string Kind, string Case, string Patient, string Split, string Pixel, string Series)>(
            new CommandDefinition("""
                SELECT m.release_id, r.name, r.version, r.kind, m.case_id, m.patient, m.split, m.pixel_sha256, m.series_uid
                FROM mira_dataset_members m JOIN mira_dataset_releases r ON r.id = m.release_id
                WHERE r.project = @project ORDER BY r.name, r.version, m.ordinal
                """, new { project }, cancellationToken: ct));
        return [.. rows.Select(r => new DatasetMemberFact(r.Release, r.Name, (int)r.Version, r.Kind, r.Case, r.Patient, r.Split, r.Pixel, r.Series))];
    }

    /// <summary>
    /// The studies and series of a project that belong to a release of one of <paramref name="kinds"/> (for the gate
    /// that keeps sequestered cases from model submitters).
    /// </summary>
    public async Task<(IReadOnlySet<string> Studies, IReadOnlySet<string> Series)> CasesOfKindAsync(string project, IReadOnlyCollection<string> kinds,
        CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Study, string Series)>(new CommandDefinition($"""
            SELECT DISTINCT m.study_uid, m.series_uid FROM mira_dataset_members m JOIN mira_dataset_releases r ON r.id = m.release_id
            WHERE r.project = @project AND {db.InList("r.kind", "@kinds")}
            """, new { project, kinds = kinds.ToArray() }, cancellationToken: ct));
        var studies = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (st, se) in rows) { studies.Add(st); series.Add(se); }
        return (studies, series);
    }
}
