using System.CommandLine;
using Mira.Cli.Commands;

namespace Mira.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Mira: an open platform for medical-imaging AI");
        root.Subcommands.Add(DumpCommand.Create());
        root.Subcommands.Add(PixelsCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(ArchiveCommand.Create());
        root.Subcommands.Add(TokenCommand.Create());
        root.Subcommands.Add(UserCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        return root.Parse(args).Invoke();
    }
}
