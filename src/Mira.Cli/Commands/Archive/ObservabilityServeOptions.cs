using System.CommandLine;
using Mira.Server;
using Mira.Server.Observability;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// The operators' options of <c>mira serve</c> (docs/operations.md): <c>--node-name</c> (this node in metrics and
/// <c>/health</c>), <c>--metrics-anonymous</c> (<c>/metrics</c> without credentials, for a scraper inside the network
/// boundary) and <c>--log-format plain|json</c>.
/// </summary>
public sealed class ObservabilityServeOptions
{
    readonly Option<string?> nodeName = new("--node-name")
    {
        Description = "this node's name in metrics (service.instance.id) and /health; default: the host name and the listening port",
    };
    readonly Option<bool> metricsAnonymous = new("--metrics-anonymous")
    {
        Description = "let anyone read /metrics (default: the roles operator and admin); only behind the network boundary",
    };
    readonly Option<string> logFormat = new("--log-format") { Description = "console log format: plain or json (one object per line, with request and trace ids)", DefaultValueFactory = _ => "plain" };

    public static ObservabilityServeOptions AddTo(Command command)
    {
        var o = new ObservabilityServeOptions();
        foreach (var option in new Option[] { o.nodeName, o.metricsAnonymous, o.logFormat })
            command.Options.Add(option);
        return o;
    }

    /// <summary>The options with these settings applied.</summary>
    /// <exception cref="ArgumentException">A malformed node name or an unknown log format, naming the option.</exception>
    public ServerOptions Apply(ParseResult r, ServerOptions options)
    {
        var format = r.GetValue(logFormat) switch
        {
            "plain" => LogFormat.Plain,
            "json" => LogFormat.Json,
            var other => throw new ArgumentException($"--log-format {other}: plain or json"),
        };
        return options with
        {
            NodeName = r.GetValue(nodeName) is { } name ? NodeName.Validate(name) : null,
            MetricsAnonymous = r.GetValue(metricsAnonymous),
            LogFormat = format,
        };
    }
}
