namespace Mira.Platform.Tests;

/// <summary>The storage suite on PostgreSQL (a private server, see <see cref="PostgresServer"/>).</summary>
[Collection(PostgresServer.CollectionName)]
public sealed class PostgreSqlStorageTests(PostgresServer server) : StorageSuite
{
    protected override Task<StorageDatabase> CreateDatabaseAsync(string folder) => server.CreateDatabaseAsync();
}
