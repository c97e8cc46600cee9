using System.Numerics;
using System.Runtime.InteropServices;
using Mira.Imaging;
using Mira.Imaging.Formats;
using Mira.Imaging.MetaImage;
using Mira.Imaging.Volumes;

namespace Mira.Metrics;

/// <summary>
/// A 3D binary mask: one flag per voxel, x fastest (index = i + nx·(j + ny·k)), with the voxel spacing in mm along
/// x, y and z.
/// </summary>
public sealed class BinaryMask
{
    public BinaryMask(int nx, int ny, int nz, bool[] voxels, double sx = 1, double sy = 1, double sz = 1)
    {
        if (nx < 1 || ny < 1 || nz < 1) throw new ArgumentException($"mask size {nx}×{ny}×{nz} has an empty dimension");
        if ((long)nx * ny * nz != voxels.LongLength) throw new ArgumentException($"mask size {nx}×{ny}×{nz} needs {(long)nx * ny * nz} voxels, got {voxels.LongLength}");
        foreach (var s in new[] { sx, sy, sz })
            if (!(s > 0) || !double.IsFinite(s)) throw new ArgumentException($"voxel spacing must be positive and finite, got {s}");
        Nx = nx;
        Ny = ny;
        Nz = nz;
        Voxels = voxels;
        Spacing = [sx, sy, sz];
    }

    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public bool[] Voxels { get; }

    /// <summary>Voxel spacing in mm along x, y, z.</summary>
    public double[] Spacing { get; }

    public int Length => Voxels.Length;

    public bool this[int i, int j, int k] => Voxels[i + Nx * (j + Ny * k)];

    /// <summary>Number of true voxels.</summary>
    public long Count
    {
        get
        {
            long n = 0;
            foreach (var v in Voxels) if (v) n++;
            return n;
        }
    }

    /// <summary>Volume of one voxel in mm³.</summary>
    public double VoxelVolume => Spacing[0] * Spacing[1] * Spacing[2];

    /// <summary>
    /// The mask of a (label) volume: with <paramref name="label"/> null every non-zero voxel is foreground, otherwise
    /// the voxels equal to it. A 4D volume is refused unless it has a single frame.
    /// </summary>
    public static BinaryMask FromVolume(Volume volume, int? label = null)
    {
        if (volume.Frames != 1) throw new ImagingException($"a mask needs a 3D volume, got {string.Join('×', volume.Size)}");
        if (volume.Type.IsColour()) throw new ImagingException($"a mask cannot be read from {volume.Type} voxels");
        var n = checked((int)((long)volume.Nx * volume.Ny * volume.Nz));
        var m = new bool[n];
        if (volume.Type == VoxelType.UInt8)
        {
            var data = volume.Data.AsSpan(0, n);
            var dst = MemoryMarshal.Cast<bool, byte>(m.AsSpan());
            // A label outside 0…255 matches no byte: the mask stays empty.
            if (label is not { } l) Threshold(data, dst, null);
            else if (l is >= 0 and <= 255) Threshold(data, dst, (byte)l);
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                var v = volume.GetValue(i);
                m[i] = label is { } l ? v == l : v != 0;
            }
        }
        var s = volume.Geometry.Spacing;
        return new BinaryMask(volume.Nx, volume.Ny, volume.Nz, m, s[0], s[1], s[2]);
    }

    /// <summary>
    /// dst[i] = 1 where src[i] equals <paramref name="label"/> (or, with null, where src[i] ≠ 0), else 0; SIMD over
    /// <see cref="Vector{T}"/> lanes.
    /// </summary>
    static void Threshold(ReadOnlySpan<byte> src, Span<byte> dst, byte? label)
    {
        var i = 0;
        var one = Vector<byte>.One;
        var w = Vector<byte>.Count;
        if (label is { } l)
        {
            var lv = new Vector<byte>(l);
            for (; i + w <= src.Length; i += w) (Vector.Equals(new Vector<byte>(src[i..]), lv) & one).CopyTo(dst[i..]);
            for (; i < src.Length; i++) dst[i] = src[i] == l ? (byte)1 : (byte)0;
        }
        else
        {
            for (; i + w <= src.Length; i += w) Vector.Min(new Vector<byte>(src[i..]), one).CopyTo(dst[i..]);
            for (; i < src.Length; i++) dst[i] = src[i] != 0 ? (byte)1 : (byte)0;
        }
    }

    /// <summary>
    /// Reads a mask from a volume file in any format <see cref="VolumeFormats.Default"/> recognises by content (NIfTI,
    /// MetaImage, DICOM), stored values unscaled (see <see cref="FromVolume"/> for <paramref name="label"/>). Throws
    /// <see cref="ImagingException"/> naming the file when no format recognises it.
    /// </summary>
    public static BinaryMask Read(string path, int? label = null)
    {
        var format = VolumeFormats.Default.Require(path);
        if (format is MetaImageVolumeFormat && TryReadPlainMha(path, label) is { } fast) return fast;
        return FromVolume(format.Read(path, new VolumeReadOptions { ApplyScaling = false }), label);
    }

    /// <summary>Header keys the fast path understands; any other key sends the file to the general reader.</summary>
    static readonly HashSet<string> PlainMhaKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "ObjectType", "NDims", "BinaryData", "BinaryDataByteOrderMSB", "ElementByteOrderMSB", "CompressedData", "TransformMatrix",
        "Offset", "Origin", "Position", "Rotation", "Orientation", "CenterOfRotation", "AnatomicalOrientation", "ElementSpacing",
        "DimSize", "ElementType", "ElementDataFile",
    };

    /// <summary>
    /// The common case of a mask file, read without the general reader's copies: a MetaImage file with a plain header
    /// (only <see cref="PlainMhaKeys"/>, none twice), 3 dimensions, uncompressed binary MET_UCHAR data stored LOCAL
    /// right after the header. The header is read by <see cref="MetaImageHeader"/> (the one MetaImage header reader);
    /// the voxels are streamed from the file and thresholded straight into the mask. Anything else gives null and the
    /// caller uses <see cref="MetaImageFile.Read(string)"/>; the result equals <c>FromVolume(MetaImageFile.Read(path), label)</c> (tested).
    /// </summary>
    internal static BinaryMask? TryReadPlainMha(string path, int? label)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        MetaImageHeader header;
        MetaImageLayout layout;
        try
        {
            header = MetaImageHeader.Read(fs, path);
            if (header.Entries.Count != header.Keys.Count || header.Entries.Any(e => !PlainMhaKeys.Contains(e.Key))) return null;
            layout = header.Interpret();
        }
        catch (ImagingException)
        {
            return null; // the general reader reports it
        }
        if (!header.IsLocal || layout.Type != VoxelType.UInt8 || layout.NDims != 3 || layout.Compressed || layout.DimSize.Any(d => d < 1)) return null;
        var sp = layout.Spacing;
        if (sp.Length != 3) return null;
        int nx = layout.DimSize[0], ny = layout.DimSize[1], nz = layout.DimSize[2];
        var count = (long)nx * ny * nz;
        if (count > Array.MaxLength || fs.Length - fs.Position < count) return null;
        var m = new bool[count];
        var dst = MemoryMarshal.Cast<bool, byte>(m.AsSpan());
        if (label is { } l && l is < 0 or > 255) return new BinaryMask(nx, ny, nz, m, sp[0], sp[1], sp[2]);
        var chunk = new byte[1 << 20];
        long done = 0;
        while (done < count)
        {
            var want = (int)Math.Min(chunk.Length, count - done);
            fs.ReadExactly(chunk, 0, want);
            Threshold(chunk.AsSpan(0, want), dst.Slice((int)done, want), label is { } lb ? (byte)lb : null);
            done += want;
        }
        return new BinaryMask(nx, ny, nz, m, sp[0], sp[1], sp[2]);
    }

    /// <summary>
    /// The boundary voxels: the mask minus its erosion by the 6-connected (face-neighbour) cross, with voxels outside
    /// the array counted as background — a true voxel is on the surface when it lies on the array border or has a
    /// false face neighbour. This matches <c>m &amp; ~scipy.ndimage.binary_erosion(m)</c> (default structure and
    /// border value 0) as <c>../shared/bench/dice_numpy.py</c> defines it.
    /// </summary>
    public BinaryMask Surface()
    {
        var s = new bool[Voxels.Length];
        var m = Voxels;
        int nx = Nx, ny = Ny, nz = Nz;
        var sxy = nx * ny;
        for (var k = 0; k < nz; k++)
            for (var j = 0; j < ny; j++)
                for (var i = 0; i < nx; i++)
                {
                    var o = i + nx * (j + ny * k);
                    if (!m[o]) continue;
                    s[o] = i == 0 || i == nx - 1 || j == 0 || j == ny - 1 || k == 0 || k == nz - 1
                        || !m[o - 1] || !m[o + 1] || !m[o - nx] || !m[o + nx] || !m[o - sxy] || !m[o + sxy];
                }
        return new BinaryMask(nx, ny, nz, s, Spacing[0], Spacing[1], Spacing[2]);
    }

    /// <summary>
    /// The smallest box [x0, x1] × [y0, y1] × [z0, z1] (inclusive) holding every true voxel of this mask and of
    /// <paramref name="other"/> (if given); null when both are empty.
    /// </summary>
    public (int X0, int Y0, int Z0, int X1, int Y1, int Z1)? BoundingBox(BinaryMask? other = null)
    {
        int x0 = Nx, y0 = Ny, z0 = Nz, x1 = -1, y1 = -1, z1 = -1;
        var a = Voxels;
        var b = other?.Voxels;
        if (b is not null && b.Length != a.Length) throw new ArgumentException("masks of different sizes");
        var o = 0;
        for (var k = 0; k < Nz; k++)
            for (var j = 0; j < Ny; j++)
            {
                var row = a.AsSpan(o, Nx);
                var first = row.IndexOf(true);
                var last = first < 0 ? -1 : row.LastIndexOf(true);
                if (b is not null)
                {
                    var rb = b.AsSpan(o, Nx);
                    var fb = rb.IndexOf(true);
                    if (fb >= 0)
                    {
                        var lb = rb.LastIndexOf(true);
                        first = first < 0 ? fb : Math.Min(first, fb);
                        last = Math.Max(last, lb);
                    }
                }
                o += Nx;
                if (first < 0) continue;
                x0 = Math.Min(x0, first);
                x1 = Math.Max(x1, last);
                y0 = Math.Min(y0, j);
                y1 = Math.Max(y1, j);
                z0 = Math.Min(z0, k);
                z1 = Math.Max(z1, k);
            }
        return x1 < 0 ? null : (x0, y0, z0, x1, y1, z1);
    }

    /// <summary>The sub-volume [x0, x1] × [y0, y1] × [z0, z1] (inclusive), same spacing.</summary>
    public BinaryMask Crop(int x0, int y0, int z0, int x1, int y1, int z1)
    {
        if (x0 < 0 || y0 < 0 || z0 < 0 || x1 >= Nx || y1 >= Ny || z1 >= Nz || x0 > x1 || y0 > y1 || z0 > z1)
            throw new ArgumentOutOfRangeException(nameof(x0), $"crop [{x0},{x1}]×[{y0},{y1}]×[{z0},{z1}] outside {Nx}×{Ny}×{Nz}");
        int cx = x1 - x0 + 1, cy = y1 - y0 + 1, cz = z1 - z0 + 1;
        var v = new bool[cx * cy * cz];
        for (var k = 0; k < cz; k++)
            for (var j = 0; j < cy; j++)
                Array.Copy(Voxels, x0 + Nx * (y0 + j + Ny * (z0 + k)), v, cx * (j + cy * k), cx);
        return new BinaryMask(cx, cy, cz, v, Spacing[0], Spacing[1], Spacing[2]);
    }
}
