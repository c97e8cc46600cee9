using System.CommandLine;
using System.Globalization;
using Mira.Dicom;
using Mira.Metrics;
using Mira.Metrics.Lesions;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira metrics seg --ref A --pred B [--label N | --labels N…] [--tolerance MM] [--empty default|brats]
/// [--lesion-wise glioma|meningioma|metastases] [--autopet] [--json]</c>: overlap and surface-distance metrics of a
/// predicted mask against a reference (.mha, .mhd, .nii, .nii.gz of equal size and spacing). Non-zero voxels are
/// foreground, or with <c>--label</c> the voxels equal to N; <c>--labels</c> scores each label on its own. Prints
/// <c>name TAB value</c> lines (with <c>--labels</c>: <c>label TAB N TAB name TAB value</c>), or with <c>--json</c>
/// one JSON object (per label under its number; undefined values null). Definitions: <see cref="SegmentationMetrics"/>,
/// <see cref="LesionWise"/>, <see cref="AutoPet"/>.
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
        var labels = new Option<int[]>("--labels") { Description = "several labels, each scored on its own (e.g. --labels 1 2 4)", AllowMultipleArgumentsPerToken = true };
        var lesionWise = new Option<string?>("--lesion-wise") { Description = "add BraTS 2023 lesion-wise Dice/HD95: glioma (dilation 3, > 50 voxels), meningioma (1, > 50) or metastases (1, > 2)" };
        lesionWise.AcceptOnlyFromAmong("glioma", "meningioma", "metastases");
        var autoPet = new Option<bool>("--autopet") { Description = "add autoPET false-positive and false-negative volumes (mL, 18-connected components)" };
        var tolerance = new Option<double>("--tolerance") { Description = "normalised surface distance tolerance in mm", DefaultValueFactory = _ => SegmentationMetrics.DefaultToleranceMm };
        var empty = new Option<string>("--empty") { Description = "empty-mask conventions: default (one empty: distances inf) or brats (HD95 373.13)", DefaultValueFactory = _ => "default" };
        empty.AcceptOnlyFromAmong("default", "brats");
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var cmd = new Command("seg", "Dice, Jaccard, volume difference, Hausdorff, HD95 (pooled and max of directed), ASSD and surface Dice of two binary masks")
        {
            reference, prediction, label, labels, tolerance, empty, lesionWise, autoPet, json,
        };
        cmd.SetAction(r => RunSeg(r.GetValue(reference)!, r.GetValue(prediction)!, r.GetValue(label), r.GetValue(labels), r.GetValue(tolerance),
            r.GetValue(empty) == "brats" ? EmptyMaskConventions.BraTS : EmptyMaskConventions.Default,
            r.GetValue(lesionWise) switch
            {
                "glioma" => LesionWiseProtocol.Glioma,
                "meningioma" => LesionWiseProtocol.Meningioma,
                "metastases" => LesionWiseProtocol.Metastases,
                _ => null,
            }, r.GetValue(autoPet), r.GetValue(json)));
        return cmd;
    }

    static int RunSeg(string reference, string prediction, int? label, int[]? labels, double tolerance, EmptyMaskConventions conventions,
        LesionWiseProtocol? lesionWise, bool autoPet, bool json)
    {
        try
        {
            if (label is not null && labels is { Length: > 0 }) throw new ArgumentException("give --label or --labels, not both");
            (SegmentationResult, IReadOnlyList<(string, double)>) One(int? l)
            {
                var r = BinaryMask.Read(reference, l);
                var p = BinaryMask.Read(prediction, l);
                var result = SegmentationMetrics.Compute(r, p, tolerance, conventions);
                var extra = SegmentationReport.Fields(lesionWise is null ? null : LesionWise.Compute(r, p, lesionWise), autoPet ? AutoPet.Compute(r, p) : null);
                return (result, extra);
            }
            if (labels is { Length: > 0 })
            {
                var all = labels.Distinct().Select(l => { var (res, ex) = One(l); return (l, res, ex); }).ToArray();
                if (json) Console.Write(SegmentationReport.ToJson(all) + "\n");
                else
                    foreach (var (l, res, ex) in all)
                        Console.Write(string.Join("", SegmentationReport.ToText(res, ex).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => $"label\t{l}\t{line}\n")));
                return 0;
            }
            var (single, extra) = One(label);
            Console.Write(json ? SegmentationReport.ToJson(single, extra: extra) + "\n" : SegmentationReport.ToText(single, extra));
            return 0;
        }
        catch (Exception e) when (e is MiraException or IOException or ArgumentException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
