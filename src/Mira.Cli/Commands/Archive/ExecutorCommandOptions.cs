using System.CommandLine;
using Mira.Platform.Jobs.Executors;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// Where model workers run, for <c>mira serve</c> and <c>mira eval offline</c> (docs/jobs.md): <c>--executor local</c>
/// (this machine, the default) or <c>--executor slurm</c> with <c>--slurm-partition</c>, <c>--slurm-account</c>,
/// <c>--slurm-conf</c> (the cluster's slurm.conf, else the Slurm commands' default) and <c>--slurm-arg</c> (more sbatch
/// options, repeated).
/// </summary>
sealed record ExecutorCommandOptions(Option<string> Executor, Option<string?> Partition, Option<string?> Account, Option<string?> Conf, Option<string[]> Extra)
{
    public static ExecutorCommandOptions Create() => new(
        new Option<string>("--executor") { Description = "where model workers run: local (this machine) or slurm (sbatch to a Slurm cluster)", DefaultValueFactory = _ => "local" },
        new Option<string?>("--slurm-partition") { Description = "the Slurm partition model workers are submitted to (default: the cluster's default)" },
        new Option<string?>("--slurm-account") { Description = "the Slurm account model workers are charged to" },
        new Option<string?>("--slurm-conf") { Description = "the cluster's slurm.conf (SLURM_CONF of the Slurm commands)" },
        new Option<string[]>("--slurm-arg") { Description = "one more sbatch option for model workers (e.g. --qos=high); repeat for more", AllowMultipleArgumentsPerToken = false });

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Executor, Partition, Account, Conf, Extra }) c.Options.Add(o);
    }

    /// <summary>The executor settings; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public ExecutorOptions Read(ParseResult r)
    {
        var kind = ExecutorOptions.ParseKind(r.GetValue(Executor) ?? "local");
        var conf = r.GetValue(Conf);
        var extra = r.GetValue(Extra) ?? [];
        if (kind == ExecutorKind.Local)
        {
            if (new Option[] { Partition, Account, Conf, Extra }.FirstOrDefault(o => r.GetResult(o) is { Implicit: false }) is { } given)
                throw new ArgumentException($"{given.Name} is for --executor slurm");
            return ExecutorOptions.Local;
        }
        if (conf is not null && !File.Exists(conf)) throw new ArgumentException($"--slurm-conf: no file {conf}");
        var slurm = new SlurmOptions
        {
            Partition = r.GetValue(Partition), Account = r.GetValue(Account), ConfigFile = conf is null ? null : Path.GetFullPath(conf), ExtraArguments = extra,
        };
        try { slurm.Validated(); }
        catch (ArgumentException e) { throw new ArgumentException("--slurm-*: " + e.Message); }
        return new ExecutorOptions { Kind = ExecutorKind.Slurm, Slurm = slurm };
    }
}
