using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Mira.Conversion;
using Mira.Server.Security;

namespace Mira.Server.Intake;

/// <summary>
/// <c>POST /api/intake/files</c>: a NIfTI volume, a photograph or a whole-slide image, converted to DICOM and stored
/// through the intake like any STOW-RS upload (stewards and admins; audited as <c>intake.convert</c>). The body is the
/// file (<c>application/octet-stream</c>; <c>?name=</c> its file name, <c>?modality=MR|CT</c> for NIfTI, and the patient
/// and study attributes as DICOM keywords: <c>?PatientID=P-001&amp;PatientName=Li^Wei</c>), or, from the web workspace's
/// form, <c>multipart/form-data</c> with the parts <c>file</c>, <c>meta</c> (a JSON object of keywords) and <c>modality</c>.
/// Without attributes, placeholder identifiers are generated and the answer says so. The file is streamed to the blob
/// store's staging area (within <see cref="ServerOptions.MaxRequestBytes"/>), never held in memory.
/// </summary>
public static class ConversionEndpoints
{
    public static void Map(WebApplication app) =>
        app.MapPost(RequestForgeryGuard.UploadPath, UploadAsync)
            .AddEndpointFilter(new PatientDataAccess(AuditActions.ConvertStore, PatientDataAccess.IdentifiedData))
            .DisableAntiforgery(); // RequestForgeryGuard checks cookie requests' tokens itself, multipart forms included

    static readonly string[] Control = ["name", "modality", "lastModified"];

    static async Task<IResult> UploadAsync(HttpContext http, MiraPlatform platform, ServerOptions options)
    {
        var ct = http.RequestAborted;
        // The upload is kept under the name it was sent with, in a staging folder of its own: what a converter writes
        // of its source (a series description, a message) names the file the person knows.
        var folder = platform.Blobs.NewStagingFolder();
        try
        {
            var received = Path.Combine(folder, "upload");
            var form = await ReadBodyAsync(http, received, options.MaxRequestBytes, ct);
            if (form.Problem is { } problem) return Problems.BadRequest(problem);
            var name = SafeName(form.Name);
            var staged = Path.Combine(folder, name);
            if (staged != received) File.Move(received, staged);
            if (form.LastModified is { } modified) File.SetLastWriteTimeUtc(staged, modified);
            if (form.Modality is not (null or "" or "MR" or "CT")) return Problems.BadRequest($"modality '{form.Modality}' is not MR or CT");
            var converter = platform.Conversion.Detect(staged);
            if (converter is null)
                return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Not a convertible file",
                    $"{name} is not a NIfTI volume, a photograph (JPEG, PNG, TIFF) or a whole-slide image (SVS, TIFF); DICOM objects go to STOW-RS (POST /dicomweb/studies)");
            ConversionSubject subject;
            try
            {
                subject = form.Meta is { } meta ? meta() : ConversionSubject.Placeholder(ConversionUids.HashFile(staged));
            }
            catch (ConversionException e)
            {
                return Problems.BadRequest(e.Message);
            }
            var user = MiraAuthentication.UserOf(http)?.Name;
            var session = platform.Intake.Begin(new IntakeContext(new IngestSource("upload", http.Connection.RemoteIpAddress?.ToString(), user),
                user ?? "anonymous", Uploader: user, Client: http.Connection.RemoteIpAddress?.ToString()));
            ConvertedSource result;
            try
            {
                result = await platform.Conversion.ImportAsync(session, staged, converter,
                    ConversionRequest.For(subject, form.Modality is { Length: > 0 } m ? m : null), ct);
            }
            catch (ConversionException e)
            {
                return Problems.Result(StatusCodes.Status422UnprocessableEntity, "Cannot convert", AsUploaded(e.Message, staged, name));
            }
            http.Items[PatientDataAccess.ResourceKey] = string.Join(",", result.Objects.Select(o => o.StudyInstanceUid).Distinct());
            return Results.Json(Describe(name, result), statusCode: result.Refused > 0 ? StatusCodes.Status409Conflict : StatusCodes.Status200OK);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { } // left to the blob store's start-up clean-up
        }
    }

    /// <summary>The sent file name as a plain file name (no folders, no control characters, at most 200 characters), or "upload".</summary>
    static string SafeName(string? sent)
    {
        var name = Path.GetFileName((sent ?? "").Replace('\\', '/'));
        name = new string([.. name.Where(c => !char.IsControl(c) && c != '/' && !Path.GetInvalidFileNameChars().Contains(c))]).Trim();
        if (name.Length > 200) name = name[^200..];
        return name is "" or "." or ".." ? "upload" : name;
    }

    /// <summary>
    /// A converter's message names the file it read, the staging file (by its path or, as the NIfTI and TIFF readers
    /// do, by its file name): the person uploading knows it by the name they sent.
    /// </summary>
    static string AsUploaded(string message, string staged, string name) =>
        message.Replace(staged, name, StringComparison.Ordinal).Replace(Path.GetFileName(staged), name, StringComparison.Ordinal);

    sealed record Body(string? Name, string? Modality, Func<ConversionSubject>? Meta, string? Problem, DateTime? LastModified = null);

    /// <summary>The file's own time, in milliseconds since 1970 (a browser's File.lastModified), or null.</summary>
    static DateTime? LastModifiedOf(string? text) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms < 253402300800000
            ? DateTime.UnixEpoch.AddMilliseconds(ms) : null;

    /// <summary>Streams the file to <paramref name="staged"/>; the other fields come from the query or the form.</summary>
    static async Task<Body> ReadBodyAsync(HttpContext http, string staged, long maxBytes, CancellationToken ct)
    {
        var request = http.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)) return new Body(null, null, null, "a Content-Type header is required");
        if (type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return await ReadFormAsync(request, type, staged, maxBytes, ct);
        await CopyAsync(request.Body, staged, maxBytes, ct);
        var attributes = request.Query.Where(q => !Control.Contains(q.Key, StringComparer.OrdinalIgnoreCase))
            .Select(q => new KeyValuePair<string, string>(q.Key, q.Value.ToString())).ToList();
        return new Body(request.Query["name"], request.Query["modality"],
            attributes.Count == 0 ? null : () => ConversionSubject.FromValues(attributes, "the query"), null, LastModifiedOf(request.Query["lastModified"]));
    }

    static async Task<Body> ReadFormAsync(HttpRequest request, MediaTypeHeaderValue type, string staged, long maxBytes, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IFormFeature>()?.Form is { } read)
        {
            // The antiforgery check read the form already (a form posted without script carries its token as a field).
            if (read.Files["file"] is not { } file) return new Body(null, null, null, "the form has no 'file' part");
            if (file.Length > maxBytes) throw new BadHttpRequestException($"the file is larger than {maxBytes} bytes", StatusCodes.Status413PayloadTooLarge);
            await using (var source = file.OpenReadStream()) await CopyAsync(source, staged, maxBytes, ct);
            var text = read["meta"].ToString();
            return new Body(file.FileName, read["modality"].ToString().Trim(), string.IsNullOrWhiteSpace(text) ? null : () => SidecarFile.ParseJson(text, "meta"), null,
                LastModifiedOf(read["lastModified"].ToString()));
        }
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary)) return new Body(null, null, null, "the multipart/form-data body has no boundary");
        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 << 10 };
        string? name = null, modality = null, meta = null, modified = null;
        var hasFile = false;
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
            var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            switch (field)
            {
                case "file":
                    name = HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    await CopyAsync(section.Body, staged, maxBytes, ct);
                    hasFile = true;
                    break;
                case "meta": meta = await ReadTextAsync(section.Body, 1 << 20, ct); break;
                case "modality": modality = await ReadTextAsync(section.Body, 16, ct); break;
                case "lastModified": modified = await ReadTextAsync(section.Body, 32, ct); break;
            }
        }
        if (!hasFile) return new Body(null, null, null, "the form has no 'file' part");
        return new Body(name, modality?.Trim(), string.IsNullOrWhiteSpace(meta) ? null : () => SidecarFile.ParseJson(meta, "meta"), null, LastModifiedOf(modified?.Trim()));
    }

    static async Task CopyAsync(Stream body, string path, long maxBytes, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            total += n;
            if (total > maxBytes) throw new BadHttpRequestException($"the file is larger than {maxBytes} bytes", StatusCodes.Status413PayloadTooLarge);
            await file.WriteAsync(buffer.AsMemory(0, n), ct);
        }
    }

    static async Task<string> ReadTextAsync(Stream body, int maxBytes, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (ms.Length + n > maxBytes) throw new BadHttpRequestException($"a form field is longer than {maxBytes} bytes", StatusCodes.Status413PayloadTooLarge);
            ms.Write(buffer, 0, n);
        }
        return System.Text.Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    static object Describe(string name, ConvertedSource result) => new
    {
        file = name,
        converter = result.Converter,
        placeholderIdentifiers = result.Subject.IsPlaceholder,
        patientId = result.Subject["PatientID"],
        stored = result.Stored,
        alreadyStored = result.AlreadyStored,
        refused = result.Refused,
        objects = result.Objects.Select(o => new
        {
            description = o.Description,
            sopClassUid = o.SopClassUid,
            sopInstanceUid = o.SopInstanceUid,
            studyInstanceUid = o.StudyInstanceUid,
            seriesInstanceUid = o.SeriesInstanceUid,
            outcome = o.Result.Outcome.ToString(),
            reason = o.Result.Reason,
        }),
    };
}
