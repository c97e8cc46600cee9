using Mira.Storage.Security;

namespace Mira.Server.Tests.Web;

/// <summary>The audit log of a running <see cref="WorkspaceServer"/>, read from its data folder.</summary>
public static class WorkspaceAudit
{
    public static async Task<IReadOnlyList<AuditRecord>> ReadAsync(WorkspaceServer mira)
    {
        await using var platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = mira.DataFolder, Console = TextWriter.Null });
        return await platform.Audit.ReadAsync(1, 100_000);
    }
}
