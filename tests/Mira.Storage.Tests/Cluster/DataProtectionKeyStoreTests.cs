using Mira.Storage.Cluster;
using Mira.Storage.Tests.Security;

namespace Mira.Storage.Tests.Cluster;

/// <summary>The shared data-protection key ring (migration 16) on SQLite and PostgreSQL.</summary>
public abstract class DataProtectionKeyStoreTests : SecurityTestBase
{
    async Task<DataProtectionKeyStore> OpenAsync()
    {
        await Migrations.MigrationRunner.ApplyAsync(Db, Migrations.MigrationCatalog.Intake);
        return new DataProtectionKeyStore(Db);
    }

    [Fact]
    public async Task Keys_are_listed_oldest_first_with_their_xml_unchanged()
    {
        var store = await OpenAsync();
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.True(await store.AddAsync("key-b", "<key id=\"b\"><x>2</x></key>", t0.AddDays(1)));
        Assert.True(await store.AddAsync("key-a", "<key id=\"a\"><x>1</x></key>", t0));
        var keys = await store.ListAsync();
        Assert.Equal(["key-a", "key-b"], keys.Select(k => k.Name));
        Assert.Equal("<key id=\"a\"><x>1</x></key>", keys[0].Xml);
        Assert.Equal(t0, keys[0].CreatedUtc);
    }

    [Fact]
    public async Task A_key_stored_twice_by_two_nodes_keeps_the_first_copy()
    {
        var store = await OpenAsync();
        var now = DateTimeOffset.UtcNow;
        Assert.True(await store.AddAsync("key-1", "<key>first</key>", now));
        Assert.False(await store.AddAsync("key-1", "<key>second</key>", now));
        Assert.Equal("<key>first</key>", Assert.Single(await store.ListAsync()).Xml);
    }
}

public sealed class DataProtectionKeyStoreSqliteTests : DataProtectionKeyStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class DataProtectionKeyStorePostgresTests(PostgresServer server) : DataProtectionKeyStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
