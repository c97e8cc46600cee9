namespace Mira.Storage.Models;

/// <summary>
/// The model registry's table (migration 13): one row per model version, immutable once written. The package itself
/// (a canonical zip of <c>mira-model.json</c> and <c>model.onnx</c>) is a blob under <c>models/&lt;sha256&gt;/package.zip</c>;
/// the row names it by its content hash.
/// </summary>
public static class ModelSchema
{
    internal static IReadOnlyList<string> TableDdl(StorageProvider p) =>
    [
        """
        CREATE TABLE mira_models (
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            task TEXT NOT NULL,
            protocol TEXT NOT NULL,
            manifest TEXT NOT NULL,
            package_bytes BIGINT NOT NULL,
            owner TEXT NOT NULL,
            pushed_us BIGINT NOT NULL,
            PRIMARY KEY (name, version))
        """,
        "CREATE INDEX mira_models_owner ON mira_models (owner)",
    ];
}
