using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mira.Storage;
using Npgsql;

namespace Mira.Storage.Tests;

/// <summary>
/// The PostgreSQL server for the suite: <c>MIRA_TEST_POSTGRES</c> (a connection string) when set, else a private
/// server started here (initdb + pg_ctl as user postgres in a temporary folder, loopback only, a free port, as
/// ../shared/stack-notes.md §4 shows) and stopped at the end. Without PostgreSQL binaries every test fails.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    string? folder;
    string? bin;
    int databases;

    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("MIRA_TEST_POSTGRES") is { Length: > 0 } cs)
        {
            AdminConnectionString = cs;
            return;
        }
        bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
            throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and MIRA_TEST_POSTGRES is not set: " +
                                                "install the 'postgresql' package or point MIRA_TEST_POSTGRES at a server. The PostgreSQL storage tests cannot run.");
        folder = Path.Combine(Path.GetTempPath(), "mira-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var asRoot = Environment.UserName == "root";
        if (asRoot) await Run(false, "chown", "postgres", folder);
        await Run(asRoot, $"{bin}/initdb", "-D", $"{folder}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        await Run(asRoot, $"{bin}/pg_ctl", "-D", $"{folder}/data", "-l", $"{folder}/pg.log", "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off", "-w", "start");
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true";
    }

    /// <summary>A fresh, empty database for one test.</summary>
    public async Task<StorageDatabase> CreateDatabaseAsync()
    {
        var name = $"mira_test_{Environment.ProcessId}_{Interlocked.Increment(ref databases)}";
        await using (var c = new NpgsqlConnection(AdminConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}; ", c);
            await cmd.ExecuteNonQueryAsync();
            cmd.CommandText = $"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0";
            await cmd.ExecuteNonQueryAsync();
        }
        var b = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name };
        return StorageDatabase.PostgreSql(b.ToString());
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (folder is null || bin is null) return;
        try
        {
            await Run(Environment.UserName == "root", $"{bin}/pg_ctl", "-D", $"{folder}/data", "-m", "immediate", "-w", "stop");
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Runs a program, as user postgres (runuser) when <paramref name="asPostgres"/>; throws with its output on failure.</summary>
    static async Task Run(bool asPostgres, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres) foreach (var a in new[] { "-u", "postgres", "--", file }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}{await stdout}");
    }
}
