using System.IO.Compression;
using System.Text.Json;
using Mira.Platform.Audit;
using Mira.Storage.Annotations;

namespace Mira.Platform.Annotations;

/// <summary>What an export wrote.</summary>
public sealed record ExportSummary(int Tasks, int Versions, int Files);

/// <summary>The export formats.</summary>
public static class ExportFormats
{
    public const string Seg = "seg", Sr = "sr", Nifti = "nifti", Coco = "coco";

    public static IReadOnlyList<string> All { get; } = [Seg, Sr, Nifti, Coco];
}

public sealed partial class AnnotationService
{
    static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Writes a zip of a project's annotations (stewards and admins): per task the selected versions
    /// (<paramref name="selection"/> <c>consensus</c>, the default: the latest consensus version; <c>all</c>; or a version
    /// number) as DICOM SEG (<c>seg</c>), SR (<c>sr</c>), NIfTI label maps with the images' affine (<c>nifti</c>) or COCO
    /// (<c>coco</c>), and <c>manifest.json</c>: per task the study, protocol and version, and every version with author,
    /// role, tool and time, the files written for it, and the records of the annotators who made them.
    /// </summary>
    public async Task<ExportSummary> ExportAsync(AnnotationActor actor, string project, string format, string? selection, Stream output, CancellationToken ct = default)
    {
        await RequireStewardAsync(actor, AuditActions.AnnotationExport, project);
        await ProjectAsync(project, ct);
        if (!ExportFormats.All.Contains(format)) throw AnnotationRefusedException.Invalid($"query parameter 'format': one of {string.Join(", ", ExportFormats.All)}");
        selection = string.IsNullOrEmpty(selection) ? "consensus" : selection;
        int? number = null;
        if (selection is not ("consensus" or "all"))
            number = int.TryParse(selection, out var n) && n > 0 ? n : throw AnnotationRefusedException.Invalid("query parameter 'version': consensus, all or a version number");
        if (format is ExportFormats.Nifti && Encodings is null)
            throw AnnotationRefusedException.Invalid($"format '{format}' needs the SEG/NIfTI encodings, which this Mira has not");
        var archive = await projects.Archives.GetAsync(project);
        var manifest = new List<object>();
        var authors = new HashSet<string>(StringComparer.Ordinal);
        int versionsWritten = 0, files = 0;
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var task in await store.ListTasksAsync(project, null, ct))
            {
                var versions = await store.VersionsAsync(task.Id, ct);
                var chosen = selection == "all" ? versions
                    : number is { } k ? [.. versions.Where(v => v.Number == k)]
                    : versions.LastOrDefault(v => v.Role == VersionRoles.Consensus) is { } c ? [c] : [];
                var entries = new List<object>();
                TaskContext? context = null;
                foreach (var v in chosen)
                {
                    var written = new List<string>();
                    var prefix = $"task-{task.Id}/v{v.Number}-{v.Role}";
                    if (format is ExportFormats.Seg or ExportFormats.Sr)
                    {
                        foreach (var uid in v.SopInstanceUids)
                        {
                            var si = await archive.Index.FindInstanceAsync(uid, ct);
                            if (si is null) continue;
                            var isSeg = Mira.Imaging.Segmentation.DicomSegReader.IsSegmentationSopClass(si.SopClassUid);
                            var isSr = si.SopClassUid.StartsWith("1.2.840.10008.5.1.4.1.1.88.", StringComparison.Ordinal);
                            if (format == ExportFormats.Seg ? !isSeg : !isSr) continue;
                            var name = $"{prefix}-{format}-{written.Count + 1}.dcm";
                            await using (var source = archive.Blobs.OpenRead(si.BlobKey))
                            await using (var target = zip.CreateEntry(name, CompressionLevel.Optimal).Open())
                                await source.CopyToAsync(target, ct);
                            written.Add(name);
                        }
                    }
                    else if (v.Kind == ContentKinds.Masks && format == ExportFormats.Nifti)
                    {
                        context ??= await TaskContextAsync(task.Id, ct);
                        var bytes = Encodings!.WriteLabelMap(await ContentAsync(context, v, ct), await ImagesAsync(context, ct));
                        var name = $"{prefix}.nii.gz";
                        await using (var target = zip.CreateEntry(name, CompressionLevel.NoCompression).Open())
                            await target.WriteAsync(bytes, ct);
                        written.Add(name);
                    }
                    else if (format == ExportFormats.Coco)
                    {
                        context ??= await TaskContextAsync(task.Id, ct);
                        if (await CocoAsync(context, v, ct) is { } coco)
                        {
                            var name = $"{prefix}.coco.json";
                            await using (var target = zip.CreateEntry(name, CompressionLevel.Optimal).Open())
                                await target.WriteAsync(coco, ct);
                            written.Add(name);
                        }
                    }
                    authors.Add(v.Author);
                    versionsWritten++;
                    files += written.Count;
                    entries.Add(new
                    {
                        version = v.Number, author = v.Author, role = v.Role, tool = v.Tool, time = v.Created, kind = v.Kind, protocol = v.Protocol,
                        protocolVersion = v.ProtocolVersion, sopInstanceUids = v.SopInstanceUids, files = written,
                    });
                }
                manifest.Add(new
                {
                    task = task.Id, studyInstanceUid = task.StudyUid, seriesInstanceUid = task.SeriesUid, sopInstanceUid = task.SopUid, protocol = task.Protocol,
                    protocolVersion = task.ProtocolVersion, state = task.State, batch = task.Batch, gold = task.Gold, versions = entries,
                });
            }
            var profiles = await ProfilesAsync(authors.ToArray(), ct);
            await using var m = zip.CreateEntry("manifest.json", CompressionLevel.Optimal).Open();
            await JsonSerializer.SerializeAsync(m, new
            {
                project, format, versions = selection, exported = DateTimeOffset.UtcNow, exportedBy = actor.Name, tasks = manifest, annotators = profiles,
            }, ManifestJson, ct);
        }
        var summary = new ExportSummary(manifest.Count, versionsWritten, files);
        await AuditAsync(actor, AuditActions.AnnotationExport, project, new { format, versions = selection, summary.Tasks, versionsWritten, files });
        return summary;
    }

    /// <summary>A version as COCO JSON, where the encodings can say it (photographs and slides); null otherwise.</summary>
    async Task<byte[]?> CocoAsync(TaskContext c, AnnotationVersionRecord v, CancellationToken ct)
    {
        if (v.Kind != ContentKinds.Polygons) return null;
        var content = await ContentAsync(c, v, ct);
        return System.Text.Encoding.UTF8.GetBytes(Mira.Annotations.Coco.CocoExport.ToJson(c.Protocol.Protocol, (await ImagesAsync(c, ct)).Instances, content.Polygons!,
            new Mira.Annotations.Coco.CocoProvenance(v.Author, $"task {v.Task} version {v.Number} ({v.Role})", v.Created)));
    }
}
