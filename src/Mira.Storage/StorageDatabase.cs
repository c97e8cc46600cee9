using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mira.Storage;

/// <summary>Which SQL database holds the index.</summary>
public enum StorageProvider { Sqlite, PostgreSql }

/// <summary>
/// The index database, chosen by connection string: a SQLite file (embedded default, <c>Data Source=PATH</c>) or
/// PostgreSQL (<c>Host=…;Port=…;Username=…;Database=…</c>). Stores open connections through here so that the
/// same SQL (written for both dialects where they differ) runs on either.
/// </summary>
public sealed class StorageDatabase
{
    StorageDatabase(StorageProvider provider, string connectionString)
    {
        Provider = provider;
        ConnectionString = connectionString;
    }

    public StorageProvider Provider { get; }
    public string ConnectionString { get; }

    /// <summary>A SQLite database file, created when missing; WAL journal for concurrent readers.</summary>
    public static StorageDatabase Sqlite(string path) =>
        new(StorageProvider.Sqlite, new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString());

    public static StorageDatabase PostgreSql(string connectionString) => new(StorageProvider.PostgreSql, connectionString);

    /// <summary>PostgreSQL when the string names a Host, else a SQLite file path or connection string.</summary>
    public static StorageDatabase FromConnectionString(string connectionString) =>
        connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase)
            ? PostgreSql(connectionString)
            : connectionString.Contains('=') ? new(StorageProvider.Sqlite, connectionString) : Sqlite(connectionString);

    /// <summary>
    /// "Column is one of the values of the array parameter": <c>IN @p</c> (Dapper expands it) on SQLite,
    /// <c>= ANY(@p)</c> on PostgreSQL (where Dapper passes the array as one parameter).
    /// </summary>
    public string InList(string column, string parameter) =>
        Provider == StorageProvider.Sqlite ? $"{column} IN {parameter}" : $"{column} = ANY({parameter})";

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection c = Provider == StorageProvider.Sqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);
        await c.OpenAsync(ct);
        if (c is SqliteConnection)
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return c;
    }
}
