namespace Mira.Server.Tests.Observability;

/// <summary>A test server with a named node and an <c>operator</c> account (password and bearer token).</summary>
public class ObservedArchive : TestArchive
{
    public const string NodeName = "node-under-test";
    public string OperatorToken { get; private set; } = "";

    protected override ServerOptions Configure(ServerOptions options) => options with { NodeName = NodeName };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Archive.Accounts.CreateUserAsync("operator", UserPassword, [Roles.Operator]);
        OperatorToken = (await Archive.Tokens.IssueAsync("operator", TimeSpan.FromHours(1))).Token;
    }

    public HttpClient Operator => Bearer(OperatorToken);

    /// <summary>Scrapes <c>/metrics</c> as the operator and parses it strictly.</summary>
    public async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await Operator.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {(int)response.StatusCode}: {body}");
        return PrometheusText.Parse(body);
    }
}

/// <summary>The same, with <c>/metrics</c> open to anonymous scrapers (<c>--metrics-anonymous</c>).</summary>
public sealed class AnonymousMetricsArchive : ObservedArchive
{
    protected override ServerOptions Configure(ServerOptions options) => base.Configure(options) with { MetricsAnonymous = true };
}
