using System.Diagnostics;
using System.Security.Cryptography;
using Mira.Annotations.Reads;
using Mira.Conversion;
using Mira.Conversion.Nifti;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;

namespace Mira.Annotations.Tests.Segmentation;

/// <summary>
/// A small oblique MR series on disk (20 columns × 16 rows × 6 slices, 0.9 × 1.1 mm pixels, 2.5 mm slices, rotated
/// about two axes), made by Mira's NIfTI → DICOM conversion (MR Image Storage, one file per slice) in a temporary
/// folder, with its headers and <see cref="ImageGrid"/>; plus helpers to run peer tools on what the tests write.
/// </summary>
public sealed class MrSeries : IDisposable
{
    public const int Columns = 20, Rows = 16, Slices = 6;

    public MrSeries()
    {
        Folder = Directory.CreateTempSubdirectory("mira-seg-").FullName;
        SeriesFolder = Path.Combine(Folder, "series");
        Directory.CreateDirectory(SeriesFolder);
        var (a, b) = (20 * Math.PI / 180, 10 * Math.PI / 180);
        // Columns of the direction: a rotation about z by a, then about x by b (orthonormal).
        double[] x = [Math.Cos(a), Math.Sin(a), 0];
        double[] y = [-Math.Sin(a) * Math.Cos(b), Math.Cos(a) * Math.Cos(b), Math.Sin(b)];
        double[] z = [Math.Sin(a) * Math.Sin(b), -Math.Cos(a) * Math.Sin(b), Math.Cos(b)];
        var geometry = new VolumeGeometry([-30, 12.5, 40], [0.9, 1.1, 2.5], [x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]]);
        var volume = Volume.Create([Columns, Rows, Slices], VoxelType.Int16, geometry);
        for (var i = 0; i < Columns * Rows * Slices; i++) volume.SetValue(i, (i * 37) % 1000);
        var nifti = Path.Combine(Folder, "image.nii");
        NiftiVolumes.WriteVolume(nifti, volume);
        var request = new ConversionRequest { Subject = ConversionSubject.Placeholder(ConversionUids.HashFile(nifti)), Modality = "MR" };
        var n = 0;
        foreach (var instance in new NiftiConverter().Convert(nifti, request))
        {
            var path = Path.Combine(SeriesFolder, $"{++n:D3}.dcm");
            using var f = File.Create(path);
            Part10Writer.Write(f, instance);
        }
        File.Delete(nifti);
        // Headers in reverse file order: the grid sorts them.
        Headers = Directory.GetFiles(SeriesFolder).OrderDescending()
            .Select(p => DicomFile.Open(p, new DicomReadOptions { StopBeforePixelData = true }).Dataset).ToList();
        Grid = ImageGrid.FromSeries(Headers);
    }

    public string Folder { get; }
    public string SeriesFolder { get; }
    public List<DicomDataset> Headers { get; }
    public ImageGrid Grid { get; }

    /// <summary>A path in the temporary folder.</summary>
    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>A BraTS-like read: NETC a block, SNFH a frame around it, ET a block on other slices; no voxel twice.</summary>
    public LabelMasks Read()
    {
        var masks = Grid.NewMasks();
        bool[] netc = new bool[masks.Length], snfh = new bool[masks.Length], et = new bool[masks.Length];
        for (var k = 0; k < Slices; k++)
            for (var r = 0; r < Rows; r++)
                for (var c = 0; c < Columns; c++)
                {
                    var i = c + Columns * (r + Rows * k);
                    var inCore = k is >= 1 and <= 3 && r is >= 5 and <= 9 && c is >= 6 and <= 11;
                    var inFrame = k is >= 1 and <= 4 && r is >= 3 and <= 11 && c is >= 4 and <= 13;
                    netc[i] = inCore;
                    snfh[i] = inFrame && !inCore;
                    et[i] = k == 5 && r is >= 1 and <= 2 && c >= 15;
                }
        return masks.Set(1, netc).Set(2, snfh).Set(3, et);
    }

    /// <summary>SHA-256 (hex) of a mask as one byte per voxel, slice by slice, row by row (NumPy's C order of [slice, row, column]).</summary>
    public static string Digest(bool[] mask) => Convert.ToHexStringLower(SHA256.HashData(mask.Select(v => v ? (byte)1 : (byte)0).ToArray()));

    /// <summary>Runs /usr/bin/python3 with a script; returns its standard output, fails the test with its error output.</summary>
    public static string Python(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"python failed: {err.Result}");
        return output;
    }

    /// <summary>dciodvfy's "Error" lines for a file.</summary>
    public static List<string> DciodvfyErrors(string path)
    {
        var psi = new ProcessStartInfo("dciodvfy") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(path);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd() + err.Result;
        p.WaitForExit();
        return output.Split('\n').Where(l => l.Contains("Error", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
