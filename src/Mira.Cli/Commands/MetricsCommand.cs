using System.CommandLine;
using System.Globalization;
using Mira.Dicom;
using Mira.Imaging;
using Mira.Imaging.Formats;
using Mira.Imaging.Segmentation;
using Mira.Imaging.Volumes;
using Mira.Metrics;
using Mira.Metrics.Lesions;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira metrics seg --ref A --pred B [--label N | --labels N…] [--tolerance MM] [--empty default|brats]
/// [--lesion-wise glioma|meningioma|metastases] [--autopet] [--json]</c>: overlap and surface-distance metrics of a
/// predicted mask against a reference (NIfTI, MetaImage or DICOM volumes of equal size and spacing, recognised by
/// content whatever their names, or DICOM Segmentation objects). Non-zero voxels are foreground, or with <c>--label</c> the voxels equal to N; <c>--labels</c> scores each
/// label on its own. A DICOM SEG input (any file whose SOP Class UID is a Segmentation's) is read by
/// <see cref="DicomSegReader"/>: <c>--label</c>/<c>--labels</c> pick segment numbers, without them every segment
/// counts (and two SEGs are compared segment by segment). When a SEG is involved the two grids are put on their
/// union by <see cref="GridAlignment"/> (same spacing and direction, whole-voxel offsets) and refused otherwise. Prints
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
        var reference = new Option<string>("--ref") { Description = "reference mask (NIfTI, MetaImage or a DICOM SEG, recognised by content)", Required = true };
        var prediction = new Option<string>("--pred") { Description = "predicted mask, same size and spacing (a DICOM SEG: same spacing and orientation, shifted by whole voxels at most)", Required = true };
        var label = new Option<int?>("--label") { Description = "foreground label or SEG segment number (default: every non-zero voxel, every segment)" };
        var labels = new Option<int[]>("--labels") { Description = "several labels or SEG segment numbers, each scored on its own (e.g. --labels 1 2 4)", AllowMultipleArgumentsPerToken = true };
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
            var refSeg = ReadSegIfDicom(reference);
            var predSeg = ReadSegIfDicom(prediction);
            var refVolume = refSeg is null && predSeg is not null ? ReadVolume(reference) : null;
            var predVolume = predSeg is null && refSeg is not null ? ReadVolume(prediction) : null;
            // Two SEGs without a label choice: segment by segment, over the reference's segments.
            if (refSeg is not null && predSeg is not null && label is null && labels is not { Length: > 0 })
            {
                labels = refSeg.Segments.Select(s => s.Number).Where(n => n != 0 || refSeg.Kind != SegmentationKind.LabelMap).ToArray();
                var lacking = labels.Where(n => predSeg.Find(n) is null).ToArray();
                if (lacking.Length > 0)
                    throw new ArgumentException($"{prediction} has no segment {string.Join(", ", lacking)} of {reference} (segments are matched by Segment Number (0062,0004)); choose the segments to compare with --labels");
            }
            (BinaryMask R, BinaryMask P) Masks(int? l)
            {
                if (refSeg is null && predSeg is null) return ReadBoth(reference, prediction, l);
                // A SEG gives a 0/1 mask of the chosen segment(s); a label volume keeps its values and is thresholded after alignment.
                var a = refSeg is not null ? SegMask(refSeg, l) : refVolume!;
                var b = predSeg is not null ? SegMask(predSeg, l) : predVolume!;
                var (ra, pb) = GridAlignment.ToUnionGrid(a, b, reference, prediction);
                return (BinaryMask.FromVolume(ra, refSeg is null ? l : null), BinaryMask.FromVolume(pb, predSeg is null ? l : null));
            }
            (SegmentationResult, IReadOnlyList<(string, double)>) One(int? l)
            {
                var (r, p) = Masks(l);
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

    /// <summary>
    /// The Segmentation in <paramref name="path"/>, or null when its content is another volume format (NIfTI,
    /// MetaImage…) or it does not parse as DICOM. A DICOM file of another SOP Class is refused.
    /// </summary>
    static DicomSegmentation? ReadSegIfDicom(string path)
    {
        if (!File.Exists(path) || VolumeFormats.Default.Detect(path) is { } format && format is not DicomVolumeFormat) return null;
        var sop = DicomSegReader.ProbeSopClass(path);
        if (sop is null) return null;
        if (!DicomSegReader.IsSegmentationSopClass(sop))
            throw new ImagingException($"{path}: a DICOM mask must be a Segmentation (SOP Class UID {DicomSegReader.SegmentationStorage} or {DicomSegReader.LabelMapSegmentationStorage}), not {sop}");
        var seg = DicomSegReader.Read(path);
        foreach (var w in seg.Warnings) Console.Error.WriteLine($"{path}: {w}");
        return seg;
    }

    static Volume SegMask(DicomSegmentation seg, int? segment) => segment is { } n ? seg.Mask(n) : seg.Union();

    /// <summary>A label volume in any format recognised by content (<see cref="VolumeFormats"/>), stored values unscaled.</summary>
    /// <summary>
    /// The two masks read side by side (a .nii.gz mask spends most of its read inflating, one core each); the first
    /// error is thrown as itself, as a sequential read would.
    /// </summary>
    static (BinaryMask R, BinaryMask P) ReadBoth(string reference, string prediction, int? label)
    {
        var prediction2 = Task.Run(() => BinaryMask.Read(prediction, label));
        BinaryMask r;
        try
        {
            r = BinaryMask.Read(reference, label);
        }
        catch
        {
            // The reference's error is the one reported; the other read's, if any, is observed and dropped.
            prediction2.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            throw;
        }
        return (r, prediction2.GetAwaiter().GetResult());
    }

    static Volume ReadVolume(string path) => VolumeFormats.Default.Read(path, new VolumeReadOptions { ApplyScaling = false });
}
