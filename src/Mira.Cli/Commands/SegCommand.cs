using System.CommandLine;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Segmentation;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;
using Mira.Imaging;
using Mira.Imaging.Segmentation;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira seg from-nifti --image SERIES_DIR --labels L.nii.gz --protocol ID --out seg.dcm [--type binary|labelmap]
/// [--author NAME]</c>: a NIfTI label map drawn on a DICOM series (its affine must be the series', as <c>mira convert</c>
/// writes it; its values protocol label values) as a DICOM Segmentation of the protocol's labels
/// (<see cref="SegmentationWriter"/>). <c>mira seg to-nifti SEG --out DIR [--image SERIES_DIR] [--protocol ID]</c>: a
/// Segmentation back to NIfTI: DIR/labels.nii.gz, or DIR/&lt;label&gt;.nii.gz per segment when segments overlap. With
/// --image the masks lie on the series' grid (<see cref="SegmentationToMasks"/>, --protocol required: segments are
/// matched to its labels by their codes); without, on the grid of the Segmentation's own frames, valued by protocol
/// label (with --protocol) or segment number. The protocol is a built-in id or a protocol JSON file. Exit 1 with the
/// reason on stderr when anything is refused; nothing is left half-written.
/// </summary>
public static class SegCommand
{
    public static Command Create()
    {
        var cmd = new Command("seg", "DICOM Segmentations of annotation reads: from and to NIfTI label maps");
        cmd.Subcommands.Add(FromNifti());
        cmd.Subcommands.Add(ToNifti());
        return cmd;
    }

    static Command FromNifti()
    {
        var image = new Option<string>("--image") { Description = "folder of the DICOM series the labels are drawn on", Required = true };
        var labels = new Option<string>("--labels") { Description = "NIfTI label map (.nii or .nii.gz) on the series' grid", Required = true };
        var protocol = new Option<string>("--protocol") { Description = "annotation protocol: a built-in id (e.g. glioma-brats) or a protocol JSON file", Required = true };
        var output = new Option<string>("--out") { Description = "the Segmentation to write (.dcm)", Required = true };
        var type = new Option<string>("--type") { Description = "binary (Segmentation Storage) or labelmap (Label Map Segmentation Storage)", DefaultValueFactory = _ => "binary" };
        type.AcceptOnlyFromAmong("binary", "labelmap");
        var author = new Option<string?>("--author") { Description = "Content Creator Name, a DICOM person name (Family^Given)" };
        var cmd = new Command("from-nifti", "Write a NIfTI label map drawn on a DICOM series as a DICOM Segmentation of a protocol's labels")
        {
            image, labels, protocol, output, type, author,
        };
        cmd.SetAction(r => Guarded(() =>
        {
            var p = LoadProtocol(r.GetValue(protocol)!);
            var grid = LoadGrid(r.GetValue(image)!);
            var masks = LabelMapNifti.Read(r.GetValue(labels)!, grid, p);
            var seg = SegmentationWriter.Write(new SegmentationRequest
            {
                Grid = grid,
                Protocol = p,
                Masks = masks,
                Type = r.GetValue(type) == "labelmap" ? SegmentationType.LabelMap : SegmentationType.Binary,
                SeriesInstanceUid = DicomUid.Generate(),
                SopInstanceUid = DicomUid.Generate(),
                Author = r.GetValue(author),
                ContentDescription = "from NIfTI " + Path.GetFileName(r.GetValue(labels)!),
            });
            var path = r.GetValue(output)!;
            WriteAtomically(path, s => Conversion.Part10Writer.Write(s, seg));
            Console.WriteLine($"{path}\t{seg.Description}\tprotocol {p.Id}, series {grid.SeriesInstanceUid}");
        }));
        return cmd;
    }

    static Command ToNifti()
    {
        var seg = new Argument<string>("seg") { Description = "the DICOM Segmentation file" };
        var output = new Option<string>("--out") { Description = "folder to write labels.nii.gz (or one <label>.nii.gz per segment when they overlap)", Required = true };
        var image = new Option<string?>("--image") { Description = "folder of the referenced DICOM series: write on its grid (needs --protocol)" };
        var protocol = new Option<string?>("--protocol") { Description = "annotation protocol (built-in id or JSON file): values are its label values, segments matched by code" };
        var cmd = new Command("to-nifti", "Write a DICOM Segmentation as NIfTI label maps") { seg, output, image, protocol };
        cmd.SetAction(r => Guarded(() =>
        {
            var segPath = r.GetValue(seg)!;
            var outDir = r.GetValue(output)!;
            var p = r.GetValue(protocol) is { } id ? LoadProtocol(id) : null;
            var written = r.GetValue(image) is { } folder
                ? OnSeries(segPath, LoadGrid(folder), p ?? throw new AnnotationException("--image needs --protocol: the segments become the protocol's labels by their codes"), outDir)
                : OnOwnFrames(segPath, p, outDir);
            foreach (var line in written) Console.WriteLine(line);
        }));
        return cmd;
    }

    static List<string> OnSeries(string segPath, ImageGrid grid, Protocol protocol, string outDir)
    {
        var bytes = ReadLimited(segPath);
        var masks = SegmentationToMasks.Read(bytes, grid, protocol);
        Directory.CreateDirectory(outDir);
        var lines = new List<string>();
        if (!masks.Overlap())
        {
            var path = Path.Combine(outDir, "labels.nii.gz");
            WriteAtomically(path, s => LabelMapNifti.Write(masks, grid, s, gzip: true));
            lines.Add($"{path}\tlabels {string.Join(", ", masks.Labels.Select(v => $"{v} {protocol.LabelByValue(v)!.Name}"))}");
            return lines;
        }
        foreach (var value in masks.Labels)
        {
            var name = protocol.LabelByValue(value)!.Name;
            var path = Path.Combine(outDir, FileName(name) + ".nii.gz");
            WriteAtomically(path, s => LabelMapNifti.WriteMask(masks[value], grid, s, gzip: true, name));
            lines.Add($"{path}\t{name} ({masks.Count(value)} voxels)");
        }
        return lines;
    }

    /// <summary>The Segmentation on the grid of its own frames (<see cref="DicomSegReader"/>), valued by protocol label or segment number.</summary>
    static List<string> OnOwnFrames(string segPath, Protocol? protocol, string outDir)
    {
        DicomSegmentation read;
        try { read = DicomSegReader.Read(segPath); }
        catch (ImagingException e) { throw new AnnotationException(e.Message); }
        if (protocol is not null)
        {
            var file = DicomFile.Open(segPath, new DicomReadOptions { StopBeforePixelData = true });
            var problems = SegmentationConformance.Check(file.Dataset, protocol, null);
            if (problems.Count > 0) throw new AnnotationException($"{segPath}: {string.Join("; ", problems)}");
        }
        var masks = new LabelMasks(read.Columns, read.Rows, read.SliceCount);
        var names = new Dictionary<int, string>();
        foreach (var segment in read.Segments)
        {
            if (read.Kind == SegmentationKind.LabelMap && segment.Number == 0) continue;
            var label = protocol is null ? null : SegmentationConformance.LabelOf(segment.Category, segment.PropertyType, protocol);
            var value = label?.Value ?? segment.Number;
            names[value] = label?.Name ?? segment.Label ?? $"segment {segment.Number}";
            var data = read.Mask(segment.Number).Data;
            var mask = new bool[masks.Length];
            for (var i = 0; i < mask.Length; i++) mask[i] = data[i] != 0;
            masks.Set(value, mask);
        }
        Directory.CreateDirectory(outDir);
        var lines = new List<string>();
        if (!masks.Overlap())
        {
            var path = Path.Combine(outDir, "labels.nii.gz");
            WriteAtomically(path, s => LabelMapNifti.Write(masks, read.Geometry, s, gzip: true));
            lines.Add($"{path}\tlabels {string.Join(", ", masks.Labels.Select(v => $"{v} {names[v]}"))} on the Segmentation's own {read.Columns}x{read.Rows}x{read.SliceCount} grid");
            return lines;
        }
        foreach (var value in masks.Labels)
        {
            var path = Path.Combine(outDir, FileName(names[value]) + ".nii.gz");
            WriteAtomically(path, s => LabelMapNifti.WriteMask(masks[value], [read.Columns, read.Rows, read.SliceCount], read.Geometry, s, gzip: true, names[value]));
            lines.Add($"{path}\t{names[value]} ({masks.Count(value)} voxels)");
        }
        return lines;
    }

    /// <summary>A built-in protocol by id, else a protocol JSON file.</summary>
    static Protocol LoadProtocol(string idOrPath)
    {
        if (BuiltInProtocols.Find(idOrPath) is { } builtIn) return builtIn;
        if (!File.Exists(idOrPath))
            throw new AnnotationException($"protocol '{idOrPath}' is neither a built-in protocol ({string.Join(", ", BuiltInProtocols.Ids)}) nor a file");
        if (new FileInfo(idOrPath).Length > ProtocolReader.MaxBytes) throw new AnnotationException($"{idOrPath}: a protocol file of over {ProtocolReader.MaxBytes} bytes");
        try { return ProtocolReader.Read(File.ReadAllText(idOrPath)); }
        catch (ProtocolException e) { throw new AnnotationException($"{idOrPath}: {e.Message}"); }
    }

    /// <summary>The headers of the one image series in a folder (read recursively; Segmentations and non-DICOM files left aside).</summary>
    static ImageGrid LoadGrid(string folder)
    {
        if (!Directory.Exists(folder)) throw new AnnotationException($"{folder}: no such folder");
        var headers = new List<DicomDataset>();
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            DicomDataset ds;
            try { ds = DicomFile.Open(path, new DicomReadOptions { StopBeforePixelData = true }).Dataset; }
            catch (Exception e) when (e is MiraException or IOException or InvalidDataException or EndOfStreamException) { continue; }
            if (DicomSegReader.IsSegmentationSopClass(ds.GetString(DicomTags.SOPClassUID))) continue;
            headers.Add(ds);
        }
        if (headers.Count == 0) throw new AnnotationException($"{folder}: no DICOM images");
        var series = headers.GroupBy(h => h.GetString(DicomTags.SeriesInstanceUID) ?? "(none)").ToList();
        if (series.Count > 1)
            throw new AnnotationException($"{folder} holds {series.Count} series ({string.Join(", ", series.Select(g => $"{g.Key}: {g.Count()} image(s)"))}); point --image at the one the labels are drawn on");
        return ImageGrid.FromSeries(headers);
    }

    static byte[] ReadLimited(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > SegmentationToMasks.MaxBytes) throw new AnnotationException($"{path}: {length} bytes, over the limit of {SegmentationToMasks.MaxBytes}");
        return File.ReadAllBytes(path);
    }

    /// <summary>A label name as a file name: letters, digits, '-', '_' and '.' kept, anything else '_'.</summary>
    static string FileName(string name)
    {
        var s = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray()).Trim('.');
        return s.Length == 0 ? "label" : s;
    }

    /// <summary>Writes beside the target and moves into place, so that a refusal leaves nothing behind.</summary>
    static void WriteAtomically(string path, Action<Stream> write)
    {
        var partial = path + ".partial";
        try
        {
            using (var s = File.Create(partial)) write(s);
            File.Move(partial, path, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    static int Guarded(Action run)
    {
        try
        {
            run();
            return 0;
        }
        catch (Exception e) when (e is AnnotationException or MiraException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
