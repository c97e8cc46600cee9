namespace Mira.Server.Tests.Dimse;

/// <summary>A fresh folder under the temporary directory (a <c>mira serve</c> data folder), deleted when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mira-dimse-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
