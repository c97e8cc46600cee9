namespace Mira.Storage.Projects;

/// <summary>
/// The disease domains a project may declare: the ids of the ten annotation protocols Mira ships with
/// (<c>../shared/protocols/*.json</c>, field <c>id</c>). Optional; statistics group projects by it.
/// </summary>
public static class ProjectDomains
{
    public static IReadOnlyList<string> All { get; } =
    [
        "brain-mri-adult-ageing", "brain-mri-developing", "cervical-cytology-tbs", "fundus-dr-multidisease", "glioma-brats",
        "meningioma-brats-men", "oesophageal-pathology-wsi", "petct-tumour-metabolism", "prostate-mri-pirads", "thyroid-us-tirads",
    ];

    public static bool IsKnown(string domain) => All.Contains(domain, StringComparer.Ordinal);

    /// <summary>The <c>domain</c> column of <c>mira_projects</c> (migration 10).</summary>
    internal static IReadOnlyList<string> ColumnDdl(StorageProvider provider) =>
    [
        provider == StorageProvider.Sqlite
            ? "ALTER TABLE mira_projects ADD COLUMN domain TEXT"
            : "ALTER TABLE mira_projects ADD COLUMN IF NOT EXISTS domain TEXT",
    ];
}
