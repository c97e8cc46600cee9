using System.CommandLine;
using Mira.Cli.Commands;
using Mira.Dicom.Codecs;
using Mira.Dicom.Codecs.OpenJpeg;

namespace Mira.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
#if MIRA_NATIVE
        if (ManagedCommands.Handles(args)) return ManagedCommands.Run(args);
#endif
        // Optional native codecs: without libopenjp2-7 the registry keeps refusing JPEG 2000 with an install hint.
        OpenJpegCodec.TryRegister(CodecRegistry.Default, out _);
        return CreateRoot().Parse(args).Invoke();
    }

    /// <summary>Every command of this build: the file-level ones, then the archive ones (or their placeholders in the native build).</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("Mira: an open platform for medical-imaging AI");
        root.Subcommands.Add(DumpCommand.Create());
        root.Subcommands.Add(PixelsCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(SuvCommand.Create());
        root.Subcommands.Add(MetricsCommand.Create());
        root.Subcommands.Add(RenderCommand.Create());
        foreach (var dimse in DimseScuCommands.Create()) root.Subcommands.Add(dimse);
        root.Subcommands.Add(DeidCommand.Create());
        root.Subcommands.Add(DeidRecipeCommand.Create());
        root.Subcommands.Add(PhiScanCommand.Create());
        root.Subcommands.Add(SegCommand.Create());
#if MIRA_NATIVE
        foreach (var c in ManagedCommands.Placeholders()) root.Subcommands.Add(c);
#else
        foreach (var c in Commands.Archive.ArchiveCommands.Create()) root.Subcommands.Add(c);
#endif
        return root;
    }
}
