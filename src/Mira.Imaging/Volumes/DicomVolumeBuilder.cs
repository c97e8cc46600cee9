using System.Buffers.Binary;
using System.Globalization;
using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;

namespace Mira.Imaging.Volumes;

/// <summary>How strictly <see cref="DicomVolumeBuilder"/> treats imperfect stacks.</summary>
public sealed record VolumeBuildOptions
{
    /// <summary>Largest allowed difference (mm) between one slice gap and the mean gap before the stack counts as non-uniform.</summary>
    public double SpacingTolerance { get; init; } = 0.01;
    /// <summary>Largest in-plane drift (mm) of a slice position off the line along the slice normal before the stack counts as tilted.</summary>
    public double TiltTolerance { get; init; } = 0.01;
    /// <summary>Build non-uniformly spaced stacks with the mean gap (and a warning) instead of refusing them.</summary>
    public bool AllowNonUniformSpacing { get; init; }
    /// <summary>
    /// Build gantry-tilted stacks with a sheared voxel → patient affine (third axis along the actual slice-to-slice
    /// displacement) instead of refusing them. Only NIfTI (sform) can store such a geometry; nothing is resampled.
    /// </summary>
    public bool AllowShear { get; init; }

    public static VolumeBuildOptions Default { get; } = new();
}

/// <summary>A volume built from DICOM, with where it came from and what was noticed on the way.</summary>
public sealed record DicomVolume(Volume Volume, string SeriesInstanceUid, int? SeriesNumber, string? SeriesDescription, int SliceCount, string FourthDimension, IReadOnlyList<string> Warnings);

/// <summary>
/// Builds volumes from DICOM slices: groups them by Series Instance UID, Frame of Reference UID, orientation,
/// matrix and pixel spacing; sorts each group along the slice normal (row cosines × column cosines); checks that
/// gaps are uniform and that positions lie on the normal (no gantry tilt); stacks slices sharing a position as a
/// 4th dimension when echo number/time, temporal position, trigger time, acquisition number or b-value tell them
/// apart; applies Rescale Slope/Intercept (integers kept when slopes and intercepts are integers and the values
/// fit, float32 otherwise).
/// </summary>
public static class DicomVolumeBuilder
{
    const double OrientationTolerance = 1e-3;

    /// <summary>Reads a folder (recursively) or file and builds every volume in it.</summary>
    public static List<DicomVolume> FromPath(string path, VolumeBuildOptions? options = null, List<string>? skipped = null)
    {
        skipped ??= [];
        var slices = DicomSlices.Scan(path, skipped);
        if (slices.Count == 0)
            throw new ImagingException($"{path}: no DICOM images with plane geometry" + (skipped.Count > 0 ? ": " + string.Join("; ", skipped.Take(5)) + (skipped.Count > 5 ? $"; and {skipped.Count - 5} more" : "") : ""));
        return Build(slices, options);
    }

    /// <summary>Groups slices into stacks (see the class summary) and builds one volume per stack.</summary>
    public static List<DicomVolume> Build(IEnumerable<DicomSlice> slices, VolumeBuildOptions? options = null)
    {
        options ??= VolumeBuildOptions.Default;
        var groups = Group(slices);
        if (groups.Count == 0) throw new ImagingException("no DICOM images with plane geometry were found");
        return groups.Select(g => BuildStack(g, options)).ToList();
    }

    internal static List<List<DicomSlice>> Group(IEnumerable<DicomSlice> slices)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var groups = new Dictionary<string, List<DicomSlice>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var s in slices)
        {
            if (s.SopInstanceUid is { } uid && !seen.Add(uid)) continue; // the same instance twice
            var key = string.Join('|', s.SeriesInstanceUid, s.FrameOfReferenceUid ?? "",
                string.Join(',', s.Orientation.Select(v => Math.Round(v / OrientationTolerance).ToString(CultureInfo.InvariantCulture))),
                s.Rows.ToString(CultureInfo.InvariantCulture), s.Columns.ToString(CultureInfo.InvariantCulture),
                string.Join(',', s.PixelSpacing.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture))));
            if (!groups.TryGetValue(key, out var list)) { groups[key] = list = []; order.Add(key); }
            list.Add(s);
        }
        return order.Select(k => groups[k]).ToList();
    }

    static DicomVolume BuildStack(List<DicomSlice> slices, VolumeBuildOptions options)
    {
        var warnings = new List<string>();
        var first = slices[0];
        var label = $"series {first.SeriesNumber?.ToString(CultureInfo.InvariantCulture) ?? "?"} ({first.SeriesInstanceUid})";
        var normal = first.Normal;
        // Positions along the normal, clustered: slices within SpacingTolerance/2 share a position.
        var byDistance = slices.Select(s => (Slice: s, D: DicomSlice.Dot(s.Position, normal))).OrderBy(x => x.D).ToList();
        var positions = new List<List<DicomSlice>>();
        var distances = new List<double>();
        foreach (var (s, d) in byDistance)
        {
            if (distances.Count > 0 && Math.Abs(d - distances[^1]) <= options.SpacingTolerance / 2) positions[^1].Add(s);
            else { positions.Add([s]); distances.Add(d); }
        }
        var perPosition = positions[0].Count;
        if (positions.Any(p => p.Count != perPosition))
        {
            var counts = positions.Select((p, i) => (p.Count, D: distances[i])).GroupBy(x => x.Count).Select(g => $"{g.Count()} position(s) with {g.Key} slice(s), e.g. at {g.First().D:0.###} mm");
            throw new ImagingException($"{label}: positions along the slice normal hold different numbers of slices ({string.Join("; ", counts)}): missing or extra slices");
        }
        // 4th dimension: order the slices of each position by the key; equal keys cannot be told apart.
        var fourth = "";
        if (perPosition > 1)
        {
            foreach (var p in positions)
            {
                p.Sort((a, b) => CompareKeys(a.FourthDimensionKey, b.FourthDimensionKey));
                for (var i = 1; i < p.Count; i++)
                    if (CompareKeys(p[i - 1].FourthDimensionKey, p[i].FourthDimensionKey) == 0)
                        throw new ImagingException($"{label}: {p.Count} slices at position {DicomSlice.Dot(p[0].Position, normal):0.###} mm ({p[i - 1]}, {p[i]}) have the same echo, time and b-value: they cannot be told apart");
            }
            var varying = Enumerable.Range(0, DicomSlice.FourthDimensionNames.Length)
                .Where(k => positions[0].Select(s => s.FourthDimensionKey[k]).Distinct().Count() > 1)
                .Select(k => DicomSlice.FourthDimensionNames[k]);
            fourth = string.Join('+', varying);
        }

        // Geometry along the stack.
        var origin = positions[0][0].Position;
        var nz = positions.Count;
        double sliceStep;
        var thirdAxis = (double[])normal.Clone();
        if (nz == 1)
        {
            sliceStep = first.SpacingBetweenSlices is > 0 ? first.SpacingBetweenSlices.Value : first.SliceThickness is > 0 ? first.SliceThickness.Value : 1;
        }
        else
        {
            var mean = (distances[^1] - distances[0]) / (nz - 1);
            // Gaps are judged against the median gap, so that one missing slice is reported as one odd gap.
            var gaps = Enumerable.Range(1, nz - 1).Select(i => distances[i] - distances[i - 1]).Order().ToList();
            var median = gaps[gaps.Count / 2];
            var bad = new List<string>();
            for (var i = 1; i < nz; i++)
            {
                var gap = distances[i] - distances[i - 1];
                if (Math.Abs(gap - median) > options.SpacingTolerance)
                    bad.Add($"{gap:0.####} mm between {Fmt(positions[i - 1][0].Position)} and {Fmt(positions[i][0].Position)}");
            }
            if (bad.Count > 0)
            {
                var msg = $"{label}: non-uniform slice spacing (median gap {median:0.####} mm, mean {mean:0.####} mm, tolerance {options.SpacingTolerance} mm): {string.Join("; ", bad.Take(5))}{(bad.Count > 5 ? $"; and {bad.Count - 5} more" : "")}";
                if (!options.AllowNonUniformSpacing) throw new ImagingException(msg);
                warnings.Add(msg + "; the mean gap is used");
            }
            sliceStep = mean;
            // Gantry tilt: positions drift in-plane as the stack advances along the normal.
            var last = positions[^1][0].Position;
            var drift = 0.0;
            for (var i = 1; i < nz; i++)
            {
                var p = positions[i][0].Position;
                var along = distances[i] - distances[0];
                double sq = 0;
                for (var a = 0; a < 3; a++) { var off = p[a] - origin[a] - along * normal[a]; sq += off * off; }
                drift = Math.Max(drift, Math.Sqrt(sq));
            }
            if (drift > options.TiltTolerance)
            {
                var v = new double[3];
                for (var a = 0; a < 3; a++) v[a] = (last[a] - origin[a]) / (nz - 1);
                var len = Math.Sqrt(DicomSlice.Dot(v, v));
                var angle = Math.Acos(Math.Clamp(DicomSlice.Dot(v, normal) / len, -1, 1)) * 180 / Math.PI;
                var msg = $"{label}: slice positions are not along the slice normal (gantry tilt or sheared stack: {angle:0.##}° off the normal, up to {drift:0.###} mm in-plane drift; tolerance {options.TiltTolerance} mm)";
                if (!options.AllowShear) throw new ImagingException(msg + "; Mira does not resample tilted stacks (dcm2niix does); allow a sheared affine to keep the geometry exactly (NIfTI sform only)");
                warnings.Add(msg + "; kept as a sheared voxel→patient affine, no resampling");
                for (var a = 0; a < 3; a++) thirdAxis[a] = v[a] / len;
                sliceStep = len;
            }
        }
        var o = first.Orientation;
        var direction = new[] { o[0], o[3], thirdAxis[0], o[1], o[4], thirdAxis[1], o[2], o[5], thirdAxis[2] };
        var geometry = new VolumeGeometry(origin, [first.PixelSpacing[1], first.PixelSpacing[0], sliceStep], direction);

        // Voxels, in order k (position), then t.
        var ordered = new List<DicomSlice>(slices.Count);
        for (var t = 0; t < perPosition; t++) foreach (var p in positions) ordered.Add(p[t]);
        var (type, data) = ReadPixels(ordered, first.Rows, first.Columns, label);
        int[] size = perPosition > 1 ? [first.Columns, first.Rows, nz, perPosition] : [first.Columns, first.Rows, nz];
        var tr = perPosition > 1 && !fourth.Contains("Echo", StringComparison.Ordinal) && first.RepetitionTime is > 0 ? first.RepetitionTime.Value / 1000 : 1;
        var volume = new Volume(size, type, data, geometry, [tr]) { Description = first.SeriesDescription };
        return new DicomVolume(volume, first.SeriesInstanceUid, first.SeriesNumber, first.SeriesDescription, slices.Count, fourth, warnings);
    }

    static string Fmt(double[] p) => string.Create(CultureInfo.InvariantCulture, $"({p[0]:0.###}, {p[1]:0.###}, {p[2]:0.###})");

    static int CompareKeys(double[] a, double[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            var c = a[i].CompareTo(b[i]); // NaN sorts first and equals NaN
            if (c != 0) return c;
        }
        return 0;
    }

    /// <summary>Decodes every slice, applies the rescale and packs the voxels.</summary>
    static (VoxelType Type, byte[] Data) ReadPixels(List<DicomSlice> ordered, int rows, int cols, string label)
    {
        var plane = rows * cols;
        var stored = new double[ordered.Count][];
        var colour = new byte[ordered.Count][];
        var isColour = false;
        VoxelType storedType = VoxelType.Int16;
        foreach (var byFile in ordered.Select((s, i) => (s, i)).GroupBy(x => x.s.Path))
        {
            DicomFile file;
            try { file = DicomFile.Open(byFile.Key); }
            catch (Exception e) when (e is MiraException or IOException) { throw new ImagingException($"{byFile.Key}: {e.Message}", e); }
            PixelData pixels;
            try { pixels = PixelData.Open(file); }
            catch (MiraException e) { throw new ImagingException($"{byFile.Key}: {e.Message}", e); }
            var cache = new Dictionary<int, (byte[] Bytes, PixelFormat Format)>();
            foreach (var (s, i) in byFile)
            {
                if (!cache.TryGetValue(s.Frame, out var frame))
                {
                    try { frame.Bytes = pixels.DecodeFrame(s.Frame, out frame.Format); }
                    catch (MiraException e) { throw new ImagingException($"{s}: {e.Message}", e); }
                    cache[s.Frame] = frame;
                }
                var f = frame.Format;
                if (f.BitsAllocated == 1) throw new ImagingException($"{label}: 1-bit pixel data is not supported for volumes");
                if (f.SamplesPerPixel == 3 && f.BitsAllocated == 8)
                {
                    isColour = true;
                    colour[i] = ExtractColour(frame.Bytes, f, s, rows, cols);
                    continue;
                }
                if (f.SamplesPerPixel != 1) throw new ImagingException($"{label}: {f.SamplesPerPixel} samples per pixel of {f.BitsAllocated} bits are not supported");
                storedType = StoredType(f);
                stored[i] = ExtractScalar(frame.Bytes, f, s, rows, cols);
            }
        }
        if (isColour)
        {
            if (colour.Any(c => c is null)) throw new ImagingException($"{label}: colour and greyscale slices mixed");
            var rgb = new byte[(long)ordered.Count * plane * 3];
            for (var i = 0; i < ordered.Count; i++) colour[i].CopyTo(rgb, (long)i * plane * 3);
            return (VoxelType.Rgb24, rgb);
        }
        // Output type: stored type when there is no rescale; an integer type when slopes and intercepts are
        // integers and every value fits it; float32 otherwise.
        var identity = ordered.All(s => s.RescaleSlope == 1 && s.RescaleIntercept == 0);
        var integral = ordered.All(s => s.RescaleSlope == Math.Round(s.RescaleSlope) && s.RescaleIntercept == Math.Round(s.RescaleIntercept));
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (var i = 0; i < ordered.Count; i++)
        {
            var (a, b) = (ordered[i].RescaleSlope, ordered[i].RescaleIntercept);
            foreach (var v in stored[i]) { var r = a * v + b; if (r < min) min = r; if (r > max) max = r; }
        }
        VoxelType type;
        if (identity) type = storedType;
        else if (integral && storedType.IsInteger())
            type = min >= short.MinValue && max <= short.MaxValue ? VoxelType.Int16
                : min >= 0 && max <= ushort.MaxValue ? VoxelType.UInt16
                : min >= int.MinValue && max <= int.MaxValue ? VoxelType.Int32 : VoxelType.Float64;
        else type = VoxelType.Float32;
        var size = type.Size();
        var data = new byte[checked((long)ordered.Count * plane * size)];
        for (var i = 0; i < ordered.Count; i++)
        {
            var (a, b) = (ordered[i].RescaleSlope, ordered[i].RescaleIntercept);
            var src = stored[i];
            var dst = data.AsSpan(checked(i * plane * size), plane * size);
            for (var p = 0; p < plane; p++) Volume.WriteValue(dst[(p * size)..], type, a * src[p] + b);
        }
        return (type, data);
    }

    static VoxelType StoredType(PixelFormat f) => (f.IsFloat, f.BitsAllocated, f.IsSigned) switch
    {
        (true, 32, _) => VoxelType.Float32,
        (true, 64, _) => VoxelType.Float64,
        (false, 8, false) => VoxelType.UInt8,
        (false, 8, true) => VoxelType.Int8,
        (false, 16, false) => VoxelType.UInt16,
        (false, 16, true) => VoxelType.Int16,
        (false, 32, false) => VoxelType.UInt32,
        (false, 32, true) => VoxelType.Int32,
        _ => throw new ImagingException($"{f.BitsAllocated}-bit pixel data is not supported for volumes"),
    };

    /// <summary>Stored values of one slice (masked to Bits Stored, sign-extended when signed).</summary>
    static double[] ExtractScalar(byte[] frame, PixelFormat f, DicomSlice s, int rows, int cols)
    {
        var plane = rows * cols;
        var bytes = f.BytesPerSample;
        var values = new double[plane];
        int srcCols = f.Columns, x0 = 0, y0 = 0;
        if (s.MosaicTile >= 0)
        {
            x0 = s.MosaicTile % s.MosaicColumns * cols;
            y0 = s.MosaicTile / s.MosaicColumns * rows;
        }
        else if (f.Rows != rows || f.Columns != cols)
            throw new ImagingException($"{s}: frame is {f.Columns}×{f.Rows}, the stack is {cols}×{rows}");
        var bitsStored = f.BitsStored is > 0 and < 64 ? f.BitsStored : f.BitsAllocated;
        var mask = bitsStored >= 32 ? ulong.MaxValue : (1UL << bitsStored) - 1;
        var signBit = 1UL << (bitsStored - 1);
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                var o = ((long)(y + y0) * srcCols + x + x0) * bytes;
                var span = frame.AsSpan(checked((int)o), bytes);
                double v;
                if (f.IsFloat) v = bytes == 4 ? BinaryPrimitives.ReadSingleLittleEndian(span) : BinaryPrimitives.ReadDoubleLittleEndian(span);
                else
                {
                    ulong raw = bytes switch
                    {
                        1 => span[0],
                        2 => BinaryPrimitives.ReadUInt16LittleEndian(span),
                        4 => BinaryPrimitives.ReadUInt32LittleEndian(span),
                        _ => throw new ImagingException($"{f.BitsAllocated}-bit pixel data is not supported"),
                    };
                    if (bitsStored < f.BitsAllocated || bitsStored < 32) raw &= mask;
                    v = f.IsSigned && (raw & signBit) != 0 ? (double)(long)(raw | ~mask) : raw;
                }
                values[y * cols + x] = v;
            }
        }
        return values;
    }

    static byte[] ExtractColour(byte[] frame, PixelFormat f, DicomSlice s, int rows, int cols)
    {
        if (s.MosaicTile >= 0 || f.Rows != rows || f.Columns != cols) throw new ImagingException($"{s}: colour mosaic or size mismatch");
        var plane = rows * cols;
        var rgb = new byte[plane * 3];
        if (f.PlanarConfiguration == 1)
            for (var p = 0; p < plane; p++) { rgb[3 * p] = frame[p]; rgb[3 * p + 1] = frame[plane + p]; rgb[3 * p + 2] = frame[2 * plane + p]; }
        else frame.AsSpan(0, plane * 3).CopyTo(rgb);
        return rgb;
    }
}
