namespace Mira.Platform.Security;

/// <summary>The fixed set of roles. A user may hold several.</summary>
public static class Roles
{
    /// <summary>Everything, including account and token management and deletion.</summary>
    public const string Admin = "admin";
    /// <summary>Data steward: may see identified data and re-identify.</summary>
    public const string Steward = "steward";
    /// <summary>Works on de-identified project data (annotations).</summary>
    public const string Annotator = "annotator";
    /// <summary>Model developer: de-identified releases, evaluations.</summary>
    public const string Developer = "developer";
    /// <summary>Reads and verifies the audit log.</summary>
    public const string Auditor = "auditor";
    /// <summary>Clinician: reviews deployed models' results on clinical (identified) studies: accept, correct or reject.</summary>
    public const string Clinician = "clinician";
    /// <summary>
    /// An external task performer (an AI service): searches and claims UPS work items and reads only the inputs of
    /// the ones it holds, stores its results into their studies (docs/workitems.md).
    /// </summary>
    public const string Performer = "performer";

    /// <summary>
    /// Runs the servers: reads <c>/metrics</c> and the job queue's figures (docs/operations.md), and nothing of the
    /// patient data (no DICOMweb, no projects).
    /// </summary>
    public const string Operator = "operator";

    /// <summary>
    /// A site's account on a hub (docs/sites.md): fetches the recipe and key of the projects naming it as a source and
    /// pushes de-identified instances into them; nothing else (no QIDO, no WADO, no other project).
    /// </summary>
    public const string Site = "site";

    /// <summary>All roles, in canonical order.</summary>
    public static IReadOnlyList<string> All { get; } = [Admin, Steward, Annotator, Developer, Auditor, Clinician, Performer, Operator, Site];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);

    /// <summary>Validates, removes duplicates and returns the roles in canonical order.</summary>
    /// <exception cref="ArgumentException">A role outside the fixed set.</exception>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> roles)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in roles)
        {
            if (!IsKnown(r))
                throw new ArgumentException($"Unknown role '{r}'; known roles: {string.Join(", ", All)}.", nameof(roles));
            set.Add(r);
        }
        return All.Where(set.Contains).ToArray();
    }

    /// <summary>Known roles in canonical order, then any others (from an older or newer Mira) in ordinal order.</summary>
    public static IReadOnlyList<string> Order(IEnumerable<string> roles)
    {
        var held = roles.ToHashSet(StringComparer.Ordinal);
        return [.. All.Where(held.Contains), .. held.Where(r => !IsKnown(r)).Order(StringComparer.Ordinal)];
    }
}
