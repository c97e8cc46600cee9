using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mira.Storage.Sites;

namespace Mira.Platform.Sites;

/// <summary>A refusal to talk to the hub, or a hub answer the push cannot use.</summary>
public sealed class HubLinkException(string message) : Exception(message);

/// <summary>
/// The site's HTTP client to its hub (<c>docs/sites.md</c>): the hub authenticates the site by its bearer token; the site
/// authenticates the hub by TLS — with a pinned certificate (<see cref="HubLink.CertificateSha256"/>) exactly that
/// certificate and nothing else, without a pin the system's chain validation. Plain HTTP is refused unless the host is a
/// loopback address (tests, or a hub on the same machine).
/// </summary>
public sealed class HubClient : IDisposable
{
    /// <summary>Hub answers the client reads whole (the project list) are at most this long.</summary>
    public const int MaxAnswerBytes = 4 << 20;

    readonly HttpClient http;

    HubClient(HttpClient http) => this.http = http;

    /// <summary>Null when the URL may be used; else why not.</summary>
    public static string? CheckUrl(string url, string? pin)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            return $"'{url}' is not an http(s) URL";
        if (uri.Scheme == "http" && !IsLoopback(uri))
            return $"'{url}': plain HTTP to a hub is refused except on a loopback address; use https (and --hub-certificate-sha256)";
        if (pin is not null && (pin.Length != 64 || !pin.All(Uri.IsHexDigit)))
            return "the hub certificate pin must be the SHA-256 of the certificate in 64 hex digits";
        if (pin is not null && uri.Scheme == "http") return "a certificate pin needs an https URL";
        return null;
    }

    static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var a) && IPAddress.IsLoopback(a));

    /// <summary>The SHA-256 of a certificate's DER encoding, as lower-case hex (what a pin holds).</summary>
    public static string Fingerprint(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    public static HubClient Create(HubLink link)
    {
        if (CheckUrl(link.Url, link.CertificateSha256) is { } refused) throw new HubLinkException(refused);
        var pin = link.CertificateSha256?.ToLowerInvariant();
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (pin is not null)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && Fingerprint(new X509Certificate2(certificate)) == pin;
        var http = new HttpClient(handler) { BaseAddress = new Uri(link.Url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", link.Token);
        return new HubClient(http);
    }

    /// <summary>The projects that name this site as a source (<c>GET /api/site/projects</c>).</summary>
    public async Task<IReadOnlyList<SiteProjectHandout>> ProjectsAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/site/projects"), ct);
        var text = await ReadLimitedAsync(response, ct);
        if (!response.IsSuccessStatusCode) throw new HubLinkException($"the hub answered {(int)response.StatusCode} to GET /api/site/projects: {text}");
        var list = new List<SiteProjectHandout>();
        foreach (var item in JsonNode.Parse(text) as JsonArray ?? throw new HubLinkException("the hub's project list is not a JSON array"))
        {
            string Field(string name) => item?[name]?.GetValue<string>() ?? throw new HubLinkException($"the hub's project list lacks '{name}'");
            var filter = item?["filter"] is JsonObject f ? SourceFilter.FromJson(f.ToJsonString()) : SourceFilter.All;
            list.Add(new SiteProjectHandout(Field("id"), Field("name"), Field("recipeName"), Field("recipeHash"), Field("recipe"), Field("key"), filter));
        }
        return list;
    }

    /// <summary>
    /// STOW-RS of de-identified instances into a hub project (<c>POST /api/site/projects/{p}/dicomweb/studies</c>). Returns the
    /// SOP Instance UIDs the hub stored (or had) and the refusals (UID and the hub's reason).
    /// </summary>
    public async Task<(HashSet<string> Stored, List<string> Refused)> StoreAsync(string project, IReadOnlyList<byte[]> parts, CancellationToken ct)
    {
        var content = new MultipartContent("related", "mira-site-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var p in parts)
        {
            var part = new ByteArrayContent(p);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            content.Add(part);
        }
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"api/site/projects/{Uri.EscapeDataString(project)}/dicomweb/studies") { Content = content }, ct);
        var text = await ReadLimitedAsync(response, ct);
        var refused = response.Headers.TryGetValues("Warning", out var warnings) ? warnings.ToList() : [];
        if ((int)response.StatusCode is not (200 or 202 or 409))
            throw new HubLinkException($"the hub answered {(int)response.StatusCode} to the push into {project}: {text}");
        var stored = new HashSet<string>(StringComparer.Ordinal);
        using var json = JsonDocument.Parse(text);
        if (json.RootElement.TryGetProperty("00081199", out var referenced) && referenced.TryGetProperty("Value", out var items))
            foreach (var item in items.EnumerateArray())
                if (item.TryGetProperty("00081155", out var uid) && uid.TryGetProperty("Value", out var v)) stored.Add(v[0].GetString()!);
        return (stored, refused);
    }

    async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw new HubLinkException($"cannot reach the hub at {http.BaseAddress} (a pinned certificate that does not match is refused here): {e.Message}");
        }
    }

    static async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var s = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await s.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > MaxAnswerBytes) throw new HubLinkException($"the hub's answer is longer than {MaxAnswerBytes} bytes");
            buffer.Write(chunk, 0, n);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public void Dispose() => http.Dispose();
}
