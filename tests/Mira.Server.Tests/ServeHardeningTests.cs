using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Mira.Platform.Audit;
using Mira.Storage.Security;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// Issue 14 items 8 (the generated admin password), 9 (HTTPS, HSTS, forwarded headers, retrieve URLs) and 11 (project
/// enumeration), each against a real <c>mira serve</c>.
/// </summary>
public sealed class ServeHardeningTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("mira-hardening-").FullName;
    string Data => Path.Combine(root, "data");

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    static HttpClient Basic(ServeProcess server, string user, string password, HttpMessageHandler? handler = null)
    {
        var c = handler is null ? new HttpClient() : new HttpClient(handler);
        c.BaseAddress = server.Http.BaseAddress;
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return c;
    }

    [Fact]
    public async Task A_generated_admin_password_is_never_printed_is_readable_only_by_its_owner_and_must_be_changed_before_anything_else()
    {
        await using var server = await ServeProcess.StartAsync(Data, new Dictionary<string, string?> { ["MIRA_ADMIN_PASSWORD"] = null }, "--dimse-port", "0");
        var file = Path.Combine(Data, "admin-password.txt");
        var generated = (await File.ReadAllTextAsync(file)).Trim();
        Assert.Equal(24, generated.Length);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.DoesNotContain(generated, server.Output);
        Assert.Contains("admin-password.txt", server.Output);

        using var admin = Basic(server, "admin", generated);
        var blocked = await admin.GetAsync("/dicomweb/studies");
        Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
        var problem = JsonNode.Parse(await blocked.Content.ReadAsStringAsync())!;
        Assert.Equal("Password change required", (string?)problem["title"]);
        Assert.Contains("POST /api/account/password", (string?)problem["detail"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsJsonAsync("/api/users", new { name = "x", password = "whatever-1", roles = new[] { "admin" } })).StatusCode);

        var changed = await admin.PostAsJsonAsync("/api/account/password", new { currentPassword = generated, newPassword = "operator-chosen-1" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.False(File.Exists(file));
        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync("/dicomweb/studies")).StatusCode);
        using var chosen = Basic(server, "admin", "operator-chosen-1");
        Assert.Equal(HttpStatusCode.OK, (await chosen.GetAsync("/api/users")).StatusCode);
    }

    [Fact]
    public async Task An_operator_chosen_admin_password_needs_no_change_and_writes_no_file()
    {
        await using var server = await ServeProcess.StartAsync(Data, "--dimse-port", "0");
        Assert.False(File.Exists(Path.Combine(Data, "admin-password.txt")));
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/users")).StatusCode);
    }

    (string Cert, string Key, X509Certificate2 Certificate) MakeCertificate() => TestCertificates.SelfSignedLoopback(root);

    async Task HttpsWorksAsync(Func<string, string, (IReadOnlyDictionary<string, string?> Env, string[] Args)> configure)
    {
        var (certPath, keyPath, certificate) = MakeCertificate();
        var url = $"https://127.0.0.1:{ServeProcess.FreePort()}";
        var (env, args) = configure(certPath, keyPath);
        await using var server = await ServeProcess.StartAsync(Data, env, ["--urls", url, "--dimse-port", "0", .. args]);
        X509Certificate2? served = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, c, _, _) =>
            {
                served = c is null ? null : X509CertificateLoader.LoadCertificate(c.RawData);
                return true;
            },
        };
        using var http = Basic(server, "admin", ServeProcess.AdminPassword, handler);
        var r = await http.GetAsync("/dicomweb/studies?PatientID=nobody");
        Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        Assert.Equal(certificate.Thumbprint, served?.Thumbprint);
        Assert.Equal("max-age=31536000", r.Headers.GetValues("Strict-Transport-Security").Single());
        // Retrieve URLs name the HTTPS address the request came to.
        var stow = await Stow(http, "/dicomweb/studies", Make(Uid(), Uid(), Uid()));
        Assert.StartsWith(url + "/dicomweb/studies/", Value(await Json(stow), "00081190"));
    }

    [Fact]
    public Task Https_with_a_certificate_from_tls_cert_and_tls_key_sends_HSTS() =>
        HttpsWorksAsync((cert, key) => (new Dictionary<string, string?>(), ["--tls-cert", cert, "--tls-key", key]));

    [Fact]
    public Task Https_with_a_certificate_from_the_standard_Kestrel_configuration_variables() =>
        HttpsWorksAsync((cert, key) => (new Dictionary<string, string?>
        {
            ["Kestrel__Certificates__Default__Path"] = cert, ["Kestrel__Certificates__Default__KeyPath"] = key,
        }, []));

    [Fact]
    public async Task Plain_http_answers_carry_no_HSTS_and_a_missing_certificate_is_a_clear_start_up_error()
    {
        await using (var server = await ServeProcess.StartAsync(Data, "--dimse-port", "0"))
            Assert.False((await server.Http.GetAsync("/dicomweb/studies?PatientID=nobody")).Headers.Contains("Strict-Transport-Security"));
        var missing = Path.Combine(root, "missing.pem");
        var cli = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "mira.dll"), "serve", "--data", Data, "--urls", $"https://127.0.0.1:{ServeProcess.FreePort()}",
             "--dimse-port", "0", "--tls-cert", missing, "--tls-key", missing]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var stderr = await cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync();
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("--tls-cert " + missing, stderr);
    }

    [Fact]
    public async Task Forwarded_headers_count_only_from_a_configured_proxy_and_the_audit_then_records_the_client()
    {
        async Task<string?> AuditedClientAsync(params string[] extra)
        {
            var data = Path.Combine(root, Guid.NewGuid().ToString("N"));
            await using var server = await ServeProcess.StartAsync(data, ["--dimse-port", "0", .. extra]);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/dicomweb/studies?PatientID=forwarded");
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            Assert.Equal(HttpStatusCode.NoContent, (await server.Http.SendAsync(request)).StatusCode);
            await using var platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = data, Console = TextWriter.Null });
            return (await platform.Audit.ReadAsync(1, 100_000)).Last(a => a.Action == AuditActions.QidoSearch).ClientAddress;
        }
        Assert.Equal("127.0.0.1", await AuditedClientAsync());
        Assert.Equal("203.0.113.7", await AuditedClientAsync("--trusted-proxy", "127.0.0.1"));
        Assert.Equal("203.0.113.7", await AuditedClientAsync("--trusted-proxy", "127.0.0.0/8"));
    }

    [Fact]
    public async Task Retrieve_urls_ignore_a_forged_Host_header_and_use_the_public_url_when_configured()
    {
        await using (var server = await ServeProcess.StartAsync(Path.Combine(root, "a"), "--dimse-port", "0"))
        {
            var study = Uid();
            using var stow = new HttpRequestMessage(HttpMethod.Post, "/dicomweb/studies") { Content = Multipart(Make(study, Uid(), Uid())) };
            stow.Headers.Host = "evil.example";
            var url = Value(await Json(await server.Http.SendAsync(stow)), "00081190")!;
            Assert.StartsWith(server.Http.BaseAddress!.GetLeftPart(UriPartial.Authority) + "/dicomweb/studies/", url);
            using var qido = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies?StudyInstanceUID={study}");
            qido.Headers.Host = "evil.example";
            Assert.DoesNotContain("evil.example", await (await server.Http.SendAsync(qido)).Content.ReadAsStringAsync());
        }
        await using (var server = await ServeProcess.StartAsync(Path.Combine(root, "b"), "--dimse-port", "0", "--public-url", "https://pacs.example.org/mira"))
        {
            using var stow = new HttpRequestMessage(HttpMethod.Post, "/dicomweb/studies") { Content = Multipart(Make(Uid(), Uid(), Uid())) };
            stow.Headers.Host = "evil.example";
            Assert.StartsWith("https://pacs.example.org/mira/dicomweb/studies/", Value(await Json(await server.Http.SendAsync(stow)), "00081190"));
        }
    }

    [Fact]
    public async Task An_account_in_no_project_gets_the_same_answer_for_an_existing_project_and_a_missing_one()
    {
        await using var server = await ServeProcess.StartAsync(Data, "--dimse-port", "0");
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsJsonAsync("/api/projects", new { id = "secret-trial", name = "Secret", recipe = "basic" })).StatusCode);
        await using (var platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = Data, Console = TextWriter.Null }))
            await platform.Accounts.CreateUserAsync("nosy", "nosy-password", [Roles.Annotator, Roles.Developer]);
        using var nosy = Basic(server, "nosy", "nosy-password");
        foreach (var suffix in new[] { "/members", "/dicomweb/studies", "/dicomweb/instances", "/dicomweb/studies/1.2.3/metadata", "/rules", "/vault?pseudonym=x" })
        {
            var existing = await nosy.GetAsync("/api/projects/secret-trial" + suffix);
            var missing = await nosy.GetAsync("/api/projects/no-such-trl" + suffix);
            Assert.Equal(missing.StatusCode, existing.StatusCode);
            Assert.Equal(await ProblemAsync(missing, "no-such-trl"), await ProblemAsync(existing, "secret-trial"));
        }
        // The same problem, but for the id and the per-request trace id.
        static async Task<string> ProblemAsync(HttpResponseMessage r, string id)
        {
            var problem = JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsObject();
            problem.Remove("traceId");
            return problem.ToJsonString().Replace(id, "ID", StringComparison.Ordinal);
        }
        // Members still see their project.
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsJsonAsync("/api/projects/secret-trial/members", new { user = "nosy" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await nosy.GetAsync("/api/projects/secret-trial/members")).StatusCode);
    }
}
