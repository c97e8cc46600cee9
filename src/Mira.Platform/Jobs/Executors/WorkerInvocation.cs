using System.Globalization;
using Mira.Platform.Evaluations;

namespace Mira.Platform.Jobs.Executors;

/// <summary>
/// The one command line and environment of a model worker, whichever executor starts it (<see cref="ProcessModelWorker"/>
/// on this machine, <see cref="SlurmModelWorker"/> on a cluster): <c>mira model run --package P --images DIR --out DIR
/// --threads N</c> after the configured command prefix, in a clean environment that keeps only what a .NET program needs
/// to start (no credential or setting of the Mira process reaches model code) and caps the managed heap.
/// </summary>
public static class WorkerInvocation
{
    /// <summary>The variables of this process a worker keeps; everything else is dropped.</summary>
    public static IReadOnlyList<string> KeptVariables { get; } = ["PATH", "LANG", "LC_ALL", "TZ", "DOTNET_ROOT", "DOTNET_CLI_HOME", "TMPDIR"];

    /// <summary>The full argument vector: <paramref name="command"/> then the <c>model run</c> arguments.</summary>
    public static IReadOnlyList<string> Arguments(IReadOnlyList<string> command, string package, string images, string output, ModelWorkerLimits limits)
    {
        if (command.Count == 0) throw new ArgumentException("the model worker command is empty", nameof(command));
        return [.. command, "model", "run", "--package", package, "--images", images, "--out", output, "--threads", limits.Threads.ToString(CultureInfo.InvariantCulture)];
    }

    /// <summary>The worker's whole environment, in a stable order: the kept variables that are set here, HOME, and the .NET settings.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Environment(ModelWorkerLimits limits)
    {
        var env = new List<KeyValuePair<string, string>>();
        foreach (var name in KeptVariables)
            if (System.Environment.GetEnvironmentVariable(name) is { } value) env.Add(new(name, value));
        env.Add(new("HOME", Path.GetTempPath()));
        env.Add(new("DOTNET_NOLOGO", "1"));
        env.Add(new("DOTNET_CLI_TELEMETRY_OPTOUT", "1"));
        env.Add(new("DOTNET_GCHeapHardLimit", "0x" + limits.MemoryBytes.ToString("X", CultureInfo.InvariantCulture)));
        return env;
    }
}
