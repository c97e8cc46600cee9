using Dapper;
using Microsoft.Data.Sqlite;
using Mira.Storage.Security;
using Npgsql;

namespace Mira.Storage.Tests.Security;

/// <summary>A fresh, empty database for one test, removed afterwards.</summary>
public abstract class SecurityTestDatabase : IAsyncDisposable
{
    public abstract StorageDatabase Db { get; }
    public abstract ValueTask DisposeAsync();
}

/// <summary>A SQLite file in its own temporary folder.</summary>
public sealed class SqliteSecurityDatabase : SecurityTestDatabase
{
    readonly string folder = Directory.CreateTempSubdirectory("mira-sec-").FullName;

    public SqliteSecurityDatabase() => Db = StorageDatabase.Sqlite(Path.Combine(folder, "index.db"));

    public override StorageDatabase Db { get; }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A private schema on the shared test server, reached through the connection's search path.</summary>
public sealed class PostgresSecurityDatabase : SecurityTestDatabase
{
    readonly PostgresServer server;
    readonly string schema = "mira_sec_" + Guid.NewGuid().ToString("N");

    PostgresSecurityDatabase(PostgresServer server)
    {
        this.server = server;
        Db = StorageDatabase.PostgreSql(new NpgsqlConnectionStringBuilder(server.ConnectionString) { SearchPath = schema }.ToString());
    }

    public override StorageDatabase Db { get; }

    public static async Task<SecurityTestDatabase> CreateAsync(PostgresServer server)
    {
        var d = new PostgresSecurityDatabase(server);
        await using var c = new NpgsqlConnection(server.ConnectionString);
        await c.OpenAsync();
        await c.ExecuteAsync($"CREATE SCHEMA {d.schema}");
        return d;
    }

    public override async ValueTask DisposeAsync()
    {
        await using (var pooled = new NpgsqlConnection(Db.ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        await using var c = new NpgsqlConnection(server.ConnectionString);
        await c.OpenAsync();
        await c.ExecuteAsync($"DROP SCHEMA {schema} CASCADE");
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>Base of the provider-parameterised tests: one fresh database per test, fast PBKDF2, a manual clock.</summary>
public abstract class SecurityTestBase : IAsyncLifetime
{
    public const int TestIterations = 1000;

    SecurityTestDatabase? database;

    protected ManualClock Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    protected SecurityOptions Options => new() { Pbkdf2Iterations = TestIterations, Time = Clock };
    protected StorageDatabase Db => database?.Db ?? throw new InvalidOperationException("Database not created.");

    protected abstract Task<SecurityTestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync() => database = await CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (database is not null) await database.DisposeAsync();
    }

    protected async Task<int> ExecuteAsync(string sql, object? args = null)
    {
        await using var c = await Db.OpenAsync();
        return await c.ExecuteAsync(sql, args);
    }

    protected async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = await Db.OpenAsync();
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }
}
