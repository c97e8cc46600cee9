using System.CommandLine;
using System.Runtime.InteropServices;

namespace Mira.Cli;

/// <summary>
/// The native <c>mira</c> (compiled ahead of time, docs/native.md) carries the file-level commands only. The archive
/// commands below need the server, the storage providers and their reflection-based libraries, which Native AOT cannot
/// compile; the native binary hands them, arguments untouched, to the managed build published beside it
/// (<c>managed/mira</c>) and returns its exit code. The list must equal what the managed build registers
/// (<c>ArchiveCommands</c>; a test compares them).
/// </summary>
public static class ManagedCommands
{
    public static IReadOnlyList<(string Name, string Description)> Archive { get; } =
    [
        ("serve", "Run the archive: DICOMweb under /dicomweb, DIMSE on port 11112, a status page at /, /health"),
        ("import", "Store DICOM files in the archive (offline; the server need not run)"),
        ("archive", "Archive maintenance"),
        ("token", "Bearer tokens (Authorization: Bearer mira_...)"),
        ("user", "User accounts"),
        ("audit", "The audit log"),
        ("ae", "Known DICOM application entities (who may call Mira's DIMSE listener, and C-MOVE destinations)"),
        ("jobs", "Background jobs (project rule copies, evaluations, deployments…): list, show, log, cancel"),
        ("dataset", "Dataset releases: release, list, download"),
        ("model", "Model packages: push to the registry, list, run over a folder of cases"),
        ("eval", "Evaluation of model packages (offline, same code path as the platform's evaluation jobs)"),
        ("report", "Signed evaluation reports"),
        ("deploy", "Deployment rules: when a series arrives from an AE, run a model and send the result (add, list, remove, results)"),
        ("site", "Sites and hub: register sites (hub); link, push de-identified copies, look up the vault (site)"),
        ("project", "Research projects: the sites a project takes de-identified copies from"),
    ];

    /// <summary>Where the native binary looks for the managed build: MIRA_MANAGED, else managed/mira beside itself.</summary>
    public static string ManagedPath() =>
        Environment.GetEnvironmentVariable("MIRA_MANAGED") is { Length: > 0 } p ? p : Path.Combine(AppContext.BaseDirectory, "managed", "mira");

    /// <summary>Placeholders for <c>mira --help</c>; they never run (Main hands these names over before parsing).</summary>
    public static IEnumerable<Command> Placeholders() =>
        Archive.Select(c => new Command(c.Name, c.Description + " [runs the managed build]") { TreatUnmatchedTokensAsErrors = false });

    public static bool Handles(string[] args) => args.Length > 0 && Archive.Any(c => c.Name == args[0]);

    /// <summary>
    /// Replaces this process with the managed build (execv: same process id, arguments, environment and standard
    /// streams, so signals and exit codes reach it directly). Returns only when that fails: 127 with the reason.
    /// </summary>
    public static int Run(string[] args)
    {
        var path = ManagedPath();
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"mira {args[0]}: needs the managed build, not found at {path} (publish both with tools/publish.sh, or set MIRA_MANAGED)");
            return 127;
        }
        var argv = new IntPtr[args.Length + 2];
        argv[0] = Marshal.StringToCoTaskMemUTF8(path);
        for (var i = 0; i < args.Length; i++) argv[i + 1] = Marshal.StringToCoTaskMemUTF8(args[i]);
        execv(path, argv);
        var errno = Marshal.GetLastPInvokeError();
        Console.Error.WriteLine($"mira {args[0]}: could not run {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        return 127;
    }

    [DllImport("libc", SetLastError = true)]
    static extern int execv([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr[] argv);
}
