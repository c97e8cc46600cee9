using System.CommandLine;
using System.Globalization;
using Mira.Conversion;
using Mira.Conversion.Photos;
using Mira.Dicom;
using Mira.Imaging;
using Mira.Imaging.Formats;
using Mira.Imaging.MetaImage;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;

namespace Mira.Cli.Commands;

/// <summary>
/// <c>mira convert DICOM_DIR --to OUT.nii.gz|.nii|.mha|.mhd</c>: reads the folder (recursively), builds a volume per
/// stack (series × frame of reference × orientation × matrix) and writes it. With one volume OUT is used as given;
/// with several, each goes to <c>STEM_s&lt;SeriesNumber&gt;EXT</c> (plus <c>_&lt;n&gt;</c> when one series gives several
/// stacks or numbers clash). An input file in another volume format (NIfTI, MetaImage: told by its content through
/// <see cref="VolumeFormats"/>, whatever its name) is converted as one volume. The output format is the one OUT's
/// name asks for. One line per written file on stdout; warnings and refusals on stderr (exit 1 when nothing could be
/// built). <c>mira convert PHOTO.dcm --to OUT.png</c> writes a single-frame DICOM photograph (or other grey or colour
/// image) as a PNG (<see cref="PhotoExport"/>); <c>mira convert LEVEL.dcm --to OUT.tif</c> writes a level of a whole-slide
/// image as a tiled TIFF (<see cref="Mira.Conversion.Slides.SlideExport"/>).
/// </summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "DICOM folder (read recursively) or file, or a NIfTI or MetaImage volume" };
        var to = new Option<string>("--to") { Description = "output file: .nii, .nii.gz, .mha or .mhd; .png for a single-frame DICOM image; .tif for a whole-slide level", Required = true };
        var tilt = new Option<bool>("--allow-tilt") { Description = "keep gantry-tilted stacks as a sheared affine (NIfTI only) instead of refusing them" };
        var uneven = new Option<bool>("--allow-uneven") { Description = "build stacks with non-uniform slice gaps using the mean gap instead of refusing them" };
        var nifti2 = new Option<bool>("--nifti2") { Description = "write NIfTI-2 instead of NIfTI-1" };
        var cmd = new Command("convert", "Convert DICOM series to NIfTI or MetaImage volumes") { input, to, tilt, uneven, nifti2 };
        cmd.SetAction(r => Run(r.GetValue(input)!, r.GetValue(to)!, r.GetValue(tilt), r.GetValue(uneven), r.GetValue(nifti2)));
        return cmd;
    }

    static (string Stem, string Ext) Split(string path)
    {
        foreach (var ext in new[] { ".nii.gz", ".nii", ".mha", ".mhd" })
            if (path.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return (path[..^ext.Length], path[^ext.Length..]);
        throw new ImagingException($"{path}: the output must end in .nii, .nii.gz, .mha or .mhd (or .png or .tif, from one DICOM file)");
    }

    /// <summary>Writes in the format the output name asks for (.mha/.mhd MetaImage, else NIfTI).</summary>
    static void Write(string path, Volume volume, bool nifti2)
    {
        if (MetaImageFile.IsMetaImagePath(path)) MetaImageFile.Write(path, volume);
        else NiftiVolumes.WriteVolume(path, volume, nifti2 ? 2 : 1);
    }

    static int Run(string input, string output, bool allowTilt, bool allowUneven, bool nifti2)
    {
        if (output.EndsWith(".png", StringComparison.OrdinalIgnoreCase) && File.Exists(input)) return ToPng(input, output);
        if ((output.EndsWith(".tif", StringComparison.OrdinalIgnoreCase) || output.EndsWith(".tiff", StringComparison.OrdinalIgnoreCase)) && File.Exists(input))
            return ToTiff(input, output);
        try
        {
            var (stem, ext) = Split(output);
            if (File.Exists(input) && VolumeFormats.Default.Detect(input) is { } format && format is not DicomVolumeFormat)
            {
                var volume = format.Read(input, VolumeReadOptions.Default);
                Write(output, volume, nifti2);
                Console.WriteLine($"{output}\t{string.Join('x', volume.Size)} {volume.Type}\t{format.Name} {input}\t{volume.Geometry}");
                return 0;
            }
            var skipped = new List<string>();
            var volumes = DicomVolumeBuilder.FromPath(input, new VolumeBuildOptions { AllowShear = allowTilt, AllowNonUniformSpacing = allowUneven }, skipped);
            if (skipped.Count > 0) Console.Error.WriteLine($"skipped {skipped.Count} file(s): {string.Join("; ", skipped.Take(3))}{(skipped.Count > 3 ? "; …" : "")}");
            var used = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < volumes.Count; i++)
            {
                var v = volumes[i];
                string path;
                if (volumes.Count == 1) path = output;
                else
                {
                    var baseName = $"{stem}_s{(v.SeriesNumber?.ToString(CultureInfo.InvariantCulture) ?? (i + 1).ToString(CultureInfo.InvariantCulture))}";
                    path = baseName + ext;
                    for (var n = 2; !used.Add(path); n++) path = $"{baseName}_{n}{ext}";
                }
                foreach (var w in v.Warnings) Console.Error.WriteLine("warning: " + w);
                Write(path, v.Volume, nifti2);
                var fourth = v.FourthDimension.Length > 0 ? $", 4th dimension by {v.FourthDimension}" : "";
                Console.WriteLine($"{path}\t{string.Join('x', v.Volume.Size)} {v.Volume.Type}\t{v.SliceCount} slice(s) of series {v.SeriesNumber?.ToString(CultureInfo.InvariantCulture) ?? "?"} \"{v.SeriesDescription}\" ({v.SeriesInstanceUid}){fourth}\t{v.Volume.Geometry}");
            }
            return 0;
        }
        catch (MiraException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    /// <summary>One level of a converted slide (VL Whole Slide Microscopy) to a tiled TIFF, written beside and moved into place.</summary>
    static int ToTiff(string input, string output)
    {
        var partial = output + ".partial";
        try
        {
            Mira.Conversion.Slides.SlideExport.WriteLevel(input, partial);
            File.Move(partial, output, overwrite: true);
            Console.WriteLine($"{output}	tiled TIFF	from the slide level {input}");
            return 0;
        }
        catch (Exception e) when (e is ConversionException or IOException or UnauthorizedAccessException or Mira.Dicom.MiraException)
        {
            File.Delete(partial);
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    /// <summary>One DICOM image to a PNG, written beside and moved into place so that a failure leaves no partial file.</summary>
    static int ToPng(string input, string output)
    {
        var partial = output + ".partial";
        try
        {
            PngExportResult result;
            using (var stream = File.Create(partial)) result = PhotoExport.ToPng(input, stream);
            File.Move(partial, output, overwrite: true);
            Console.WriteLine($"{output}\t{result.Width}x{result.Height} {(result.Samples == 1 ? "grey" : "RGB")} {result.BitDepth}-bit PNG\tfrom {result.SourcePhotometric} {input}");
            return 0;
        }
        catch (Exception e) when (e is ConversionException or IOException or UnauthorizedAccessException)
        {
            File.Delete(partial);
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
