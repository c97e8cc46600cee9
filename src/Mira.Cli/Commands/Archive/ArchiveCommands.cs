using System.CommandLine;

namespace Mira.Cli.Commands.Archive;

/// <summary>The commands that open the archive (index database, blobs) or run the server: managed build only.</summary>
public static class ArchiveCommands
{
    public static IEnumerable<Command> Create() =>
    [
        ServeCommand.Create(), ImportCommand.Create(), ArchiveCommand.Create(), TokenCommand.Create(),
        UserCommand.Create(), AuditCommand.Create(), AeCommand.Create(), JobsCommand.Create(), DatasetCommand.Create(), ModelCommand.Create(),
        EvalCommand.Create(), ReportCommand.Create(), DeployCommand.Create(), SiteCommand.Create(), ProjectCommand.Create(),
    ];
}
