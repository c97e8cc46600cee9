using System.Net;
using System.Text.RegularExpressions;

namespace Mira.Server.Tests.Web;

/// <summary>The sign-in form driven with a plain HTTP client: GET <c>/login</c> for the antiforgery token, then POST it.</summary>
public static partial class FormSignIn
{
    /// <summary>A client that keeps cookies and follows no redirects, for the server at <paramref name="baseUrl"/>.</summary>
    public static HttpClient Client(Uri baseUrl, CookieContainer? cookies = null) =>
        new(new HttpClientHandler
        {
            CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
        }) { BaseAddress = baseUrl };

    public static async Task<string> TokenAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/login");
        return Token().Match(html).Groups[1].Value;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string user, string password, string? token = null, string? origin = null)
    {
        token ??= await TokenAsync(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["username"] = user, ["password"] = password, ["returnUrl"] = "/",
            }),
        };
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await client.SendAsync(request);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
