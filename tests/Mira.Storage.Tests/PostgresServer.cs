using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Mira.Storage.Tests;

/// <summary>
/// A PostgreSQL server for the tests: the one named by <c>MIRA_TEST_POSTGRES</c> (a connection string whose role may
/// create schemas), else a private one started here with initdb + pg_ctl in a temporary folder, on 127.0.0.1 and a
/// free port, stopped and deleted at the end (see ../shared/stack-notes.md §4). As root it runs as user postgres.
/// When PostgreSQL is not installed the tests fail with that message; they are never skipped.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string CollectionName = "PostgreSQL";
    public const string EnvironmentVariable = "MIRA_TEST_POSTGRES";

    string? folder;
    string? bin;

    public string ConnectionString { get; private set; } = "";

    int databases;

    /// <summary>A fresh, empty database for one test class.</summary>
    public async Task<StorageDatabase> CreateDatabaseAsync() => StorageDatabase.PostgreSql(await CreateDatabaseConnectionStringAsync());

    /// <summary>A fresh, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseConnectionStringAsync()
    {
        var name = $"mira_test_{Environment.ProcessId}_{Interlocked.Increment(ref databases)}";
        await using (var c = new NpgsqlConnection(ConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}", c);
            await cmd.ExecuteNonQueryAsync();
            cmd.CommandText = $"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0";
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ToString();
    }

    public async Task InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            ConnectionString = given;
            return;
        }
        bin = FindBinaries() ?? throw new InvalidOperationException(
            $"PostgreSQL tests need a server: set {EnvironmentVariable} to a connection string, or install PostgreSQL " +
            "(initdb and pg_ctl under /usr/lib/postgresql/<version>/bin, e.g. apt-get install postgresql). These tests are not skipped.");
        folder = Directory.CreateTempSubdirectory("mira-pg-").FullName;
        if (Environment.IsPrivilegedProcess) await RunAsync("chown", ["postgres", folder]);
        var data = Path.Combine(folder, "data");
        await RunPgAsync("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            try
            {
                await RunPgAsync("pg_ctl", ["-D", data, "-l", Path.Combine(folder, "pg.log"), "-w", "-t", "60", "start",
                    "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c max_connections=200"]);
                ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
                return;
            }
            catch (InvalidOperationException) when (attempt < 3) { } // the port was taken meanwhile
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (folder is null) return;
        try
        {
            await RunPgAsync("pg_ctl", ["-D", Path.Combine(folder, "data"), "-m", "fast", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    Task RunPgAsync(string tool, IReadOnlyList<string> args) =>
        Environment.IsPrivilegedProcess
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin!, tool), .. args])
            : RunAsync(Path.Combine(bin!, tool), args);

    async Task RunAsync(string file, IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        if (p.ExitCode == 0) return;
        var log = folder is not null && File.Exists(Path.Combine(folder, "pg.log")) ? File.ReadAllText(Path.Combine(folder, "pg.log")) : "";
        throw new InvalidOperationException(
            $"{file} {string.Join(' ', args)} exited with {p.ExitCode}:\n{await stdout}\n{await stderr}\n{log}");
    }
}

[CollectionDefinition(PostgresServer.CollectionName)]
public sealed class PostgresServerCollection : ICollectionFixture<PostgresServer>;
