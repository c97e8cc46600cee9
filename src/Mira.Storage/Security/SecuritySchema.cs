using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Mira.Storage.Security;

/// <summary>
/// The security tables (<c>mira_users</c>, <c>mira_user_roles</c>, <c>mira_tokens</c>, <c>mira_audit</c>), created by
/// <see cref="Migrations.MigrationCatalog"/>, and the serialised transaction shared by the stores. Times are stored as
/// <c>BIGINT</c> microseconds since the Unix epoch (UTC); hashes as lowercase hex <c>TEXT</c>.
/// </summary>
public static class SecuritySchema
{
    /// <summary>Advisory-lock keys on PostgreSQL ("MIRA" + purpose).</summary>
    internal const long SchemaLock = 0x4D495241_00000001, AccountLock = 0x4D495241_00000002, AuditLock = 0x4D495241_00000003;

    static readonly string[] Common =
    [
        """
        CREATE TABLE IF NOT EXISTS mira_users (
            name TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_us BIGINT NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS mira_user_roles (
            user_name TEXT NOT NULL REFERENCES mira_users(name) ON DELETE CASCADE,
            role TEXT NOT NULL,
            PRIMARY KEY (user_name, role))
        """,
        """
        CREATE TABLE IF NOT EXISTS mira_tokens (
            id TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            user_name TEXT NOT NULL REFERENCES mira_users(name) ON DELETE CASCADE,
            label TEXT NULL,
            created_us BIGINT NOT NULL,
            expires_us BIGINT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0)
        """,
        "CREATE INDEX IF NOT EXISTS mira_tokens_user ON mira_tokens (user_name)",
    ];

    const string AuditColumns = """
            at_us BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            resource TEXT NULL,
            client TEXT NULL,
            outcome TEXT NOT NULL,
            details TEXT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL)
        """;

    static readonly string[] Sqlite =
    [
        "CREATE TABLE IF NOT EXISTS mira_audit (seq INTEGER PRIMARY KEY," + AuditColumns,
        "CREATE TRIGGER IF NOT EXISTS mira_audit_no_update BEFORE UPDATE ON mira_audit BEGIN SELECT RAISE(ABORT, 'mira_audit is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS mira_audit_no_delete BEFORE DELETE ON mira_audit BEGIN SELECT RAISE(ABORT, 'mira_audit is append-only'); END",
    ];

    static readonly string[] Postgres =
    [
        "CREATE TABLE IF NOT EXISTS mira_audit (seq BIGINT PRIMARY KEY," + AuditColumns,
        """
        CREATE OR REPLACE FUNCTION mira_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'mira_audit is append-only'; END $$
        """,
        """
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'mira_audit'::regclass AND tgname = 'mira_audit_append_only') THEN
            CREATE TRIGGER mira_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON mira_audit
              FOR EACH STATEMENT EXECUTE FUNCTION mira_audit_append_only();
          END IF;
        END $$
        """,
    ];

    /// <summary>The tables and the append-only guard triggers (migration 2; idempotent, so it adopts older databases).</summary>
    public static IReadOnlyList<string> Statements(StorageProvider provider) => [.. Common.Concat(provider == StorageProvider.Sqlite ? Sqlite : Postgres)];

    /// <summary>
    /// Migration 8: <c>mira_users.must_change_password</c>, set for an account whose password nobody chose (the
    /// generated first admin password) or an administrator reset; the account can do nothing else until it changes it.
    /// </summary>
    public static IReadOnlyList<string> MustChangePasswordStatements(StorageProvider provider) =>
    [
        provider == StorageProvider.Sqlite
            ? "ALTER TABLE mira_users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0"
            : "ALTER TABLE mira_users ADD COLUMN IF NOT EXISTS must_change_password INTEGER NOT NULL DEFAULT 0",
    ];

    /// <summary>
    /// A write transaction that excludes every other one holding the same key: <c>BEGIN IMMEDIATE</c> on SQLite
    /// (the database-wide write lock, taken at once rather than on the first write), a transaction-scoped
    /// advisory lock on PostgreSQL (which also covers the empty-table case that <c>SELECT … FOR UPDATE</c> cannot).
    /// </summary>
    public static async Task<DbTransaction> BeginSerializedAsync(DbConnection c, long lockKey, CancellationToken ct)
    {
        if (c is SqliteConnection sqlite) return sqlite.BeginTransaction(deferred: false);
        var tx = await c.BeginTransactionAsync(ct);
        try
        {
            await c.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = lockKey }, tx, cancellationToken: ct));
            return tx;
        }
        catch
        {
            await tx.DisposeAsync();
            throw;
        }
    }

    public static long ToMicros(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromMicros(long us) => DateTimeOffset.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond);

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
