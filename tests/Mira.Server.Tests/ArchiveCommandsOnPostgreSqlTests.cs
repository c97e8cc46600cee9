using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Mira.Testing;

namespace Mira.Server.Tests;

/// <summary>
/// The archive commands act on the database the server uses: a real <c>mira serve --db &lt;PostgreSQL&gt;</c>, and
/// against the same database (given by <c>--db</c>, or by <c>MIRA_DB</c>) <c>mira import</c>, <c>mira user</c>,
/// <c>mira token issue</c> and <c>mira audit verify</c>, each effect seen through the running server.
/// </summary>
public sealed class ArchiveCommandsOnPostgreSqlTests(Mira.Storage.Tests.PostgresServer postgres) : IClassFixture<Mira.Storage.Tests.PostgresServer>
{
    static (int ExitCode, string Stdout, string Stderr) Mira(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mira.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("MIRA_DB");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "mira " + string.Join(' ', args) + " did not finish");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    static HttpRequestMessage Get(string path, AuthenticationHeaderValue auth) => new(HttpMethod.Get, path) { Headers = { Authorization = auth } };

    static AuthenticationHeaderValue Basic(string user, string password) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    [Fact]
    public async Task Import_user_token_and_audit_commands_act_on_the_servers_postgresql_database()
    {
        var connectionString = await postgres.CreateDatabaseConnectionStringAsync();
        var data = Path.Combine(Path.GetTempPath(), "mira-cmd-pg-" + Guid.NewGuid().ToString("N"));
        var otherData = Path.Combine(Path.GetTempPath(), "mira-cmd-pg-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data, "--db", connectionString);
            var http = server.Http;

            // mira import (through --db) stores into the server's index: QIDO on the server finds the instances.
            var folder = Path.Combine(Corpus.Root, "dicom", "dicomdir", "77654033", "CT2");
            var import = Mira(null, "import", "--data", data, "--db", connectionString, folder);
            Assert.True(import.ExitCode == 0, import.Stdout + import.Stderr);
            Assert.Contains("index on PostgreSQL", import.Stdout);
            var found = JsonNode.Parse(await http.GetStringAsync("/dicomweb/instances?PatientID=77654033"))!.AsArray();
            Assert.Equal(Directory.GetFiles(folder).Length, found.Count);
            Assert.False(File.Exists(Path.Combine(data, "index.db")));

            // mira user add / disable / enable / role (through MIRA_DB) take effect on the running server.
            var env = new Dictionary<string, string> { ["MIRA_DB"] = connectionString, ["MIRA_PASSWORD"] = "carol-password-1" };
            Assert.Equal(0, Mira(env, "user", "add", "carol", "--role", "steward", "--data", otherData).ExitCode);
            var carol = Basic("carol", "carol-password-1");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Get("/dicomweb/studies", carol))).StatusCode);
            Assert.Equal(0, Mira(env, "user", "disable", "carol", "--data", otherData).ExitCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Get("/dicomweb/studies", carol))).StatusCode);
            Assert.Equal(0, Mira(env, "user", "enable", "carol", "--data", otherData).ExitCode);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Get("/dicomweb/studies", carol))).StatusCode);
            Assert.Equal(0, Mira(env, "user", "role", "carol", "--role", "auditor", "--data", otherData).ExitCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Get("/dicomweb/studies", carol))).StatusCode);
            Assert.Equal(1, Mira(env, "user", "disable", "nobody", "--data", otherData).ExitCode);
            Assert.Equal(2, Mira(env, "user", "role", "carol", "--role", "pope", "--data", otherData).ExitCode);

            // mira user passwd: the new password works on the server.
            var passwd = Mira(new Dictionary<string, string> { ["MIRA_PASSWORD"] = "carol-password-2" }, "user", "passwd", "carol", "--db", connectionString, "--data", otherData);
            Assert.True(passwd.ExitCode == 0, passwd.Stderr);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Get("/dicomweb/studies", Basic("carol", "carol-password-2")))).StatusCode);
            // The old password stops working at once, although the server had cached its successful checks.
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Get("/dicomweb/studies", carol))).StatusCode);

            // mira token issue: the token authenticates on the server.
            var token = Mira(null, "token", "issue", "--user", "admin", "--db", connectionString, "--data", otherData);
            Assert.True(token.ExitCode == 0, token.Stderr);
            var bearer = new AuthenticationHeaderValue("Bearer", token.Stdout.Trim());
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Get("/dicomweb/studies", bearer))).StatusCode);

            // mira audit verify reads the server's chain, which holds the commands' records and the server's own.
            var audit = Mira(null, "audit", "verify", "--db", connectionString, "--data", otherData);
            Assert.True(audit.ExitCode == 0, audit.Stdout + audit.Stderr);
            Assert.Contains("intact", audit.Stdout);
            var records = int.Parse(audit.Stdout.Split('\n').First(l => l.StartsWith("records checked: ", StringComparison.Ordinal))["records checked: ".Length..],
                System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(records >= 9, audit.Stdout);
            // Nothing was written to a SQLite file by any command.
            Assert.False(File.Exists(Path.Combine(otherData, "index.db")));
        }
        finally
        {
            foreach (var d in new[] { data, otherData })
                try { Directory.Delete(d, true); } catch (IOException) { }
        }
    }
}
