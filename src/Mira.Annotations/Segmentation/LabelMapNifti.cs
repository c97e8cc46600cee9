using System.Globalization;
using System.IO.Compression;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Imaging;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;

namespace Mira.Annotations.Segmentation;

/// <summary>
/// A read as a NIfTI label map on its image grid, both ways. Written with the affine <c>mira convert</c> gives the
/// series (<see cref="ImageGrid.Geometry"/>, built as <see cref="DicomVolumeBuilder"/> builds the series' volume, made
/// a NIfTI header by <see cref="NiftiVolumes.FromVolume"/>: sform and qform, RAS+), voxel (column, row, slice) =
/// mask voxel, values the protocol's label values (uint8, or uint16 above 255). Read back only when its grid is the
/// series' grid (same size, each affine element within <see cref="AffineToleranceMm"/>), every value a whole number
/// and 0 or a protocol label value; otherwise an <see cref="AnnotationException"/> says how it differs.
/// </summary>
public static class LabelMapNifti
{
    public const double AffineToleranceMm = 1e-4;

    /// <summary>Largest compressed or inflated NIfTI read (bytes); the data must also fit the grid.</summary>
    public const long MaxBytes = 2L << 30;

    /// <summary>Writes the read as one label map (refused when labels overlap: write each with <see cref="WriteMask"/>).</summary>
    public static void Write(LabelMasks masks, ImageGrid grid, Stream output, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(grid);
        CheckSize(masks, grid);
        Write(masks, grid.Geometry, output, gzip);
    }

    /// <summary>Writes masks on a grid given by its geometry (a Segmentation's own frames, when the images are not at hand).</summary>
    public static void Write(LabelMasks masks, VolumeGeometry geometry, Stream output, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(output);
        var map = masks.ToLabelMap();
        var wide = map.Any(v => v > byte.MaxValue);
        var volume = Volume.Create([masks.Columns, masks.Rows, masks.Slices], wide ? VoxelType.UInt16 : VoxelType.UInt8, geometry);
        for (var i = 0; i < map.Length; i++)
        {
            if (wide) { volume.Data[2 * i] = (byte)map[i]; volume.Data[2 * i + 1] = (byte)(map[i] >> 8); }
            else volume.Data[i] = (byte)map[i];
        }
        Emit(volume, output, gzip, "labels");
    }

    /// <summary>Writes one mask (0/1 uint8) on the grid: for labels that overlap, one file per label.</summary>
    public static void WriteMask(bool[] mask, ImageGrid grid, Stream output, bool gzip, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(grid);
        if (mask.Length != grid.SliceLength * grid.SliceCount)
            throw new AnnotationException($"a mask of {mask.Length} voxels for a grid of {grid.Columns} x {grid.Rows} x {grid.SliceCount}");
        WriteMask(mask, [grid.Columns, grid.Rows, grid.SliceCount], grid.Geometry, output, gzip, description);
    }

    /// <summary>Writes one mask (0/1 uint8) of <paramref name="size"/> (columns, rows, slices) on a grid given by its geometry.</summary>
    public static void WriteMask(bool[] mask, int[] size, VolumeGeometry geometry, Stream output, bool gzip, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(output);
        if (size.Length != 3 || (long)size[0] * size[1] * size[2] != mask.Length)
            throw new AnnotationException($"a mask of {mask.Length} voxels for a grid of {string.Join(" x ", size)}");
        var volume = Volume.Create(size, VoxelType.UInt8, geometry);
        for (var i = 0; i < mask.Length; i++) volume.Data[i] = mask[i] ? (byte)1 : (byte)0;
        Emit(volume, output, gzip, description ?? "mask");
    }

    static void Emit(Volume volume, Stream output, bool gzip, string description)
    {
        NiftiFile.Write(output, NiftiVolumes.FromVolume(new Volume(volume.Size, volume.Type, volume.Data, volume.Geometry) { Description = description }), gzip);
    }

    public static LabelMasks Read(string path, ImageGrid grid, Protocol protocol)
    {
        using var file = File.OpenRead(path);
        return Read(file, grid, protocol, Path.GetFileName(path));
    }

    /// <summary>Reads a .nii or .nii.gz label map (gzip told by content) on <paramref name="grid"/>; <paramref name="name"/> names it in messages.</summary>
    public static LabelMasks Read(Stream input, ImageGrid grid, Protocol protocol, string name = "label map")
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(protocol);
        var expected = grid.Geometry;
        var buffered = new BufferedStream(input, 1 << 16);
        var magic = new byte[2];
        var n = buffered.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        Stream content = new PrefixedStream(magic.AsMemory(0, n), buffered);
        if (n == 2 && magic[0] == 0x1F && magic[1] == 0x8B) content = new GZipStream(content, CompressionMode.Decompress);
        NiftiImage image;
        try { image = NiftiFile.Read(content, name, (long)grid.SliceLength * grid.SliceCount * 8); }
        catch (ImagingException e) { throw new AnnotationException(e.Message); }
        finally { content.Dispose(); }

        var h = image.Header;
        var dims = Enumerable.Range(1, (int)h.Dim[0]).Select(i => h.Dim[i]).ToArray();
        var extra = dims.Skip(3).Where(d => d != 1).ToArray();
        if (dims.Length < 2 || extra.Length > 0 || dims[0] != grid.Columns || dims[1] != grid.Rows || (dims.Length > 2 ? dims[2] : 1) != grid.SliceCount)
            throw new AnnotationException($"{name}: the label map is {string.Join(" x ", dims)} voxels, the images of series {grid.SeriesInstanceUid} {grid.Columns} x {grid.Rows} x {grid.SliceCount} (Columns x Rows x Slices)");
        var type = NiftiVolumes.VoxelTypeOf(h.DataType);
        if (type is null || type.Value.IsColour())
            throw new AnnotationException($"{name}: NIfTI datatype {h.DataType} is not a label map's (an integer or whole-number float type)");
        CheckAffine(NiftiVolumes.GeometryOf(h), expected, name);
        Volume volume;
        try { volume = NiftiVolumes.ToVolume(image); }
        catch (ImagingException e) { throw new AnnotationException($"{name}: {e.Message}"); }

        var values = new int[grid.SliceLength * grid.SliceCount];
        for (var i = 0; i < values.Length; i++)
        {
            var v = volume.GetValue(i);
            if (v == 0) continue;
            var (c, r, k) = (i % grid.Columns, i / grid.Columns % grid.Rows, i / grid.SliceLength);
            if (v != Math.Round(v) || protocol.Segments.All(l => l.Value != v))
                throw new AnnotationException($"{name}: voxel (column {c}, row {r}, slice {k}) holds {v.ToString("R", CultureInfo.InvariantCulture)}, which is not a label value of protocol {protocol.Id} (labels: {string.Join(", ", protocol.Segments.Select(l => $"{l.Value} {l.Name}"))})");
            values[i] = (int)v;
        }
        return LabelMasks.FromLabelMap(grid.Columns, grid.Rows, grid.SliceCount, values);
    }

    static void CheckSize(LabelMasks masks, ImageGrid grid)
    {
        if (masks.Columns != grid.Columns || masks.Rows != grid.Rows || masks.Slices != grid.SliceCount)
            throw new AnnotationException($"the masks are {masks.Columns} x {masks.Rows} x {masks.Slices} voxels, the images of series {grid.SeriesInstanceUid} {grid.Columns} x {grid.Rows} x {grid.SliceCount}");
    }

    /// <summary>The label's voxel → patient affine must be the series' (each element within <see cref="AffineToleranceMm"/>); says how it differs.</summary>
    static void CheckAffine(VolumeGeometry actual, VolumeGeometry expected, string name)
    {
        var a = actual.VoxelToPatient();
        var e = expected.VoxelToPatient();
        var worst = a.Zip(e, (x, y) => Math.Abs(x - y)).Max();
        if (worst <= AffineToleranceMm) return;
        var how = new List<string>();
        for (var i = 0; i < 3; i++)
            if (Math.Abs(actual.Spacing[i] - expected.Spacing[i]) > AffineToleranceMm)
                how.Add($"spacing along axis {i + 1} is {actual.Spacing[i]:0.#####} mm, the series' {expected.Spacing[i]:0.#####} mm");
        if (actual.Direction.Zip(expected.Direction, (x, y) => Math.Abs(x - y)).Max() > 1e-5)
            how.Add($"axes (LPS, by column) are ({ImageGrid.Show(actual.Direction)}), the series' ({ImageGrid.Show(expected.Direction)})");
        if (ImageGrid.Distance(actual.Origin, expected.Origin) > AffineToleranceMm)
            how.Add($"the first voxel lies at ({ImageGrid.Show(actual.Origin)}) mm LPS, the series' first at ({ImageGrid.Show(expected.Origin)}) ({ImageGrid.Distance(actual.Origin, expected.Origin):0.####} mm apart)");
        throw new AnnotationException($"{name}: the label map's affine is not the series' (largest difference {worst:0.######} mm, tolerance {AffineToleranceMm} mm): {string.Join("; ", how)}");
    }

    /// <summary>Bytes already read, then the rest of a stream.</summary>
    sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        int used;
        long total;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n;
            if (used < prefix.Length)
            {
                n = Math.Min(buffer.Length, prefix.Length - used);
                prefix.Span.Slice(used, n).CopyTo(buffer);
                used += n;
            }
            else n = rest.Read(buffer);
            total += n;
            if (total > MaxBytes) throw new InvalidDataException($"over {MaxBytes} bytes");
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => total; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
