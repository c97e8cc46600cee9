using Dapper;

namespace Mira.Storage.Projects;

/// <summary>A project member and their role.</summary>
public sealed record ProjectMember(string Project, string User, string Role);

/// <summary>What a rule matches: arrivals over DIMSE from an AE title, or STOW-RS uploads by an account.</summary>
public static class ProjectRuleKinds
{
    public const string AeTitle = "ae";
    public const string Uploader = "uploader";
}

/// <summary>
/// A project rule: everything arriving from <see cref="Source"/> (an AE title, or an account's user name) is copied
/// into <see cref="Project"/>. Its <see cref="Id"/> is <c>kind:source</c> (<c>ae:MODALITY1</c>, <c>uploader:alice</c>).
/// </summary>
public sealed record ProjectRule(string Project, string Kind, string Source)
{
    public string Id => $"{Kind}:{Source}";

    /// <summary>The rule an <see cref="Id"/> names (<c>ae:TITLE</c>, <c>uploader:NAME</c>), or null for anything else.</summary>
    public static ProjectRule? FromId(string project, string id) =>
        id.StartsWith(ProjectRuleKinds.Uploader + ":", StringComparison.Ordinal) ? new(project, ProjectRuleKinds.Uploader, id[(ProjectRuleKinds.Uploader.Length + 1)..])
        : id.StartsWith(ProjectRuleKinds.AeTitle + ":", StringComparison.Ordinal) ? new(project, ProjectRuleKinds.AeTitle, id[(ProjectRuleKinds.AeTitle.Length + 1)..])
        : null;
}

/// <summary>Listing and revoking access and rules.</summary>
public sealed partial class ProjectStore
{
    /// <summary>The project's members, ordered by user name.</summary>
    public async Task<IReadOnlyList<ProjectMember>> ListMembersAsync(string project, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string User, string Role)>(new CommandDefinition(
            "SELECT user_name, role FROM mira_project_members WHERE project = @project ORDER BY user_name", new { project }, cancellationToken: ct));
        return [.. rows.Select(r => new ProjectMember(project, r.User, r.Role))];
    }

    /// <summary>Removes a member; their next request to the project is refused. False when they were not a member.</summary>
    public async Task<bool> RemoveMemberAsync(string project, string user, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM mira_project_members WHERE project = @project AND user_name = @user", new { project, user }, cancellationToken: ct)) == 1;
    }

    /// <summary>"Everything this account stores over STOW-RS": adds an uploader rule (idempotent).</summary>
    public async Task AddUploaderRuleAsync(string project, string user, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO mira_project_uploader_rules (project, user_name) VALUES (@project, @user) ON CONFLICT (project, user_name) DO NOTHING",
            new { project, user }, cancellationToken: ct));
    }

    /// <summary>The project's rules: AE titles first, then uploaders, each ordered by name.</summary>
    public async Task<IReadOnlyList<ProjectRule>> ListRulesAsync(string project, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var ae = await c.QueryAsync<string>(new CommandDefinition(
            "SELECT ae_title FROM mira_project_rules WHERE project = @project ORDER BY ae_title", new { project }, cancellationToken: ct));
        var uploaders = await c.QueryAsync<string>(new CommandDefinition(
            "SELECT user_name FROM mira_project_uploader_rules WHERE project = @project ORDER BY user_name", new { project }, cancellationToken: ct));
        return [.. ae.Select(a => new ProjectRule(project, ProjectRuleKinds.AeTitle, a)), .. uploaders.Select(u => new ProjectRule(project, ProjectRuleKinds.Uploader, u))];
    }

    /// <summary>Removes a rule; false when the project has no such rule. Copies already made stay.</summary>
    public async Task<bool> RemoveRuleAsync(ProjectRule rule, CancellationToken ct = default)
    {
        var sql = rule.Kind switch
        {
            ProjectRuleKinds.AeTitle => "DELETE FROM mira_project_rules WHERE project = @Project AND ae_title = @Source",
            ProjectRuleKinds.Uploader => "DELETE FROM mira_project_uploader_rules WHERE project = @Project AND user_name = @Source",
            _ => throw new ArgumentException($"unknown rule kind '{rule.Kind}'", nameof(rule)),
        };
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(sql, new { rule.Project, rule.Source }, cancellationToken: ct)) == 1;
    }

    /// <summary>Whether the rule exists (the rule worker drops a queued copy whose rule was removed).</summary>
    public async Task<bool> HasRuleAsync(ProjectRule rule, CancellationToken ct = default) =>
        (await ListRulesAsync(rule.Project, ct)).Contains(rule);
}
