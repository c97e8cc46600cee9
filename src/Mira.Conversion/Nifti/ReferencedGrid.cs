using System.Globalization;
using Mira.Dicom;

namespace Mira.Conversion.Nifti;

/// <summary>
/// The slices of a referenced image series matched to a label volume's grid: every label slice k must lie on one
/// instance (same Rows and Columns, Image Orientation within 1e-4, Pixel Spacing and Image Position within
/// <see cref="ToleranceMm"/>); otherwise a <see cref="ConversionException"/> says how the grids differ.
/// </summary>
internal static class ReferencedGrid
{
    public const double ToleranceMm = 0.01;

    /// <summary>For each label slice k, the referenced instance it lies on.</summary>
    public static DicomDataset[] Match(NiftiSource label, IReadOnlyList<DicomDataset> series)
    {
        var name = label.Name;
        if (series.Count == 0) throw new ConversionException($"{name}: no referenced images were given");
        var planes = label.Planes;
        var byPosition = new List<(double[] Position, DicomDataset Instance)>();
        foreach (var ds in series)
        {
            var uid = ds.GetString(DicomTags.SOPInstanceUID) ?? "?";
            var rows = ds.GetInt32(DicomTags.Rows);
            var cols = ds.GetInt32(DicomTags.Columns);
            if (rows != label.Ny || cols != label.Nx)
                throw new ConversionException($"{name}: the label slices are {label.Nx} x {label.Ny} voxels, image {uid} is {cols} x {rows} (Columns x Rows)");
            var ori = ds.GetDoubles(DicomTags.ImageOrientationPatient);
            var spacing = ds.GetDoubles(DicomTags.PixelSpacing);
            var pos = ds.GetDoubles(DicomTags.ImagePositionPatient);
            if (ori.Length != 6 || spacing.Length != 2 || pos.Length != 3)
                throw new ConversionException($"{name}: image {uid} has no Image Orientation/Position (Patient) or Pixel Spacing");
            var mine = planes.Orientation;
            var turn = mine.Zip(ori, (a, b) => Math.Abs(a - b)).Max();
            if (turn > 1e-4)
                throw new ConversionException($"{name}: the label's orientation ({Show(mine)}) differs from image {uid}'s ({Show(ori)}) by up to {turn:0.######}");
            var gap = planes.PixelSpacing.Zip(spacing, (a, b) => Math.Abs(a - b)).Max();
            if (gap * Math.Max(label.Nx, label.Ny) > ToleranceMm)
                throw new ConversionException($"{name}: the label's pixel spacing ({Show(planes.PixelSpacing)}) differs from image {uid}'s ({Show(spacing)})");
            byPosition.Add((pos, ds));
        }
        if (series.Count != label.Nz)
            throw new ConversionException($"{name}: the label has {label.Nz} slices, the referenced series {series.Count} images");
        var matched = new DicomDataset[label.Nz];
        for (var k = 0; k < label.Nz; k++)
        {
            var p = planes.Position(k);
            var (best, distance) = byPosition.Select(x => (x.Instance, D: Distance(x.Position, p))).MinBy(x => x.D);
            if (distance > ToleranceMm)
                throw new ConversionException($"{name}: label slice {k + 1} at ({Show(p)}) mm lies on no referenced image (nearest {distance:0.####} mm away)");
            matched[k] = best;
        }
        return matched;
    }

    static double Distance(double[] a, double[] b) => Math.Sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));

    static string Show(IEnumerable<double> v) => string.Join(", ", v.Select(x => x.ToString("0.####", CultureInfo.InvariantCulture)));
}
