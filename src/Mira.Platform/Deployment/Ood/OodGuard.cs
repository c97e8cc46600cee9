using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Platform.Deployment.Ood;

/// <summary>What a deployment calls for an arriving series: its stored instances read one at a time from the blobs, on the profile's bins, and scored.</summary>
public static class OodGuard
{
    public static async Task<OodResult> ScoreAsync(TrainingProfile profile, IBlobStore blobs, IEnumerable<StoredInstance> instances,
        OodOptions? options = null, CancellationToken ct = default)
    {
        var reader = SeriesFeatureReader.For(profile);
        var n = 0;
        foreach (var instance in instances)
        {
            ct.ThrowIfCancellationRequested();
            reader.Add(await StoredObjects.ReadAsync(blobs, instance, ct), $"instance {++n} ({instance.SopInstanceUid})");
        }
        return OodScorer.Score(profile, reader.Finish(), options);
    }
}
