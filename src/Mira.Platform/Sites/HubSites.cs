using System.Security.Cryptography;
using System.Text.Json;
using Mira.Deid;
using Mira.Platform.Audit;
using Mira.Platform.Research;
using Mira.Platform.Security;
using Mira.Storage.Projects;
using Mira.Storage.Security;
using Mira.Storage.Sites;

namespace Mira.Platform.Sites;

/// <summary>A site registered on the hub: its name (also its account's) and the bearer token, shown once.</summary>
public sealed record SiteRegistration(string Name, IssuedToken Token);

/// <summary>
/// What the hub hands a source site for one project: the recipe the engine needs (its JSON, name and hash), the
/// project key (hex) and what to send. Only ever to a registered source site of the project, over its authenticated
/// channel, and audited (<c>site.key-handout</c>).
/// </summary>
public sealed record SiteProjectHandout(string Project, string Name, string RecipeName, string RecipeHash, string RecipeJson, string KeyHex,
    SourceFilter Filter);

/// <summary>
/// The hub's side of sites (<c>docs/sites.md</c>): registering a site (an account of role <see cref="Roles.Site"/> and
/// a token), the sources of each project, the hand-out of recipe and key to source sites, and the checks on what a
/// site pushes (<see cref="DeidentifiedMarks"/>).
/// </summary>
public sealed class HubSites(SiteStore store, AccountService accounts, TokenStore tokens, ProjectService projects, AuditLog audit)
{
    public SiteStore Store { get; } = store;

    /// <summary>Site names are slugs, as project ids are: a-z, 0-9 and '-', 1–63 characters.</summary>
    public static bool IsValidName(string name) => ProjectStore.IsValidId(name);

    /// <summary>
    /// Registers a site: an account of the single role <c>site</c> (with a random password nobody is told: a site signs
    /// in with its token only) and a bearer token of <paramref name="lifetime"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An invalid name.</exception>
    /// <exception cref="InvalidOperationException">The name is taken by a site or an account.</exception>
    public async Task<SiteRegistration> AddSiteAsync(string name, TimeSpan lifetime, string actor, CancellationToken ct = default)
    {
        if (!IsValidName(name)) throw new ArgumentException($"'{name}' is not a site name (a-z, 0-9 and '-', at most 63 characters)", nameof(name));
        if (await Store.IsSiteAsync(name, ct)) throw new InvalidOperationException($"site '{name}' is registered already");
        await accounts.CreateUserAsync(name, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), [Roles.Site], ct);
        await Store.AddSiteAsync(name, ct);
        var token = await tokens.IssueAsync(name, lifetime, "site", ct);
        await audit.AppendAsync(new AuditEntry(actor, AuditActions.SiteAdd, name, null, AuditOutcome.Success,
            JsonSerializer.Serialize(new { token = token.Info.Id, expires = token.Info.ExpiresUtc })), CancellationToken.None);
        return new SiteRegistration(name, token);
    }

    /// <summary>Removes a site: its sources go, its account is disabled (so its tokens stop working); provenance stays.</summary>
    public async Task<bool> RemoveSiteAsync(string name, string actor, CancellationToken ct = default)
    {
        if (!await Store.RemoveSiteAsync(name, ct)) return false;
        await accounts.SetDisabledAsync(name, true, ct);
        await audit.AppendAsync(new AuditEntry(actor, AuditActions.SiteRemove, name), CancellationToken.None);
        return true;
    }

    /// <summary>Names a registered site as a source of a project (or changes its filter). Null when done, else why not.</summary>
    public async Task<string?> SetSourceAsync(string project, string site, SourceFilter filter, string actor, CancellationToken ct = default)
    {
        if (await projects.Store.GetAsync(project, ct) is not { } p) return $"no project {project}";
        if (SitePush.DeclineReason(DeidRecipe.FromJson(p.RecipeJson)) is not null)
            return $"project {project}'s recipe keeps direct identifiers: sites send only de-identified copies, so it cannot have source sites";
        if (!await Store.IsSiteAsync(site, ct)) return $"no site '{site}' is registered (mira site add {site})";
        if (filter.Validate() is { } invalid) return invalid;
        await Store.SetSourceAsync(project, site, filter, ct);
        await audit.AppendAsync(new AuditEntry(actor, AuditActions.ProjectSourceSet, $"{project}:{site}", null, AuditOutcome.Success, filter.ToJson()),
            CancellationToken.None);
        return null;
    }

    public async Task<bool> RemoveSourceAsync(string project, string site, string actor, CancellationToken ct = default)
    {
        if (!await Store.RemoveSourceAsync(project, site, ct)) return false;
        await audit.AppendAsync(new AuditEntry(actor, AuditActions.ProjectSourceRemove, $"{project}:{site}"), CancellationToken.None);
        return true;
    }

    /// <summary>
    /// The projects naming <paramref name="site"/> as a source, with recipe and key: each hand-out is audited with the
    /// key's fingerprint (never the key).
    /// </summary>
    public async Task<IReadOnlyList<SiteProjectHandout>> HandoutAsync(string site, string? client, CancellationToken ct = default)
    {
        var result = new List<SiteProjectHandout>();
        foreach (var source in await Store.ListSourcesAsync(site: site, ct: ct))
        {
            if (await projects.Store.GetAsync(source.Project, ct) is not { } p || await projects.Store.GetKeyAsync(p.Id, ct) is not { } key) continue;
            result.Add(new SiteProjectHandout(p.Id, p.Name, p.RecipeName, p.RecipeHash, p.RecipeJson, Convert.ToHexString(key), source.Filter));
            await audit.AppendAsync(new AuditEntry(site, AuditActions.SiteKeyHandout, p.Id, client, AuditOutcome.Success,
                JsonSerializer.Serialize(new { recipeHash = p.RecipeHash, key = new ProjectKey(key).Fingerprint() })), CancellationToken.None);
        }
        return result;
    }

    /// <summary>The de-identification engine of a project (for <see cref="DeidentifiedMarks"/>), or null without a project or key.</summary>
    public async Task<DeidEngine?> EngineAsync(string project, CancellationToken ct = default)
    {
        if (await projects.Store.GetAsync(project, ct) is not { } p || await projects.Store.GetKeyAsync(p.Id, ct) is not { } key) return null;
        return new DeidEngine(DeidRecipe.FromJson(p.RecipeJson), new ProjectKey(key));
    }
}
