using System.Reflection;

namespace Mira.Server.Observability;

/// <summary>This build's version, as <c>/health</c> and the metrics' resource say it.</summary>
public static class MiraVersion
{
    public static string Current { get; } =
        typeof(MiraVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(MiraVersion).Assembly.GetName().Version?.ToString() ?? "unknown";
}
