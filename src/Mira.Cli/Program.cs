using System.CommandLine;
using Mira.Cli.Commands;
using Mira.Dicom.Codecs.OpenJpeg;

namespace Mira.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // Optional native codecs: without libopenjp2-7 the registry keeps refusing JPEG 2000 with an install hint.
        OpenJpegCodec.TryRegister(out _);
        var root = new RootCommand("Mira: an open platform for medical-imaging AI");
        root.Subcommands.Add(DumpCommand.Create());
        root.Subcommands.Add(PixelsCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(SuvCommand.Create());
        root.Subcommands.Add(MetricsCommand.Create());
        root.Subcommands.Add(RenderCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(ArchiveCommand.Create());
        root.Subcommands.Add(TokenCommand.Create());
        root.Subcommands.Add(UserCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(AeCommand.Create());
        foreach (var dimse in DimseScuCommands.Create()) root.Subcommands.Add(dimse);
        root.Subcommands.Add(DeidCommand.Create());
        root.Subcommands.Add(PhiScanCommand.Create());
        return root.Parse(args).Invoke();
    }
}
