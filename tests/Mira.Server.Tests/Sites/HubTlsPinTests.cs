using System.Net;
using System.Net.Http.Json;
using Mira.Platform.Sites;

namespace Mira.Server.Tests.Sites;

/// <summary>The site authenticates the hub by TLS: a pinned certificate, exactly; plain HTTP only on loopback.</summary>
public sealed class HubTlsPinTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "mira-hub-tls-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_site_pushes_only_to_the_hub_whose_certificate_matches_its_pin()
    {
        var (cert, key, certificate) = TestCertificates.SelfSignedLoopback(Path.Combine(root, "tls"));
        var hubData = Path.Combine(root, "hub");
        var url = $"https://127.0.0.1:{ServeProcess.FreePort()}";
        await using var hub = await ServeProcess.StartAsync(hubData, "--urls", url, "--tls-cert", cert, "--tls-key", key);
        var add = await SiteData.MiraAsync("site", "add", "north", "--data", hubData);
        Assert.True(add.Exit == 0, add.Errors);
        var token = add.Output.Trim();
        Assert.Equal(HttpStatusCode.Created, (await hub.Http.PostAsJsonAsync("/api/projects", new { id = "pinned", name = "Pinned", recipe = "basic" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await hub.Http.PostAsJsonAsync("/api/projects/pinned/sources", new { site = "north" })).StatusCode);
        var site = Path.Combine(root, "site");

        async Task<(int Exit, string Output, string Errors)> PushWith(string? pin)
        {
            string[] pinArgs = pin is null ? [] : ["--hub-certificate-sha256", pin];
            var link = await SiteData.MiraAsync(["site", "link", "--data", site, "--hub", url, "--token", token, .. pinArgs]);
            Assert.True(link.Exit == 0, link.Errors);
            return await SiteData.MiraAsync("site", "push", "--data", site);
        }

        var wrongPin = await PushWith(new string('0', 64));
        Assert.Equal(1, wrongPin.Exit);
        Assert.Contains("cannot reach the hub", wrongPin.Errors);
        var unpinnedSelfSigned = await PushWith(null); // the system's chain validation refuses a self-signed certificate
        Assert.Equal(1, unpinnedSelfSigned.Exit);
        var pinned = await PushWith(HubClient.Fingerprint(certificate).ToUpperInvariant());
        Assert.True(pinned.Exit == 0, pinned.Errors);
        Assert.Contains("pinned\t0\t0\t0\t0", pinned.Output);
    }

    [Theory]
    [InlineData("http://hub.example.org", "plain HTTP")]
    [InlineData("ftp://127.0.0.1/", "not an http(s) URL")]
    public async Task Linking_refuses_plain_http_off_loopback_and_other_schemes(string url, string message)
    {
        var r = await SiteData.MiraAsync("site", "link", "--data", Path.Combine(root, "site"), "--hub", url, "--token", "mira_x");
        Assert.Equal(2, r.Exit);
        Assert.Contains(message, r.Errors);
    }

    [Fact]
    public void Loopback_http_is_allowed_and_a_pin_needs_https()
    {
        Assert.Null(HubClient.CheckUrl("http://127.0.0.1:8042", null));
        Assert.Null(HubClient.CheckUrl("http://[::1]:8042", null));
        Assert.Contains("needs an https URL", HubClient.CheckUrl("http://localhost:8042", new string('a', 64)));
        Assert.Contains("64 hex digits", HubClient.CheckUrl("https://hub.example.org", "abc"));
    }
}
