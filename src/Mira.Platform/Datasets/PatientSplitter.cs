using System.Security.Cryptography;
using System.Text;

namespace Mira.Platform.Datasets;

/// <summary>
/// Splits cases by patient: every case of a patient goes to one split. Patients are grouped into strata by the values of
/// the stratify fields (of the patient's first case), ordered in each stratum by SHA-256(seed, pseudonym) — so the split
/// is determined by the seed and the pseudonyms alone, whatever order the cases came in — and each stratum is divided by
/// the fractions: ⌊fraction·n⌋ patients each, the rest one by one to the split furthest below its share of all patients
/// split so far (ties: train, tune, test), so small strata still add up to the fractions overall.
/// </summary>
public static class PatientSplitter
{
    /// <summary>The split of each patient pseudonym.</summary>
    public static IReadOnlyDictionary<string, string> Split(IReadOnlyList<(string Patient, IReadOnlyDictionary<string, string> Fields)> cases, SplitSettings settings)
    {
        var first = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (p, f) in cases) first.TryAdd(p, f);
        var strata = first
            .GroupBy(kv => string.Join("\u001f", settings.Stratify.Select(s => kv.Value.TryGetValue(s, out var v) ? v : CaseFields.Unknown)), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var assigned = Splits.All.ToDictionary(s => s, _ => 0);
        var total = 0;
        foreach (var stratum in strata)
        {
            var patients = stratum.Select(kv => kv.Key).OrderBy(p => Rank(settings.Seed, p), StringComparer.Ordinal).ThenBy(p => p, StringComparer.Ordinal).ToList();
            var n = patients.Count;
            var counts = Splits.All.ToDictionary(s => s, s => (int)Math.Floor(settings.FractionOf(s) * n + 1e-9));
            for (var rest = n - counts.Values.Sum(); rest > 0; rest--)
            {
                var target = Splits.All.Where(s => settings.FractionOf(s) > 0)
                    .OrderByDescending(s => settings.FractionOf(s) * (total + n) - (assigned[s] + counts[s])).First();
                counts[target]++;
            }
            var i = 0;
            foreach (var split in Splits.All)
                for (var k = 0; k < counts[split]; k++) result[patients[i++]] = split;
            foreach (var s in Splits.All) assigned[s] += counts[s];
            total += n;
        }
        return result;
    }

    static string Rank(int seed, string patient) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\u001f{patient}")));
}
