using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Mira.Server.Web;
using Mira.Storage;
using Mira.Storage.Cluster;
using Mira.Storage.Migrations;

namespace Mira.Server.Tests.Cluster;

/// <summary>
/// The data-protection key ring in the database: two separately built protectors over one database (two nodes)
/// read each other's payloads; keys an older Mira left in <c>keys/</c> are adopted, so tokens it issued still work.
/// </summary>
public sealed class DatabaseKeyRepositoryTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("mira-dpkeys-").FullName;

    async Task<StorageDatabase> DatabaseAsync()
    {
        var db = StorageDatabase.Sqlite(Path.Combine(folder, "index.db"));
        await MigrationRunner.ApplyAsync(db, MigrationCatalog.Intake);
        return db;
    }

    static IDataProtector Node(StorageDatabase db, string? legacy = null)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("Mira");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new DatabaseKeyRepository(new DataProtectionKeyStore(db), legacy));
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
    }

    [Fact]
    public async Task What_one_node_protects_another_node_over_the_same_database_unprotects()
    {
        var db = await DatabaseAsync();
        var a = Node(db);
        var payload = a.Protect("antiforgery payload");
        var b = Node(db);
        Assert.Equal("antiforgery payload", b.Unprotect(payload));
        Assert.Single(await new DataProtectionKeyStore(db).ListAsync());

        // A node over another database has another key ring: the payload means nothing there.
        var other = StorageDatabase.Sqlite(Path.Combine(folder, "other.db"));
        await MigrationRunner.ApplyAsync(other, MigrationCatalog.Intake);
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => Node(other).Unprotect(payload));
    }

    [Fact]
    public async Task Keys_left_in_the_data_folder_by_an_older_version_are_adopted()
    {
        var legacy = Directory.CreateDirectory(Path.Combine(folder, "keys")).FullName;
        var old = new ServiceCollection();
        old.AddDataProtection().SetApplicationName("Mira").PersistKeysToFileSystem(new DirectoryInfo(legacy));
        var payload = old.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("issued before");

        var db = await DatabaseAsync();
        Assert.Equal("issued before", Node(db, legacy).Unprotect(payload));
        var stored = Assert.Single(await new DataProtectionKeyStore(db).ListAsync());
        Assert.Equal(XElement.Load(Directory.GetFiles(legacy, "key-*.xml").Single()).ToString(SaveOptions.DisableFormatting), stored.Xml);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
