using System.CommandLine;
using System.Globalization;
using Mira.Dicom;
using Mira.Metrics;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira metrics seg --ref A --pred B [--label N] [--tolerance MM] [--empty default|brats] [--json]</c>: overlap and
/// surface-distance metrics of a predicted mask against a reference (.mha, .mhd, .nii, .nii.gz of equal size and
/// spacing). Non-zero voxels are foreground, or with <c>--label</c> the voxels equal to N. Prints <c>name TAB value</c>
/// lines, or with <c>--json</c> one JSON object (undefined values null). Definitions: <see cref="SegmentationMetrics"/>.
/// </summary>
public static class MetricsCommand
{
    public static Command Create()
    {
        var cmd = new Command("metrics", "Evaluation metrics");
        cmd.Subcommands.Add(CreateSeg());
        cmd.Subcommands.Add(MetricsClsCommand.Create());
        return cmd;
    }

    static Command CreateSeg()
    {
        var reference = new Option<string>("--ref") { Description = "reference mask (.mha, .mhd, .nii, .nii.gz)", Required = true };
        var prediction = new Option<string>("--pred") { Description = "predicted mask, same size and spacing", Required = true };
        var label = new Option<int?>("--label") { Description = "foreground label (default: every non-zero voxel)" };
        var tolerance = new Option<double>("--tolerance") { Description = "normalised surface distance tolerance in mm", DefaultValueFactory = _ => SegmentationMetrics.DefaultToleranceMm };
        var empty = new Option<string>("--empty") { Description = "empty-mask conventions: default (one empty: distances inf) or brats (HD95 373.13)", DefaultValueFactory = _ => "default" };
        empty.AcceptOnlyFromAmong("default", "brats");
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var cmd = new Command("seg", "Dice, Jaccard, volume difference, Hausdorff, HD95 (pooled and max of directed), ASSD and surface Dice of two binary masks")
        {
            reference, prediction, label, tolerance, empty, json,
        };
        cmd.SetAction(r => RunSeg(r.GetValue(reference)!, r.GetValue(prediction)!, r.GetValue(label), r.GetValue(tolerance),
            r.GetValue(empty) == "brats" ? EmptyMaskConventions.BraTS : EmptyMaskConventions.Default, r.GetValue(json)));
        return cmd;
    }

    static int RunSeg(string reference, string prediction, int? label, double tolerance, EmptyMaskConventions conventions, bool json)
    {
        try
        {
            var r = BinaryMask.Read(reference, label);
            var p = BinaryMask.Read(prediction, label);
            var result = SegmentationMetrics.Compute(r, p, tolerance, conventions);
            Console.Write(json ? SegmentationReport.ToJson(result) + "\n" : SegmentationReport.ToText(result));
            return 0;
        }
        catch (Exception e) when (e is MiraException or IOException or ArgumentException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
