namespace Mira.Platform.Jobs.Executors;

/// <summary>
/// How Mira submits model workers to a Slurm cluster (docs/jobs.md). The Mira process must run on a host where
/// <c>sbatch</c>, <c>scontrol</c>, <c>squeue</c> and <c>scancel</c> reach the cluster, and the model package, the images,
/// the output folder and the job folder must be on storage that the compute nodes see at the same paths.
/// </summary>
public sealed record SlurmOptions
{
    /// <summary>The partition jobs go to (<c>--partition</c>); null: the cluster's default partition.</summary>
    public string? Partition { get; init; }

    /// <summary>The account jobs are charged to (<c>--account</c>); null: the user's default.</summary>
    public string? Account { get; init; }

    /// <summary>More <c>#SBATCH</c> arguments, each one whole (e.g. <c>--qos=high</c>, <c>--constraint=a100</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>How often a submitted job's state is read (<c>scontrol show job</c>).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The cluster's <c>slurm.conf</c>, passed to every Slurm command as <c>SLURM_CONF</c>; null: the commands' own default.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>The generic resource name GPUs are asked for by (<c>--gres=NAME:N</c>).</summary>
    public string GpuGres { get; init; } = "gpu";

    /// <summary>
    /// Where each run's job folder (batch script, log) is made; null: beside the run's output folder. Must be shared
    /// with the compute nodes.
    /// </summary>
    public string? JobFolder { get; init; }

    /// <summary>Refuses options that cannot make a valid batch script (a line break would add directives).</summary>
    public SlurmOptions Validated()
    {
        foreach (var (name, value) in new[] { ("partition", Partition), ("account", Account), ("GPU gres name", GpuGres) })
            if (value is not null && (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                throw new ArgumentException($"the Slurm {name} '{value}' must be one word");
        foreach (var a in ExtraArguments)
            if (!a.StartsWith('-') || a.Any(char.IsControl))
                throw new ArgumentException($"the extra sbatch argument '{a}' must be one option on one line (e.g. --qos=high)");
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentException("the Slurm poll interval must be positive");
        return this;
    }
}
