using System.Globalization;
using Mira.Dicom;
using Mira.Imaging.Volumes;

namespace Mira.Annotations.Reads;

/// <summary>One slice of an <see cref="ImageGrid"/>: the instance it is, the frame (1-based) of a multi-frame instance or 0, and its Image Position (Patient) (null for a photograph).</summary>
public sealed record GridSlice(DicomDataset Instance, int Frame, double[]? Position)
{
    public string SopInstanceUid => Instance.GetString(DicomTags.SOPInstanceUID) ?? "";
    public string SopClassUid => Instance.GetString(DicomTags.SOPClassUID) ?? "";
}

/// <summary>
/// The referenced image series a read is drawn on, from instance headers (no pixel data needed): single-frame slices
/// sorted along the slice normal (row cosines × column cosines, PS3.3 §C.7.6.2.1.1), the frames of one multi-frame
/// instance placed by their Plane Position (Patient) (§C.7.6.16.2.3), or one 2D image without patient geometry (a
/// photograph: one slice). Slice k of the masks is <see cref="Slices"/>[k]. Refused with an
/// <see cref="AnnotationException"/>: instances of several series, different matrices, orientations or pixel spacings,
/// two slices at one position.
/// </summary>
public sealed class ImageGrid
{
    /// <summary>Largest orientation cosine difference still one orientation.</summary>
    public const double OrientationTolerance = 1e-4;

    /// <summary>Largest distance (mm) between two positions still one position (and largest gap error of an even stack).</summary>
    public const double PositionToleranceMm = 0.01;

    ImageGrid(IReadOnlyList<GridSlice> slices, int columns, int rows, double[] pixelSpacing, double[]? orientation, double? thickness)
    {
        Slices = slices;
        Columns = columns;
        Rows = rows;
        RowSpacing = pixelSpacing[0];
        ColumnSpacing = pixelSpacing[1];
        Orientation = orientation;
        var first = slices[0].Instance;
        StudyInstanceUid = first.GetString(DicomTags.StudyInstanceUID) ?? throw new AnnotationException("the referenced images have no Study Instance UID");
        SeriesInstanceUid = first.GetString(DicomTags.SeriesInstanceUID) ?? throw new AnnotationException("the referenced images have no Series Instance UID");
        FrameOfReferenceUid = first.GetString(DicomTags.FrameOfReferenceUID);
        if (orientation is null) { SliceSpacing = thickness ?? 1; return; }
        var normal = Normal(orientation);
        var d = slices.Select(s => Dot(s.Position!, normal)).ToArray();
        if (slices.Count == 1) SliceSpacing = thickness ?? 1;
        else
        {
            SliceSpacing = (d[^1] - d[0]) / (slices.Count - 1);
            var gaps = Enumerable.Range(1, d.Length - 1).Select(i => d[i] - d[i - 1]).ToArray();
            UniformSpacing = gaps.All(g => Math.Abs(g - SliceSpacing) <= PositionToleranceMm);
            var origin = slices[0].Position!;
            OnNormal = slices.Select((s, i) => Enumerable.Range(0, 3).Select(a => s.Position![a] - origin[a] - (d[i] - d[0]) * normal[a]).Sum(x => x * x)).All(sq => Math.Sqrt(sq) <= PositionToleranceMm);
        }
    }

    public int Columns { get; }
    public int Rows { get; }
    public int SliceCount => Slices.Count;

    /// <summary>The slices, sorted along the normal; slice k of the masks is the k-th.</summary>
    public IReadOnlyList<GridSlice> Slices { get; }

    /// <summary>The instances of the slices (slice k = instance k; one instance k times over for a multi-frame image).</summary>
    public IReadOnlyList<DicomDataset> Instances => Slices.Select(s => s.Instance).ToList();

    /// <summary>Distance between the centres of adjacent columns (Pixel Spacing's second value), mm; 1 when the image has none.</summary>
    public double ColumnSpacing { get; }

    /// <summary>Distance between the centres of adjacent rows (Pixel Spacing's first value), mm; 1 when the image has none.</summary>
    public double RowSpacing { get; }

    /// <summary>Mean step between slices along the normal (mm); Slice Thickness or 1 for one slice.</summary>
    public double SliceSpacing { get; }

    /// <summary>Image Orientation (Patient): row cosines then column cosines; null for an image without patient geometry.</summary>
    public double[]? Orientation { get; }

    /// <summary>Image Position (Patient) of each slice; empty for an image without patient geometry.</summary>
    public IReadOnlyList<double[]> Positions => Orientation is null ? [] : Slices.Select(s => s.Position!).ToList();

    public bool HasPatientGeometry => Orientation is not null;

    /// <summary>Whether every gap between slices equals the mean gap (within <see cref="PositionToleranceMm"/>).</summary>
    public bool UniformSpacing { get; } = true;

    /// <summary>Whether the positions lie on the line along the normal through the first (no gantry tilt).</summary>
    public bool OnNormal { get; } = true;

    public string StudyInstanceUid { get; }
    public string SeriesInstanceUid { get; }

    /// <summary>Frame of Reference UID; null for an image without one (a photograph).</summary>
    public string? FrameOfReferenceUid { get; }

    public int SliceLength => Columns * Rows;

    /// <summary>Empty masks of this grid's size.</summary>
    public LabelMasks NewMasks() => new(Columns, Rows, SliceCount);

    /// <summary>
    /// The voxel → patient (LPS) geometry, built as <see cref="DicomVolumeBuilder"/> builds the series' volume (origin the
    /// first slice's position, axes the row and column cosines and the normal, the mean slice step) so that a NIfTI of
    /// the masks lies where <c>mira convert</c>'s NIfTI of the images lies. Refused for an image without patient
    /// geometry, uneven slices or a tilted stack, which one affine cannot place.
    /// </summary>
    public VolumeGeometry Geometry
    {
        get
        {
            if (Orientation is not { } o) throw new AnnotationException($"series {SeriesInstanceUid}: the images have no patient geometry (Image Orientation/Position (Patient)), so no voxel-to-patient affine");
            if (!UniformSpacing) throw new AnnotationException($"series {SeriesInstanceUid}: the slices are unevenly spaced, so one affine cannot place them");
            if (!OnNormal) throw new AnnotationException($"series {SeriesInstanceUid}: the slice positions drift off the slice normal (gantry tilt), so one orthogonal affine cannot place them");
            var n = Normal(o);
            return new VolumeGeometry(Slices[0].Position!, [ColumnSpacing, RowSpacing, SliceSpacing], [o[0], o[3], n[0], o[1], o[4], n[1], o[2], o[5], n[2]]);
        }
    }

    /// <summary>The slice of an instance (and frame, 1-based, for a multi-frame instance), or -1.</summary>
    public int SliceOf(string sopInstanceUid, int frame = 0)
    {
        bySource ??= Slices.Select((s, k) => (s, k)).ToDictionary(x => (x.s.SopInstanceUid, x.s.Frame), x => x.k);
        if (bySource.TryGetValue((sopInstanceUid, frame), out var slice)) return slice;
        // Frame 1 of a single-frame image is the image: Referenced Frame Number is only required for multi-frame images
        // (PS3.3 §10.3, Image SOP Instance Reference Macro), and OHIF's SEGs give 1 for every single-frame source image.
        if (frame == 1 && bySource.TryGetValue((sopInstanceUid, 0), out slice)) return slice;
        // A reference without a frame number to a multi-frame image of one frame.
        return frame == 0 && Slices.Count == 1 && Slices[0].SopInstanceUid == sopInstanceUid ? 0 : -1;
    }

    Dictionary<(string, int), int>? bySource;

    /// <summary>The slice at a patient position (within <paramref name="toleranceMm"/>), or -1.</summary>
    public int SliceAt(double[] position, double toleranceMm = PositionToleranceMm)
    {
        for (var k = 0; k < Slices.Count; k++)
            if (Slices[k].Position is { } p && Distance(p, position) <= toleranceMm) return k;
        return -1;
    }

    /// <summary>Builds the grid (see the class summary).</summary>
    public static ImageGrid FromSeries(IEnumerable<DicomDataset> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var list = instances.ToList();
        if (list.Count == 0) throw new AnnotationException("no referenced images were given");
        var first = list[0];
        var series = first.GetString(DicomTags.SeriesInstanceUID);
        foreach (var ds in list)
        {
            if (ds.GetString(DicomTags.SeriesInstanceUID) != series)
                throw new AnnotationException($"the referenced images are not one series: {Uid(first)} is in series {series ?? "(none)"}, {Uid(ds)} in {ds.GetString(DicomTags.SeriesInstanceUID) ?? "(none)"}");
            if (ds.GetString(DicomTags.FrameOfReferenceUID) != first.GetString(DicomTags.FrameOfReferenceUID))
                throw new AnnotationException($"the referenced images are not one grid: {Uid(ds)} has another Frame of Reference UID than {Uid(first)}");
        }
        var duplicate = list.GroupBy(Uid).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new AnnotationException($"image {duplicate.Key} was given {duplicate.Count()} times");
        var columns = first.GetInt32(DicomTags.Columns) ?? throw new AnnotationException($"image {Uid(first)} has no Columns");
        var rows = first.GetInt32(DicomTags.Rows) ?? throw new AnnotationException($"image {Uid(first)} has no Rows");
        var frames = first.GetInt32(DicomTags.NumberOfFrames) ?? 1;
        if (list.Count == 1 && frames > 1) return MultiFrame(first, columns, rows, frames);

        var slices = new List<GridSlice>();
        double[]? orientation = null, spacing = null;
        foreach (var ds in list)
        {
            var uid = Uid(ds);
            if ((ds.GetInt32(DicomTags.NumberOfFrames) ?? 1) > 1)
                throw new AnnotationException($"image {uid} has {ds.GetInt32(DicomTags.NumberOfFrames)} frames: a multi-frame image is a grid on its own, not one slice of a series");
            if (ds.GetInt32(DicomTags.Columns) != columns || ds.GetInt32(DicomTags.Rows) != rows)
                throw new AnnotationException($"the referenced images are not one grid: {Uid(first)} is {columns} x {rows} (Columns x Rows), {uid} is {ds.GetInt32(DicomTags.Columns)} x {ds.GetInt32(DicomTags.Rows)}");
            var ps = ds.GetDoubles(DicomTags.PixelSpacing);
            var ori = ds.GetDoubles(DicomTags.ImageOrientationPatient);
            var pos = ds.GetDoubles(DicomTags.ImagePositionPatient);
            if (ori.Length != 6 || pos.Length != 3)
            {
                if (list.Count > 1) throw new AnnotationException($"image {uid} has no Image Orientation/Position (Patient): only one image without patient geometry (a photograph) makes a grid");
                return new ImageGrid([new GridSlice(ds, 0, null)], columns, rows, ps.Length == 2 ? ps : [1, 1], null, null);
            }
            if (ps.Length != 2) throw new AnnotationException($"image {uid} has Image Orientation (Patient) but no Pixel Spacing");
            orientation ??= ori;
            spacing ??= ps;
            var turn = orientation.Zip(ori, (a, b) => Math.Abs(a - b)).Max();
            if (turn > OrientationTolerance)
                throw new AnnotationException($"the referenced images are not one grid: image {uid}'s orientation ({Show(ori)}) differs from {Uid(first)}'s ({Show(orientation)})");
            if (spacing.Zip(ps, (a, b) => Math.Abs(a - b)).Max() * Math.Max(columns, rows) > PositionToleranceMm)
                throw new AnnotationException($"the referenced images are not one grid: image {uid}'s pixel spacing ({Show(ps)}) differs from {Uid(first)}'s ({Show(spacing)})");
            slices.Add(new GridSlice(ds, 0, pos));
        }
        return Sorted(slices, columns, rows, spacing!, orientation!, first.GetDouble(DicomTags.SliceThickness));
    }

    /// <summary>The frames of one multi-frame image (Plane Position and Orientation per frame or shared, §C.7.6.16).</summary>
    static ImageGrid MultiFrame(DicomDataset ds, int columns, int rows, int frames)
    {
        var uid = Uid(ds);
        var perFrame = ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence);
        ds.TryGetFirstItem(DicomTags.SharedFunctionalGroupsSequence, out var shared);
        if (perFrame is null || perFrame.Items.Count != frames)
            throw new AnnotationException($"multi-frame image {uid}: {frames} frames but {perFrame?.Items.Count ?? 0} Per-frame Functional Groups items");
        DicomDataset? Group(DicomDataset item, DicomTag tag) => item.TryGetFirstItem(tag, out var g) ? g : shared is not null && shared.TryGetFirstItem(tag, out var s) ? s : null;
        var slices = new List<GridSlice>();
        double[]? orientation = null, spacing = null;
        double? thickness = null;
        for (var f = 0; f < frames; f++)
        {
            var item = perFrame.Items[f];
            var pos = Group(item, DicomTags.PlanePositionSequence)?.GetDoubles(DicomTags.ImagePositionPatient) ?? [];
            var ori = Group(item, DicomTags.PlaneOrientationSequence)?.GetDoubles(DicomTags.ImageOrientationPatient) ?? [];
            var measures = Group(item, DicomTags.PixelMeasuresSequence);
            var ps = measures?.GetDoubles(DicomTags.PixelSpacing) ?? [];
            if (pos.Length != 3 || ori.Length != 6 || ps.Length != 2)
                throw new AnnotationException($"multi-frame image {uid}, frame {f + 1}: no Plane Position, Plane Orientation or Pixel Measures");
            orientation ??= ori;
            spacing ??= ps;
            thickness ??= measures?.GetDouble(DicomTags.SliceThickness);
            if (orientation.Zip(ori, (a, b) => Math.Abs(a - b)).Max() > OrientationTolerance)
                throw new AnnotationException($"multi-frame image {uid}: frame {f + 1}'s orientation ({Show(ori)}) differs from frame 1's ({Show(orientation)})");
            slices.Add(new GridSlice(ds, f + 1, pos));
        }
        return Sorted(slices, columns, rows, spacing!, orientation!, thickness);
    }

    static ImageGrid Sorted(List<GridSlice> slices, int columns, int rows, double[] spacing, double[] orientation, double? thickness)
    {
        var normal = Normal(orientation);
        var sorted = slices.OrderBy(s => Dot(s.Position!, normal)).ToList();
        for (var k = 1; k < sorted.Count; k++)
            if (Math.Abs(Dot(sorted[k].Position!, normal) - Dot(sorted[k - 1].Position!, normal)) <= PositionToleranceMm / 2)
                throw new AnnotationException($"two slices lie at one position ({Show(sorted[k].Position!)}): {Name(sorted[k - 1])} and {Name(sorted[k])}; a read is drawn on one 3D grid, not on several echoes or time points");
        return new ImageGrid(sorted, columns, rows, spacing, orientation, thickness is > 0 ? thickness : null);
    }

    static string Name(GridSlice s) => s.Frame > 0 ? $"{s.SopInstanceUid} frame {s.Frame}" : s.SopInstanceUid;

    static string Uid(DicomDataset ds) => ds.GetString(DicomTags.SOPInstanceUID) ?? "(no SOP Instance UID)";

    internal static double[] Normal(double[] o) =>
        [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];

    internal static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    internal static double Distance(double[] a, double[] b) => Math.Sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));

    internal static string Show(IEnumerable<double> v) => string.Join(", ", v.Select(x => x.ToString("0.####", CultureInfo.InvariantCulture)));
}
