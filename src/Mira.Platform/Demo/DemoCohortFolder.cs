using System.Globalization;
using System.Text;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;

namespace Mira.Platform.Demo;

/// <summary>
/// Writes a <see cref="DemoCohort"/> as a test set folder (the layout of a dataset release and of
/// <c>mira eval offline</c>, docs/evaluation.md): <c>images/&lt;case&gt;/NNN.dcm</c>, <c>labels/&lt;case&gt;.nii.gz</c> (the exact
/// lesion mask, label 1, in the series' own grid as the volume builder makes it) and <c>cases.tsv</c> (case, patient,
/// site, device, age band, sex). Case ids are <c>case-0001</c>… in cohort order.
/// </summary>
public static class DemoCohortFolder
{
    public static IReadOnlyList<string> Write(IReadOnlyList<DemoCohortCase> cohort, string folder)
    {
        var images = Directory.CreateDirectory(Path.Combine(folder, "images")).FullName;
        var labels = Directory.CreateDirectory(Path.Combine(folder, "labels")).FullName;
        var table = new StringBuilder("case\tpatient\tsite\tdevice\tage_band\tsex\n");
        var ids = new List<string>(cohort.Count);
        for (var n = 0; n < cohort.Count; n++)
        {
            var c = cohort[n];
            var id = $"case-{n + 1:D4}";
            ids.Add(id);
            var caseFolder = Directory.CreateDirectory(Path.Combine(images, id)).FullName;
            for (var k = 0; k < c.Instances.Count; k++) File.WriteAllBytes(Path.Combine(caseFolder, $"{k + 1:D3}.dcm"), c.Instances[k].Bytes);
            NiftiVolumes.WriteVolume(Path.Combine(labels, id + ".nii.gz"), ReferenceMask(c, DicomVolumeBuilder.FromPath(caseFolder).Single().Volume));
            table.Append(CultureInfo.InvariantCulture, $"{id}\t{c.PatientId}\t{c.Site}\t{c.Device}\t{AgeBand(c.Age)}\t{c.Sex}\n");
        }
        File.WriteAllText(Path.Combine(folder, "cases.tsv"), table.ToString());
        return ids;
    }

    /// <summary>The lesion mask (1 inside a sphere, at voxel centres) in <paramref name="image"/>'s grid, as uint8.</summary>
    public static Volume ReferenceMask(DemoCohortCase c, Volume image)
    {
        var mask = Volume.Create([image.Nx, image.Ny, image.Nz], VoxelType.UInt8, image.Geometry);
        for (var k = 0; k < image.Nz; k++)
            for (var j = 0; j < image.Ny; j++)
                for (var i = 0; i < image.Nx; i++)
                {
                    var p = image.Geometry.PatientPosition(i, j, k);
                    if (c.InLesion(p[0], p[1], p[2])) mask.Data[((long)k * image.Ny + j) * image.Nx + i] = 1;
                }
        return mask;
    }

    /// <summary>Decades (e.g. 058Y → 50-59).</summary>
    static string AgeBand(string age)
    {
        var years = int.Parse(age.AsSpan(0, 3), CultureInfo.InvariantCulture);
        return $"{years / 10 * 10}-{years / 10 * 10 + 9}";
    }
}
