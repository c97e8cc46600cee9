namespace Mira.Platform.Tests;

/// <summary>The storage suite on the embedded default: SQLite in a temporary folder.</summary>
public sealed class SqliteStorageTests : StorageSuite
{
    protected override Task<StorageDatabase> CreateDatabaseAsync(string folder) =>
        Task.FromResult(StorageDatabase.Sqlite(Path.Combine(folder, "index.db")));
}
