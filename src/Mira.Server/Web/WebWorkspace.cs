using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Mira.Server.Web.Components;

namespace Mira.Server.Web;

/// <summary>
/// The web workspace's wiring: the pages (Razor components, <c>Components/Pages/</c>), the style sheet, sign-out, and
/// the keys that protect antiforgery tokens. Sign-in, sessions and zones: <see cref="WebSignIn"/>,
/// <see cref="SessionCookie"/>, <see cref="WebZone"/>; <c>docs/web.md</c>.
/// </summary>
public static class WebWorkspace
{
    /// <summary>
    /// Antiforgery tokens are protected with ASP.NET Core Data Protection keys. They are kept in the database
    /// (<see cref="DatabaseKeyRepository"/>), not in memory, so that a restart does not turn every open form into a
    /// refusal and every node over the same database accepts the forms another node served. Keys an older Mira kept
    /// in the data folder's <c>keys/</c> are adopted once.
    /// </summary>
    public static void AddDataProtection(IServiceCollection services, MiraPlatform archive)
    {
        var legacy = Path.Combine(archive.DataFolder, "keys");
        var repository = new DatabaseKeyRepository(new Mira.Storage.Cluster.DataProtectionKeyStore(archive.Database), legacy);
        services.AddDataProtection().SetApplicationName("Mira");
        services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o => o.XmlRepository = repository);
    }

    public static void Map(WebApplication app)
    {
        // Pages are not API: they stay out of the OpenAPI description (OpenApiTests checks the rest is described).
        app.MapRazorComponents<App>().ExcludeFromDescription();
        app.MapGet(WebPaths.StyleSheet, StyleSheet).ExcludeFromDescription();
        app.MapPost(WebPaths.LogoutAction, WebSignIn.SignOutAsync).ExcludeFromDescription();
    }

    static IResult StyleSheet(HttpContext http)
    {
        http.Response.Headers.CacheControl = "public, max-age=3600";
        var stream = typeof(WebWorkspace).Assembly.GetManifestResourceStream("Mira.Server.mira.css")
                     ?? throw new InvalidOperationException("the style sheet is not embedded");
        return Results.Stream(stream, "text/css; charset=utf-8");
    }
}
