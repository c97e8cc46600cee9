using System.Text.Json;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Datasets;
using Mira.Storage.Security;

namespace Mira.Platform.Deployment.Ood;

/// <summary>
/// Makes the <see cref="TrainingProfile"/> of a dataset release: every case's series (a case is one series) is read,
/// instance by instance, through a <see cref="SeriesFeatureReader"/>, and the features are summarised by
/// <see cref="TrainingProfile.Build"/>. Two sources:
/// <list type="bullet">
/// <item><see cref="BuildAsync"/>: a release by id, read from its project's research archive
/// (<see cref="DatasetService.ReleaseForEvaluationAsync"/> for the cases, the project index's
/// <c>FindInstancesAsync</c> for each case's instances, <see cref="StoredObjects.ReadAsync"/> for each instance). It is a
/// trusted server-side path (no access check; only the aggregate profile leaves it), audited as <see cref="AuditAction"/>
/// with the caller as actor; it refuses a sequestered release (only the evaluation runner reads those);</item>
/// <item><see cref="FromTree"/>: a release's materialised or downloaded folder tree (<c>images/&lt;case&gt;/*.dcm</c>).</item>
/// </list>
/// </summary>
public sealed class TrainingProfileBuilder(DatasetService datasets, Research.ProjectArchives archives, AuditLog audit)
{
    /// <summary>The audit action of a profile computed from a release's images.</summary>
    public const string AuditAction = Audit.AuditActions.DatasetProfile;

    /// <summary>
    /// The profile of release <paramref name="releaseId"/>, from the cases in <paramref name="splits"/> (all cases when
    /// null: a training release's train, tune and test series are all of the population the model was validated on),
    /// with the histogram spec of <paramref name="specFor"/> (default <see cref="HistogramSpec.For"/>).
    /// <paramref name="actor"/> names who asked (e.g. <c>deployment:ID</c>), for the audit log.
    /// </summary>
    public Task<TrainingProfile> BuildAsync(string releaseId, string actor, IReadOnlyCollection<string>? splits = null,
        Func<string, HistogramSpec>? specFor = null, CancellationToken ct = default) =>
        BuildAsync([releaseId], actor, splits, specFor, ct);

    /// <summary>
    /// The profile of every release a model names (its card's <c>trainingReleases</c>), their series taken together;
    /// its source is <c>release:ID1,ID2…</c>. Each release read is audited on its own.
    /// </summary>
    public async Task<TrainingProfile> BuildAsync(IReadOnlyList<string> releaseIds, string actor, IReadOnlyCollection<string>? splits = null,
        Func<string, HistogramSpec>? specFor = null, CancellationToken ct = default)
    {
        if (releaseIds.Count == 0) throw new OodException("no training release named: a profile is made from the releases a model was trained on");
        var features = new List<AcquisitionFeatures>();
        foreach (var id in releaseIds.Distinct(StringComparer.Ordinal))
            features.AddRange(await FeaturesOfAsync(id, actor, splits, specFor, ct));
        return TrainingProfile.Build(features, "release:" + string.Join(',', releaseIds.Distinct(StringComparer.Ordinal)));
    }

    async Task<List<AcquisitionFeatures>> FeaturesOfAsync(string releaseId, string actor, IReadOnlyCollection<string>? splits,
        Func<string, HistogramSpec>? specFor, CancellationToken ct)
    {
        var release = await datasets.ReleaseForEvaluationAsync(releaseId, ct) ?? throw new OodException($"no release {releaseId}");
        if (release.IsSequestered)
        {
            await AuditAsync(actor, releaseId, new { project = release.Project, refused = "sequestered" }, AuditOutcome.Denied);
            throw new OodException($"release {releaseId} is sequestered: only the evaluation runner reads it; a training profile is made from the model's training release");
        }
        var cases = release.Cases.Where(c => splits is null || splits.Contains(c.Split)).ToList();
        if (cases.Count == 0)
            throw new OodException($"release {releaseId} has no case in the splits {string.Join(", ", splits ?? [])}");
        try
        {
            var archive = await archives.GetAsync(release.Project);
            var features = new List<AcquisitionFeatures>(cases.Count);
            foreach (var c in cases)
            {
                ct.ThrowIfCancellationRequested();
                var rows = await archive.Index.FindInstancesAsync(c.StudyInstanceUid, c.SeriesInstanceUid, ct);
                if (rows.Count == 0) throw new OodException($"release {releaseId} {c.CaseId}: its series is no longer in project {release.Project}");
                var reader = new SeriesFeatureReader(specFor);
                var n = 0;
                foreach (var row in rows)
                    reader.Add(await StoredObjects.ReadAsync(archive.Blobs, row, ct), $"{c.CaseId} instance {++n}");
                features.Add(reader.Finish());
            }
            await AuditAsync(actor, releaseId, new
            {
                project = release.Project, release.Kind, cases = cases.Count, splits, modalities = features.Select(f => f.Modality).Distinct().Order(StringComparer.Ordinal),
            }, AuditOutcome.Success);
            return features;
        }
        catch (Exception e)
        {
            await AuditAsync(actor, releaseId, new { project = release.Project, error = e.GetType().Name, message = e is OodException ? e.Message : null }, AuditOutcome.Failure);
            throw;
        }
    }

    Task AuditAsync(string actor, string releaseId, object details, AuditOutcome outcome) =>
        audit.AppendAsync(new AuditEntry(actor, AuditAction, $"release:{releaseId}", null, outcome, JsonSerializer.Serialize(details)), CancellationToken.None);

    /// <summary>
    /// The profile of a release's folder tree: one series per folder under <c>images/</c> (case ids in ordinal order),
    /// limited to the cases of <paramref name="splits"/> by <c>cases.tsv</c> when given.
    /// </summary>
    public static TrainingProfile FromTree(string folder, string source, IReadOnlyCollection<string>? splits = null, Func<string, HistogramSpec>? specFor = null)
    {
        var images = Path.Combine(folder, "images");
        if (!Directory.Exists(images)) throw new OodException($"{folder}: no images/ folder (not a release tree)");
        var chosen = splits is null ? null : CasesIn(folder, splits);
        var features = new List<AcquisitionFeatures>();
        foreach (var caseFolder in Directory.EnumerateDirectories(images).Order(StringComparer.Ordinal))
        {
            if (chosen is not null && !chosen.Contains(Path.GetFileName(caseFolder))) continue;
            features.Add(SeriesFeatureReader.ReadFolder(caseFolder, specFor));
        }
        return TrainingProfile.Build(features, source);
    }

    /// <summary>The case ids of <c>cases.tsv</c> (columns case, patient, split, …) whose split is one of <paramref name="splits"/>.</summary>
    static HashSet<string> CasesIn(string folder, IReadOnlyCollection<string> splits)
    {
        var tsv = Path.Combine(folder, "cases.tsv");
        if (!File.Exists(tsv)) throw new OodException($"{folder}: no cases.tsv to choose splits by");
        var lines = File.ReadAllLines(tsv);
        if (lines.Length == 0 || !lines[0].StartsWith("case\tpatient\tsplit", StringComparison.Ordinal))
            throw new OodException($"{tsv}: the header is not 'case, patient, split, …'");
        return [.. lines.Skip(1).Select(l => l.Split('\t')).Where(f => f.Length >= 3 && splits.Contains(f[2])).Select(f => f[0])];
    }
}
