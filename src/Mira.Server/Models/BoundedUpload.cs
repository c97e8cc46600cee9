using Mira.Platform.Annotations;

namespace Mira.Server.Models;

/// <summary>
/// A request body spooled to a temporary file (deleted when disposed), refused past a byte limit before it is all read:
/// a package upload never sits in memory whole and never grows past its limit on disk.
/// </summary>
public static class BoundedUpload
{
    public static async Task<FileStream> SpoolAsync(HttpContext h, long maxBytes, string what)
    {
        if (h.Request.ContentLength is long declared && declared > maxBytes)
            throw AnnotationRefusedException.Invalid($"{what} is {declared} bytes, more than the limit of {maxBytes}");
        var path = Path.Combine(Path.GetTempPath(), "mira-upload-" + Guid.NewGuid().ToString("N"));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var file = new FileStream(path, options);
        try
        {
            var buffer = new byte[81920];
            long total = 0;
            int n;
            while ((n = await h.Request.Body.ReadAsync(buffer, h.RequestAborted)) > 0)
            {
                total += n;
                if (total > maxBytes) throw AnnotationRefusedException.Invalid($"{what} is more than the limit of {maxBytes} bytes");
                await file.WriteAsync(buffer.AsMemory(0, n), h.RequestAborted);
            }
            if (total == 0) throw AnnotationRefusedException.Invalid($"{what} is empty: send the zip as the request body");
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }
}
