using Mira.Storage.Datasets;

namespace Mira.Platform.Datasets;

/// <summary>What the leakage check found: nothing (<see cref="Passed"/>), or the problems, each naming case ids and pseudonyms only.</summary>
public sealed record LeakageResult(IReadOnlyList<string> Problems, int ReleasesCompared)
{
    public bool Passed => Problems.Count == 0;
}

/// <summary>
/// The leakage check every release passes before it is stored: no patient pseudonym and no pixel-data hash in two
/// splits of the release (a re-sent copy under new UIDs has the same pixel hash); and no patient or pixel hash shared
/// between a held-out release (test, sequestered) and a training release of the same project, whichever is made
/// first. Earlier versions of the same release name are not compared with it (a sequestered set refreshed over time
/// keeps its cases).
/// </summary>
public static class LeakageCheck
{
    public static LeakageResult Run(string name, string kind, IReadOnlyList<ReleaseCase> cases, IReadOnlyList<DatasetMemberFact> others)
    {
        var problems = new List<string>();
        foreach (var g in cases.GroupBy(c => c.Patient, StringComparer.Ordinal))
        {
            var splits = g.Select(c => c.Split).Distinct().ToList();
            if (splits.Count > 1)
                problems.Add($"patient '{g.Key}' is in {splits.Count} splits: " + string.Join(", ", g.Select(c => $"{c.CaseId} ({c.Split})")));
        }
        foreach (var g in cases.GroupBy(c => c.PixelSha256, StringComparer.Ordinal))
        {
            var splits = g.Select(c => c.Split).Distinct().ToList();
            if (splits.Count > 1)
                problems.Add($"one image (pixel data SHA-256 {g.Key[..16]}…) is in {splits.Count} splits: " + string.Join(", ", g.Select(c => $"{c.CaseId} ({c.Split}, patient '{c.Patient}')")));
        }
        var heldOut = ReleaseKinds.IsHeldOut(kind);
        var opposite = others.Where(o => o.ReleaseName != name && (heldOut ? o.Kind == ReleaseKinds.Training : ReleaseKinds.IsHeldOut(o.Kind))).ToList();
        var byPatient = opposite.ToLookup(o => o.Patient, StringComparer.Ordinal);
        var byPixels = opposite.ToLookup(o => o.PixelSha256, StringComparer.Ordinal);
        foreach (var c in cases)
        {
            foreach (var o in byPatient[c.Patient].Take(1))
                problems.Add($"patient '{c.Patient}' ({c.CaseId}) is already in the {o.Kind} release '{o.ReleaseName}' version {o.ReleaseVersion} ({o.CaseId}); a {kind} release may share no patient with it");
            foreach (var o in byPixels[c.PixelSha256].Take(1))
                problems.Add($"the image of {c.CaseId} (patient '{c.Patient}') has the same pixel data as {o.CaseId} of the {o.Kind} release '{o.ReleaseName}' version {o.ReleaseVersion}; a {kind} release may share no image with it");
        }
        return new LeakageResult(problems, opposite.Select(o => o.Release).Distinct().Count());
    }
}
