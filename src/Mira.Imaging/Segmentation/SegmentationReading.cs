using System.Buffers.Binary;
using System.Globalization;
using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Imaging.Volumes;

namespace Mira.Imaging.Segmentation;

/// <summary>
/// One reading of a Segmentation data set by <see cref="DicomSegReader"/>, step by step: kind, segments, fractional
/// values, frame size, per-frame geometry, slice grid, pixels (the rules each step enforces are in
/// <see cref="DicomSegReader"/>'s summary). Every refusal is an <see cref="ImagingException"/> naming the source.
/// </summary>
internal sealed class SegmentationReading(DicomDataset ds, TransferSyntax syntax, string source, DicomSegReadOptions options)
{
    const double OrientationTolerance = 1e-4;

    readonly List<string> warnings = [];

    ImagingException Fail(string message) => new($"{source}: {message}");

    /// <summary>The frame geometry read from the functional groups: one entry per frame, and what every frame shares.</summary>
    sealed record FrameGrid(FrameInfo[] Frames, double[] Orientation, double[] PixelSpacing, double? SpacingBetween, double? Thickness);

    /// <summary>Row and column directions of Image Orientation (Patient) and their unit cross product, the slice normal.</summary>
    sealed record Axes(double[] Row, double[] Column, double[] Normal);

    /// <summary>The slice grid along the normal: distinct frame positions, the step between slices and the slice count.</summary>
    sealed record SliceGrid(List<(double D, int Frame)> Distinct, double Step, int Slices);

    public DicomSegmentation Run()
    {
        var kind = ReadKind();
        var perFrame = ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence);
        var shared = DatasetValues.Item(ds, DicomTags.SharedFunctionalGroupsSequence);
        RefuseSlideMicroscopy(perFrame, shared);
        var segments = ReadSegments();
        var known = segments.Select(s => s.Number).ToHashSet();
        var (maxFractional, fractionalType) = ReadFractionalValues(kind);
        if (!(options.FractionalThreshold is > 0 and <= 1)) throw new ArgumentException($"fractional threshold {options.FractionalThreshold} is not in (0, 1]");
        var (rows, cols, frameCount) = ReadFrameSize();
        if (perFrame is null) throw Fail("no Per-frame Functional Groups Sequence (5200,9230)");
        if (perFrame.Items.Count != frameCount)
            throw Fail($"the Per-frame Functional Groups Sequence (5200,9230) has {perFrame.Items.Count} item(s) for Number of Frames (0028,0008) {frameCount}");
        var grid = ReadFrameGrid(perFrame, shared, kind, known, frameCount);
        var axes = AxesOf(grid.Orientation);
        PlaceOnNormal(grid.Frames, axes.Normal);
        var slices = PlaceSlices(grid);
        var geometry = GeometryOf(grid, axes, slices);
        var frames = ReadFrames(kind, known, rows, cols, frameCount, maxFractional, grid.Frames);
        return new DicomSegmentation(source, kind, fractionalType, maxFractional, options.FractionalThreshold, segments, cols, rows, slices.Slices, geometry, frames,
            DatasetValues.String(ds, DicomTags.FrameOfReferenceUID), DatasetValues.String(ds, DicomTags.SOPInstanceUID), warnings);
    }

    /// <summary>SOP Class UID (0008,0016) and Segmentation Type (0062,0001).</summary>
    SegmentationKind ReadKind()
    {
        var sop = DatasetValues.String(ds, DicomTags.SOPClassUID);
        if (!DicomSegReader.IsSegmentationSopClass(sop))
            throw Fail($"not a Segmentation: SOP Class UID (0008,0016) is {sop ?? "absent"}, not {DicomSegReader.SegmentationStorage} or {DicomSegReader.LabelMapSegmentationStorage}");
        var typeText = DatasetValues.String(ds, DicomTags.SegmentationType)?.ToUpperInvariant() ?? throw Fail("no Segmentation Type (0062,0001)");
        return typeText switch
        {
            "BINARY" => SegmentationKind.Binary,
            "FRACTIONAL" => SegmentationKind.Fractional,
            "LABELMAP" => SegmentationKind.LabelMap,
            _ => throw Fail($"Segmentation Type (0062,0001) {typeText} is not BINARY, FRACTIONAL or LABELMAP"),
        };
    }

    /// <summary>Slide-microscopy Segmentations place tiles in a Total Pixel Matrix, not slices in the patient.</summary>
    void RefuseSlideMicroscopy(DicomSequence? perFrame, DicomDataset? shared)
    {
        if (ds.Contains(DicomTags.TotalPixelMatrixRows) || ds.Contains(DicomTags.ImageOrientationSlide)
            || DatasetValues.Item(shared, DicomTags.PlanePositionSlideSequence) is not null
            || (perFrame is { Items.Count: > 0 } && DatasetValues.Item(perFrame.Items[0], DicomTags.PlanePositionSlideSequence) is not null))
            throw Fail("a slide-microscopy Segmentation: its frames are tiles of a Total Pixel Matrix placed by the Plane Position (Slide) Sequence (0048,021A), not slices in patient coordinates; only Segmentations of patient-frame images (CT, MR, PET…) are read");
    }

    /// <summary>The Segment Sequence (0062,0002), §C.8.20.2 (Segment Description Macro): numbers unique, 0 to 65535.</summary>
    List<SegmentDescription> ReadSegments()
    {
        var segmentSequence = ds.GetSequence(DicomTags.SegmentSequence);
        if (segmentSequence is not { Items.Count: > 0 }) throw Fail("no Segment Sequence (0062,0002), or it is empty");
        var segments = new List<SegmentDescription>();
        for (var i = 0; i < segmentSequence.Items.Count; i++)
        {
            var item = segmentSequence.Items[i];
            var number = DatasetValues.Int(item, DicomTags.SegmentNumber) ?? throw Fail($"Segment Sequence (0062,0002) item {i + 1}: no Segment Number (0062,0004)");
            if (number < 0 || number > ushort.MaxValue) throw Fail($"Segment Sequence (0062,0002) item {i + 1}: Segment Number (0062,0004) {number} is out of range");
            if (segments.Any(s => s.Number == number)) throw Fail($"Segment Sequence (0062,0002) item {i + 1}: Segment Number (0062,0004) {number} appears twice");
            segments.Add(new SegmentDescription(number, DatasetValues.String(item, DicomTags.SegmentLabel), DatasetValues.String(item, DicomTags.SegmentAlgorithmType),
                DatasetValues.String(item, DicomTags.SegmentAlgorithmName), Code(DatasetValues.Item(item, DicomTags.SegmentedPropertyCategoryCodeSequence)),
                Code(DatasetValues.Item(item, DicomTags.SegmentedPropertyTypeCodeSequence))));
        }
        return segments;
    }

    /// <summary>FRACTIONAL only: Maximum Fractional Value (0062,000E), positive, and Segmentation Fractional Type (0062,0010).</summary>
    (int? Max, string? Type) ReadFractionalValues(SegmentationKind kind)
    {
        if (kind != SegmentationKind.Fractional) return (null, null);
        var max = DatasetValues.Int(ds, DicomTags.MaximumFractionalValue) ?? throw Fail("FRACTIONAL without Maximum Fractional Value (0062,000E)");
        if (max < 1) throw Fail($"Maximum Fractional Value (0062,000E) {max} is not positive");
        return (max, DatasetValues.String(ds, DicomTags.SegmentationFractionalType));
    }

    /// <summary>Rows (0028,0010), Columns (0028,0011) and Number of Frames (0028,0008), 1 when absent.</summary>
    (int Rows, int Columns, int Frames) ReadFrameSize()
    {
        var rows = DatasetValues.Int(ds, DicomTags.Rows) ?? throw Fail("no Rows (0028,0010)");
        var cols = DatasetValues.Int(ds, DicomTags.Columns) ?? throw Fail("no Columns (0028,0011)");
        if (rows < 1 || cols < 1) throw Fail($"frames of {cols}×{rows} pixels");
        return (rows, cols, DatasetValues.Int(ds, DicomTags.NumberOfFrames) ?? 1);
    }

    /// <summary>
    /// Per-frame geometry (§C.7.6.16.2.1 Pixel Measures, .2.3 Plane Position, .2.4 Plane Orientation) and, except for a
    /// label map, each frame's Referenced Segment Number (§C.8.20.3.1 Segment Identification); per-frame or shared.
    /// Orientation and pixel spacing must be the same for every frame.
    /// </summary>
    FrameGrid ReadFrameGrid(DicomSequence perFrame, DicomDataset? shared, SegmentationKind kind, HashSet<int> known, int frameCount)
    {
        var infos = new FrameInfo[frameCount];
        double[]? orientation = null, pixelSpacing = null;
        double? spacingBetween = null, thickness = null;
        for (var f = 0; f < frameCount; f++)
        {
            var n = f + 1;
            var item = perFrame.Items[f];
            DicomDataset? Group(DicomTag tag) => DatasetValues.Item(item, tag) ?? DatasetValues.Item(shared, tag);
            var segment = -1;
            if (kind != SegmentationKind.LabelMap)
            {
                var id = Group(DicomTags.SegmentIdentificationSequence) ?? throw Fail($"frame {n}: no Segment Identification Sequence (0062,000A)");
                segment = DatasetValues.Int(id, DicomTags.ReferencedSegmentNumber) ?? throw Fail($"frame {n}: no Referenced Segment Number (0062,000B)");
                if (!known.Contains(segment)) throw Fail($"frame {n}: Referenced Segment Number (0062,000B) {segment} is not in the Segment Sequence (0062,0002)");
            }
            var plane = Group(DicomTags.PlanePositionSequence) ?? throw Fail($"frame {n}: no Plane Position Sequence (0020,9113)");
            var pos = DatasetValues.Doubles(plane, DicomTags.ImagePositionPatient);
            if (pos is not { Length: 3 } || pos.Any(v => !double.IsFinite(v))) throw Fail($"frame {n}: the Plane Position Sequence (0020,9113) has no valid Image Position (Patient) (0020,0032)");
            var orient = Group(DicomTags.PlaneOrientationSequence) ?? throw Fail($"frame {n}: no Plane Orientation Sequence (0020,9116)");
            var ori = DatasetValues.Doubles(orient, DicomTags.ImageOrientationPatient);
            if (ori is not { Length: 6 } || ori.Any(v => !double.IsFinite(v))) throw Fail($"frame {n}: the Plane Orientation Sequence (0020,9116) has no valid Image Orientation (Patient) (0020,0037)");
            var measures = Group(DicomTags.PixelMeasuresSequence) ?? throw Fail($"frame {n}: no Pixel Measures Sequence (0028,9110)");
            var spacing = DatasetValues.Doubles(measures, DicomTags.PixelSpacing);
            if (spacing is not { Length: 2 } || !(spacing[0] > 0) || !(spacing[1] > 0) || spacing.Any(v => !double.IsFinite(v)))
                throw Fail($"frame {n}: the Pixel Measures Sequence (0028,9110) has no valid Pixel Spacing (0028,0030)");
            if (orientation is null)
            {
                orientation = ori;
                pixelSpacing = spacing;
                spacingBetween = DatasetValues.Double(measures, DicomTags.SpacingBetweenSlices) ?? DatasetValues.Double(ds, DicomTags.SpacingBetweenSlices);
                thickness = DatasetValues.Double(measures, DicomTags.SliceThickness);
            }
            else
            {
                for (var a = 0; a < 6; a++)
                    if (Math.Abs(ori[a] - orientation[a]) > OrientationTolerance)
                        throw Fail($"frame {n}: Image Orientation (Patient) (0020,0037) {Fmt(ori)} differs from frame 1's {Fmt(orientation)}");
                for (var a = 0; a < 2; a++)
                    if (Math.Abs(spacing[a] - pixelSpacing![a]) > 1e-6 * Math.Max(1, pixelSpacing[a]))
                        throw Fail($"frame {n}: Pixel Spacing (0028,0030) {Fmt(spacing)} differs from frame 1's {Fmt(pixelSpacing)}");
            }
            infos[f] = new FrameInfo(n, segment, pos);
        }
        if (orientation is null || pixelSpacing is null) throw Fail("no frames");
        return new FrameGrid(infos, orientation, pixelSpacing, spacingBetween, thickness);
    }

    /// <summary>Axes: row direction, column direction (two orthogonal unit vectors, PS3.3 §C.7.6.2.1.1), their cross product.</summary>
    Axes AxesOf(double[] orientation)
    {
        var r = orientation[..3];
        var c = orientation[3..];
        var normal = new[] { r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0] };
        if (Math.Abs(Dot(r, r) - 1) > 1e-3 || Math.Abs(Dot(c, c) - 1) > 1e-3 || Math.Abs(Dot(r, c)) > 1e-3)
            throw Fail($"Image Orientation (Patient) (0020,0037) {Fmt(orientation)} is not two orthogonal unit vectors");
        var nn = Math.Sqrt(Dot(normal, normal));
        for (var a = 0; a < 3; a++) normal[a] /= nn;
        return new Axes(r, c, normal);
    }

    /// <summary>Every frame on the line through frame 1 along the normal: no in-plane shifts (tiles, crops) or tilt. Sets each frame's distance along the normal.</summary>
    void PlaceOnNormal(FrameInfo[] infos, double[] normal)
    {
        var tol = options.PositionTolerance;
        var first = infos[0];
        var d1 = Dot(first.Position, normal);
        foreach (var fi in infos)
        {
            fi.Distance = Dot(fi.Position, normal);
            double sq = 0;
            for (var a = 0; a < 3; a++) { var off = fi.Position[a] - first.Position[a] - (fi.Distance - d1) * normal[a]; sq += off * off; }
            if (Math.Sqrt(sq) > tol)
                throw Fail($"frame {fi.Number}: Image Position (Patient) (0020,0032) {Fmt(fi.Position)} lies {Math.Sqrt(sq):0.###} mm in-plane from frame 1's {Fmt(first.Position)}; frames shifted in-plane (tiles, crops) or a tilted stack are not read");
        }
    }

    /// <summary>
    /// Distinct positions along the normal and the slice step: Spacing Between Slices (0018,0088) when the positions
    /// agree with it, else the smallest gap; every position a whole number of steps from the first. Sets each frame's slice.
    /// </summary>
    SliceGrid PlaceSlices(FrameGrid grid)
    {
        var tol = options.PositionTolerance;
        var infos = grid.Frames;
        var spacingBetween = grid.SpacingBetween;
        var distinct = new List<(double D, int Frame)>();
        foreach (var fi in infos.OrderBy(x => x.Distance))
            if (distinct.Count == 0 || fi.Distance - distinct[^1].D > tol / 2) distinct.Add((fi.Distance, fi.Number));
        double step;
        int[] index;
        if (distinct.Count == 1)
        {
            step = spacingBetween is > 0 ? spacingBetween.Value : grid.Thickness is > 0 ? grid.Thickness.Value : 1;
            index = [0];
        }
        else
        {
            var minGap = Enumerable.Range(1, distinct.Count - 1).Min(i => distinct[i].D - distinct[i - 1].D);
            int[]? Try(double s) => s > 0 && Indices(distinct, s, tol) is { } ix ? ix : null;
            var bySpacing = spacingBetween is > 0 && spacingBetween.Value <= minGap + tol ? Try(spacingBetween.Value) : null;
            index = bySpacing ?? Try(minGap) ?? throw Fail(UnevenMessage(distinct, minGap, tol));
            if (bySpacing is null && spacingBetween is > 0)
                warnings.Add($"Spacing Between Slices (0018,0088) {spacingBetween.Value.ToString("0.####", CultureInfo.InvariantCulture)} mm does not fit the frame positions; the positions' spacing is used");
            // The step from the whole extent, which averages out the rounding of the positions.
            step = (distinct[^1].D - distinct[0].D) / index[^1];
            for (var i = 0; i < distinct.Count; i++)
                if (Math.Abs(distinct[i].D - distinct[0].D - index[i] * step) > tol) throw Fail(UnevenMessage(distinct, step, tol));
        }
        var slices = index[^1] + 1;
        if (slices > options.MaxSlices)
            throw Fail($"the frames span {slices} slices of {step.ToString("0.####", CultureInfo.InvariantCulture)} mm (frames {distinct[0].Frame} to {distinct[^1].Frame}), more than {options.MaxSlices}");
        foreach (var fi in infos)
        {
            var i = distinct.FindLastIndex(x => x.D <= fi.Distance + tol / 2);
            fi.Slice = index[i];
        }
        return new SliceGrid(distinct, step, slices);
    }

    /// <summary>Origin: frame 1's position moved along the normal to the first slice; spacing column, row, step.</summary>
    static VolumeGeometry GeometryOf(FrameGrid grid, Axes axes, SliceGrid slices)
    {
        var first = grid.Frames[0];
        var (r, c, normal) = (axes.Row, axes.Column, axes.Normal);
        var d1 = Dot(first.Position, normal);
        var origin = new double[3];
        for (var a = 0; a < 3; a++) origin[a] = first.Position[a] + (slices.Distinct[0].D - d1) * normal[a];
        return new VolumeGeometry(origin, [grid.PixelSpacing[1], grid.PixelSpacing[0], slices.Step],
            [r[0], c[0], normal[0], r[1], c[1], normal[1], r[2], c[2], normal[2]]);
    }

    /// <summary>
    /// Decodes every frame and packs its foreground: a set bit (BINARY), a value at or above the threshold (FRACTIONAL),
    /// or one mask per segment number present (LABELMAP). Two frames of one segment on one slice are refused.
    /// </summary>
    List<SegmentationFrame> ReadFrames(SegmentationKind kind, HashSet<int> known, int rows, int cols, int frameCount, int? maxFractional, FrameInfo[] infos)
    {
        PixelData pixels;
        try { pixels = PixelData.Create(ds, syntax); }
        catch (MiraException e) { throw Fail($"Pixel Data (7FE0,0010): {e.Message}"); }
        if (pixels.FrameCount != frameCount) throw Fail($"Pixel Data holds {pixels.FrameCount} frame(s) for Number of Frames (0028,0008) {frameCount}");
        var planeSize = rows * cols;
        var frames = new List<SegmentationFrame>();
        var taken = new Dictionary<(int Segment, int Slice), int>();
        var threshold = kind == SegmentationKind.Fractional ? options.FractionalThreshold * maxFractional!.Value : 0;
        foreach (var fi in infos)
        {
            byte[] bytes;
            PixelFormat format;
            try { bytes = pixels.DecodeFrame(fi.Number - 1, out format); }
            catch (MiraException e) { throw Fail($"frame {fi.Number}: {e.Message}"); }
            if (format.SamplesPerPixel != 1) throw Fail($"Samples per Pixel (0028,0002) is {format.SamplesPerPixel}, a Segmentation has 1");
            if (format.Rows != rows || format.Columns != cols) throw Fail($"frame {fi.Number} decodes to {format.Columns}×{format.Rows}, not {cols}×{rows}");
            var values = Values(bytes, format, planeSize, fi.Number, Fail);
            if (kind == SegmentationKind.LabelMap)
            {
                if (taken.TryGetValue((-1, fi.Slice), out var other))
                    throw Fail($"frames {other} and {fi.Number} both lie on slice {fi.Slice} at {Fmt(fi.Position)}; a label map has one frame per position");
                taken[(-1, fi.Slice)] = fi.Number;
                foreach (var s in values.Distinct().Order())
                {
                    if (s == 0 && !known.Contains(0)) continue; // 0 is background unless the Segment Sequence describes it
                    if (!known.Contains(s)) throw Fail($"frame {fi.Number}: pixel value {s} is not a Segment Number (0062,0004) of the Segment Sequence (0062,0002)");
                    frames.Add(Pack(fi, s, values, v => v == s, planeSize));
                }
            }
            else
            {
                if (taken.TryGetValue((fi.Segment, fi.Slice), out var other))
                    throw Fail($"frames {other} and {fi.Number} both hold segment {fi.Segment} at {Fmt(fi.Position)}");
                taken[(fi.Segment, fi.Slice)] = fi.Number;
                frames.Add(kind == SegmentationKind.Binary
                    ? Pack(fi, fi.Segment, values, v => v != 0, planeSize)
                    : Pack(fi, fi.Segment, values, v => v >= threshold, planeSize));
            }
        }
        return frames;
    }

    static CodedConcept? Code(DicomDataset? item) =>
        item is null ? null : new CodedConcept(DatasetValues.String(item, DicomTags.CodeValue) ?? DatasetValues.String(item, DicomTags.LongCodeValue) ?? DatasetValues.String(item, DicomTags.URNCodeValue) ?? "",
            DatasetValues.String(item, DicomTags.CodingSchemeDesignator) ?? "", DatasetValues.String(item, DicomTags.CodeMeaning) ?? "");

    static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    /// <summary>Slice index of each distinct position for step <paramref name="s"/>, or null when a position is not a whole number of steps from the first.</summary>
    static int[]? Indices(List<(double D, int Frame)> distinct, double s, double tol)
    {
        var ix = new int[distinct.Count];
        for (var i = 0; i < distinct.Count; i++)
        {
            var t = (distinct[i].D - distinct[0].D) / s;
            if (t > int.MaxValue / 2) return null;
            ix[i] = (int)Math.Round(t);
            if (Math.Abs(distinct[i].D - distinct[0].D - ix[i] * s) > tol || (i > 0 && ix[i] == ix[i - 1])) return null;
        }
        return ix;
    }

    static string UnevenMessage(List<(double D, int Frame)> distinct, double step, double tol)
    {
        var bad = new List<string>();
        for (var i = 1; i < distinct.Count; i++)
        {
            var gap = distinct[i].D - distinct[i - 1].D;
            var k = Math.Round(gap / step);
            if (k < 1 || Math.Abs(gap - k * step) > tol)
                bad.Add(string.Create(CultureInfo.InvariantCulture, $"{gap:0.####} mm between frame {distinct[i - 1].Frame} and frame {distinct[i].Frame}"));
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"uneven slice positions: gaps along the slice normal are not whole multiples of {step:0.####} mm (tolerance {tol} mm): ") + string.Join("; ", bad.Take(5)) + (bad.Count > 5 ? $"; and {bad.Count - 5} more" : "");
    }

    /// <summary>The stored value of each pixel of a decoded frame (1, 8 or 16 bits allocated).</summary>
    static int[] Values(byte[] frame, PixelFormat f, int count, int frameNumber, Func<string, ImagingException> fail)
    {
        var v = new int[count];
        switch (f.BitsAllocated)
        {
            case 1:
                for (var p = 0; p < count; p++) v[p] = (frame[p >> 3] >> (p & 7)) & 1;
                break;
            case 8:
                for (var p = 0; p < count; p++) v[p] = frame[p];
                break;
            case 16:
                for (var p = 0; p < count; p++) v[p] = BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(2 * p));
                break;
            default:
                throw fail($"frame {frameNumber}: Bits Allocated (0028,0100) {f.BitsAllocated}; a Segmentation has 1 (BINARY), 8 (FRACTIONAL) or 8 or 16 (LABELMAP)");
        }
        return v;
    }

    static SegmentationFrame Pack(FrameInfo fi, int segment, int[] values, Func<int, bool> foreground, int count)
    {
        var bits = new byte[(count + 7) / 8];
        long n = 0;
        for (var p = 0; p < count; p++)
            if (foreground(values[p])) { bits[p >> 3] |= (byte)(1 << (p & 7)); n++; }
        return new SegmentationFrame(fi.Number, segment, fi.Slice, fi.Position, n) { Bits = bits };
    }

    static string Fmt(double[] v) => "(" + string.Join(", ", v.Select(x => x.ToString("0.####", CultureInfo.InvariantCulture))) + ")";

    /// <summary>One frame's segment, position, distance along the slice normal and slice index, as the reading places it.</summary>
    sealed class FrameInfo(int number, int segment, double[] position)
    {
        public int Number { get; } = number;
        public int Segment { get; } = segment;
        public double[] Position { get; } = position;
        public double Distance { get; set; }
        public int Slice { get; set; }
    }
}
