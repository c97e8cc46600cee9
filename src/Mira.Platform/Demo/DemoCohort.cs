using System.Globalization;

namespace Mira.Platform.Demo;

/// <summary>A hot spherical lesion of a cohort case: centre and radius in mm (patient coordinates), uptake in Bq/ml.</summary>
public sealed record DemoLesion(double X, double Y, double Z, double Radius, double Uptake);

/// <summary>
/// One fictitious cohort patient: identifiers, site (Institution Name), device (Manufacturer's Model Name), sex, age,
/// weight and injected dose, the PET series' instances, and the lesions, whose union is the exact reference mask.
/// </summary>
public sealed record DemoCohortCase(string Key, string PatientName, string PatientId, string Site, string Device, string Sex, string Age,
    double WeightKg, double DoseBq, string StudyInstanceUid, string SeriesInstanceUid, IReadOnlyList<DemoInstance> Instances, IReadOnlyList<DemoLesion> Lesions)
{
    /// <summary>True when the patient point (mm) lies in a lesion: the reference standard of this synthetic case.</summary>
    public bool InLesion(double x, double y, double z)
    {
        foreach (var l in Lesions)
        {
            double dx = x - l.X, dy = y - l.Y, dz = z - l.Z;
            if (dx * dx + dy * dy + dz * dz <= l.Radius * l.Radius) return true;
        }
        return false;
    }
}

/// <summary>
/// A synthetic FDG PET cohort for evaluation (tests, benchmarks, demonstrations of a phase): fictitious patients spread
/// over two sites and two scanner models, both sexes and a range of ages, weights and doses, each with one PET series
/// (the demo PET's geometry: 128×128×16 voxels of 4 mm, Bq/ml) holding one to three hot spheres of varied size and uptake
/// over body, lung, liver and myocardium backgrounds. The reference mask is known exactly (the spheres), so a metric of a
/// model's output can be checked against it. Deterministic for a seed.
/// </summary>
public static class DemoCohort
{
    public const string Prefix = "cohort";

    public static IReadOnlyList<DemoCohortCase> PetLesions(int patients, int seed = 1)
    {
        var list = new List<DemoCohortCase>(patients);
        var rng = new DemoRandom((uint)(7919 * seed + 17));
        for (var n = 0; n < patients; n++)
        {
            var key = $"{Prefix}{seed}-pt-{n + 1:D3}";
            var site = n % 2 == 0 ? "Mira Cohort Site A" : "Mira Cohort Site B";
            var device = n % 3 == 0 ? "Synthetic PET model X" : "Synthetic PET model Y";
            var sex = n % 2 == (n / 2) % 2 ? "F" : "M";
            var ageYears = 35 + (int)(rng.NextDouble() * 45);
            var weight = Math.Round(50 + rng.NextDouble() * 50, 1);
            var dose = Math.Round(250e6 + rng.NextDouble() * 150e6, -6);
            var lesions = new List<DemoLesion>();
            var count = 1 + (int)(rng.NextDouble() * 3);
            for (var l = 0; l < count; l++)
                lesions.Add(new DemoLesion(
                    X: -70 + rng.NextDouble() * 140, Y: -45 + rng.NextDouble() * 70, Z: -18 + rng.NextDouble() * 36,
                    Radius: 5 + rng.NextDouble() * 9, Uptake: 14000 + rng.NextDouble() * 46000));
            var myocardium = 8000 + rng.NextDouble() * 14000;
            var patient = new DemoPatient($"COHORT^{seed}^{n + 1:D3}", $"COH{seed}-{n + 1:D4}", $"{2024 - ageYears}0615", sex, $"{ageYears:D3}Y",
                (1.55 + rng.NextDouble() * 0.35).ToString("0.00", CultureInfo.InvariantCulture), weight.ToString("0.#", CultureInfo.InvariantCulture));
            IReadOnlyList<Ellipsoid> phantom =
            [
                new(0, 0, 0, 150, 105, 400, 4000),
                new(-60, 0, 0, 45, 60, 100, 1200),
                new(60, 0, 0, 45, 60, 100, 1200),
                new(-55, 40, 0, 40, 30, 60, 6000),          // liver
                new(15, -20, 10, 30, 25, 25, myocardium),
                new(15, -20, 10, 18, 14, 14, 9000),
                .. lesions.Select(l => new Ellipsoid(l.X, l.Y, l.Z, l.Radius, l.Radius, l.Radius, l.Uptake)),
            ];
            var series = new DemoSeries(
                key, 100 * seed + n, patient, DemoStudies.PetImageStorage, "PT", "20240318", "093000", "103000", $"C{n + 1}", $"COHACC{seed}{n + 1:D4}",
                "Cohort PET FDG (synthetic phantom)", "PET AC static", "CHEST", ["ORIGINAL", "PRIMARY"],
                DemoStudies.PetSlices, 4, 4, 4, -30, 16, false, new DemoWindow("15000", "30000"), new DemoRescale("0", "2", null),
                0, phantom, 300, bq => (int)Math.Clamp(Math.Round(bq / DemoPhantoms.PetSlope), 0, 65535),
                DemoPhantoms.PetAttributes(dose.ToString("0", CultureInfo.InvariantCulture)))
            { Institution = site, DeviceModel = device };
            list.Add(new DemoCohortCase(key, patient.Name, patient.Id, site, device, sex, patient.Age, weight, dose,
                DemoStudies.StudyUid(key), DemoStudies.Uid("series/" + key), DemoStudies.Instances(series), lesions));
        }
        return list;
    }
}
