namespace Mira.Server.Observability;

/// <summary>The name a node gives itself in metrics, logs and <c>/health</c> when <c>--node-name</c> is not given.</summary>
public static class NodeName
{
    /// <summary>The host name and the port of the first listening URL (<c>db1:8042</c>): unique among nodes on one host too.</summary>
    public static string Default(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        // Kestrel's wildcards (http://*:80, http://+:80) are no URI hosts.
        var parsed = first is null ? null : Uri.TryCreate(first.Replace("://*", "://localhost").Replace("://+", "://localhost"), UriKind.Absolute, out var u) ? u : null;
        return parsed is null ? Environment.MachineName : $"{Environment.MachineName}:{parsed.Port}";
    }

    /// <summary>Checks a name given with <c>--node-name</c>: 1–128 visible ASCII characters.</summary>
    /// <exception cref="ArgumentException">An empty or too long name, or one with spaces or control characters.</exception>
    public static string Validate(string name)
    {
        if (name.Length is 0 or > 128 || name.Any(c => c is <= ' ' or > '~'))
            throw new ArgumentException($"--node-name '{name}': 1 to 128 visible ASCII characters, no spaces");
        return name;
    }
}
