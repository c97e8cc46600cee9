namespace Mira.Storage;

/// <summary>
/// The embedded archive's data folder, one layout for `mira serve` and every archive command:
/// <c>&lt;data&gt;/index.db</c> (the SQLite index), <c>&lt;data&gt;/blobs/</c> (the blob store root) and
/// <c>&lt;data&gt;/journal/</c> (the ingest intent log, <see cref="Ingest.IngestJournal"/>).
/// </summary>
public static class DataFolder
{
    public const string Default = "mira-data";

    public static string IndexPath(string folder) => Path.Combine(folder, "index.db");

    public static string BlobRoot(string folder) => Path.Combine(folder, "blobs");

    public static string JournalRoot(string folder) => Path.Combine(folder, "journal");
}
