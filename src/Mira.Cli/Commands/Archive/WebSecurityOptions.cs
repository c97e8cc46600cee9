using System.CommandLine;
using Mira.Server;
using Mira.Server.Security;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// The HTTP security options of <c>mira serve</c>: <c>--tls-cert FILE --tls-key FILE</c> (HTTPS; Kestrel's own
/// <c>Kestrel:Certificates:Default:*</c> configuration works too), <c>--hsts-days</c>, <c>--public-url</c>,
/// <c>--trusted-proxy</c>, <c>--allowed-origin</c> and the sign-in back-off (<c>--signin-free-failures</c>,
/// <c>--signin-backoff</c>, <c>--signin-backoff-max</c>).
/// </summary>
public sealed class WebSecurityOptions
{
    readonly Option<string?> tlsCert = new("--tls-cert") { Description = "PEM certificate (chain) for https:// listening URLs" };
    readonly Option<string?> tlsKey = new("--tls-key") { Description = "PEM private key of --tls-cert" };
    readonly Option<int> hstsDays = new("--hsts-days") { Description = "Strict-Transport-Security max-age on HTTPS answers, in days (0: no header)", DefaultValueFactory = _ => 365 };
    readonly Option<string?> publicUrl = new("--public-url")
    {
        Description = "the URL clients reach the server at (e.g. https://pacs.example.org): retrieve URLs and the server's own origin; default: the address a request arrived on",
    };
    readonly Option<string[]> trustedProxy = new("--trusted-proxy")
    {
        Description = "a reverse proxy (IP address or network, e.g. 10.0.0.0/8) whose X-Forwarded-For/-Proto are believed; repeatable; default: none",
        AllowMultipleArgumentsPerToken = true,
    };
    readonly Option<string[]> allowedOrigin = new("--allowed-origin")
    {
        Description = "another web origin (https://viewer.example.org) whose pages may send state-changing requests; repeatable; default: none",
        AllowMultipleArgumentsPerToken = true,
    };
    readonly Option<int> freeFailures = new("--signin-free-failures") { Description = "wrong passwords for one account before its back-off starts", DefaultValueFactory = _ => new SignInOptions().FreeFailuresPerAccount };
    readonly Option<double> backoff = new("--signin-backoff") { Description = "first sign-in back-off in seconds; doubles with each further failure", DefaultValueFactory = _ => new SignInOptions().BaseDelay.TotalSeconds };
    readonly Option<double> backoffMax = new("--signin-backoff-max") { Description = "longest sign-in back-off in seconds", DefaultValueFactory = _ => new SignInOptions().MaxDelay.TotalSeconds };

    public static WebSecurityOptions AddTo(Command command)
    {
        var o = new WebSecurityOptions();
        foreach (var option in new Option[] { o.tlsCert, o.tlsKey, o.hstsDays, o.publicUrl, o.trustedProxy, o.allowedOrigin, o.freeFailures, o.backoff, o.backoffMax })
            command.Options.Add(option);
        return o;
    }

    /// <summary>The options with these settings applied.</summary>
    /// <exception cref="ArgumentException">A value out of range or malformed, naming the option.</exception>
    public ServerOptions Apply(ParseResult r, ServerOptions options)
    {
        var proxies = Split(r.GetValue(trustedProxy));
        _ = ProxyTrust.Options(proxies); // checks every entry now, with a clear message, rather than at start-up
        var origins = Split(r.GetValue(allowedOrigin));
        foreach (var origin in origins)
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.AbsolutePath != "/")
                throw new ArgumentException($"--allowed-origin {origin}: an origin is scheme://host[:port], e.g. https://viewer.example.org");
        Uri? publicBase = null;
        if (r.GetValue(publicUrl) is { } p && (!Uri.TryCreate(p, UriKind.Absolute, out publicBase) || publicBase.Scheme is not ("http" or "https")))
            throw new ArgumentException($"--public-url {p}: an absolute http:// or https:// URL is required");
        var days = r.GetValue(hstsDays);
        if (days < 0) throw new ArgumentException("--hsts-days: 0 or more");
        var (free, first, longest) = (r.GetValue(freeFailures), r.GetValue(backoff), r.GetValue(backoffMax));
        if (free < 0) throw new ArgumentException("--signin-free-failures: 0 or more");
        if (first <= 0 || longest < first) throw new ArgumentException("--signin-backoff and --signin-backoff-max: seconds above 0, the maximum not below the first");
        return options with
        {
            TlsCertificatePath = FullPath(r.GetValue(tlsCert)), TlsKeyPath = FullPath(r.GetValue(tlsKey)),
            HstsMaxAge = TimeSpan.FromDays(days), PublicBaseUrl = publicBase, TrustedProxies = proxies, AllowedOrigins = origins,
            SignIn = options.SignIn with
            {
                FreeFailuresPerAccount = free, BaseDelay = TimeSpan.FromSeconds(first), MaxDelay = TimeSpan.FromSeconds(longest),
            },
        };
    }

    static string? FullPath(string? path) => path is null ? null : Path.GetFullPath(path);

    static string[] Split(string[]? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}
