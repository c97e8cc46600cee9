namespace Mira.Server;

/// <summary>
/// How to start <c>mira</c> again as a separate process (the model worker of evaluations): this process itself when it is
/// <c>mira</c>, else the <c>mira</c> program or <c>mira.dll</c> beside this program (a host or a test that loads the server
/// as a library); null when none is found (evaluation jobs then fail saying so).
/// </summary>
public static class MiraExecutable
{
    public static IReadOnlyList<string>? Command()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "mira") return [self];
        var here = AppContext.BaseDirectory;
        var apphost = Path.Combine(here, OperatingSystem.IsWindows() ? "mira.exe" : "mira");
        if (File.Exists(apphost)) return [apphost];
        var dll = Path.Combine(here, "mira.dll");
        if (File.Exists(dll) && self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return [self, dll];
        return File.Exists(dll) ? ["dotnet", dll] : null;
    }
}
