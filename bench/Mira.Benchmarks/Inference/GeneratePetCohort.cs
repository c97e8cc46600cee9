using System.Globalization;
using Mira.Platform.Demo;

namespace Mira.Benchmarks.Inference;

/// <summary>
/// <c>gen-pet-cohort CASES SEED OUT_DIR</c>: the synthetic PET test set of bench/compare-evaluation.sh, written by
/// <see cref="DemoCohortFolder"/> as <c>mira eval offline</c> reads it: OUT_DIR/images/&lt;case&gt;/NNN.dcm (128 × 128 × 16
/// voxels of 4 mm, Bq/ml), OUT_DIR/labels/&lt;case&gt;.nii.gz (the exact lesion spheres, label 1) and OUT_DIR/cases.tsv.
/// </summary>
public static class GeneratePetCohort
{
    public static int Run(string[] args)
    {
        if (args.Length != 3 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out var cases) || cases < 1
            || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var seed))
        {
            Console.Error.WriteLine("usage: gen-pet-cohort CASES SEED OUT_DIR");
            return 2;
        }
        if (Directory.Exists(args[2]) && Directory.EnumerateFileSystemEntries(args[2]).Any())
        {
            Console.Error.WriteLine($"gen-pet-cohort: {args[2]} is not empty");
            return 2;
        }
        var ids = DemoCohortFolder.Write(DemoCohort.PetLesions(cases, seed), args[2]);
        Console.Error.WriteLine($"gen-pet-cohort: {ids.Count} cases in {args[2]}");
        return 0;
    }
}
