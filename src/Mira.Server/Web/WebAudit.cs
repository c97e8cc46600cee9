using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mira.Server.Security;
using Mira.Storage.Security;

namespace Mira.Server.Web;

/// <summary>Audit records for what the web workspace's pages show: the signed-in user, the client address, and
/// <c>"via": "web"</c> in the details besides what the page adds.</summary>
public static class WebAudit
{
    public static Task AppendAsync(HttpContext http, MiraPlatform archive, string action, string? resource, AuditOutcome outcome = AuditOutcome.Success,
        IReadOnlyDictionary<string, object?>? details = null)
    {
        var user = MiraAuthentication.UserOf(http) ?? throw new InvalidOperationException("a page was rendered for nobody");
        var recorded = new Dictionary<string, object?> { ["via"] = "web" };
        foreach (var (k, v) in details ?? new Dictionary<string, object?>()) recorded[k] = v;
        return archive.Audit.AppendAsync(new AuditEntry(user.Name, action, resource, http.Connection.RemoteIpAddress?.ToString(), outcome,
            JsonSerializer.Serialize(recorded)), CancellationToken.None);
    }
}
