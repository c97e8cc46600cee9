using System.CommandLine;
using Mira.Cli.Commands;

namespace Mira.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Mira: an open platform for medical-imaging AI");
        root.Subcommands.Add(DumpCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        return root.Parse(args).Invoke();
    }
}
