using System.Data.Common;

namespace Mira.Storage.Migrations;

/// <summary>
/// One step of a schema: its version (unique and increasing within its <see cref="MigrationSet"/>), a name for the
/// history table, SQL statements per provider, and optionally code run after them in the same transaction (data moves,
/// or a change one dialect cannot say idempotently). Steps that adopt tables made before the runner existed use
/// <c>IF NOT EXISTS</c>, so applying them to such a database changes nothing.
/// </summary>
public sealed record Migration(int Version, string Name, Func<StorageProvider, IReadOnlyList<string>> Statements,
    Func<DbConnection, DbTransaction, StorageProvider, CancellationToken, Task>? Code = null);

/// <summary>An ordered list of migrations for one kind of database (the intake database, a project's research index).</summary>
public sealed record MigrationSet(string Name, IReadOnlyList<Migration> Steps)
{
    public int LatestVersion => Steps.Count == 0 ? 0 : Steps[^1].Version;
}
