using System.Globalization;
using System.IO.Compression;
using System.Text;
using Mira.Imaging.Volumes;

namespace Mira.Imaging.MetaImage;

/// <summary>
/// MetaImage (ITK MetaIO) images: <c>.mha</c> (header and data in one file, <c>ElementDataFile = LOCAL</c>) and
/// <c>.mhd</c> with a separate data file, raw or zlib-compressed (<c>CompressedData = True</c>). Coordinates are
/// ITK's, i.e. LPS+ like DICOM: <c>Offset</c> is the centre of the first voxel and <c>TransformMatrix</c> lists the
/// direction cosines axis by axis (the first three numbers are the direction of i).
/// </summary>
public static class MetaImageFile
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>True for the MetaImage file names (.mha, .mhd): the format <see cref="Write"/> is asked for by name. Reading goes by content (<see cref="Formats.VolumeFormats"/>).</summary>
    public static bool IsMetaImagePath(string path) =>
        path.EndsWith(".mha", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".mhd", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a .mha or .mhd file as a volume. The header keys are returned in <paramref name="header"/>.</summary>
    public static Volume Read(string path) => Read(path, out _);

    public static Volume Read(string path, out IReadOnlyDictionary<string, string> header)
    {
        MetaImageHeader h;
        byte[] local = [];
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            h = MetaImageHeader.Read(fs, path);
            if (h.IsLocal)
            {
                local = new byte[fs.Length - fs.Position];
                fs.ReadExactly(local);
            }
        }
        catch (IOException e) { throw new ImagingException($"{path}: {e.Message}", e); }
        header = h.Keys;
        var layout = h.Interpret();
        var length = layout.DataLength;
        byte[] raw;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var dataFile = h.ElementDataFile;
        if (h.IsLocal)
            raw = local;
        else if (h.ListFiles.Count > 0)
        {
            using var ms = new MemoryStream();
            foreach (var f in h.ListFiles) ms.Write(ReadData(Path.Combine(dir, f), path));
            raw = ms.ToArray();
        }
        else if (dataFile.Contains('%'))
            throw new ImagingException($"{path}: ElementDataFile pattern \"{dataFile}\" is not supported");
        else
            raw = ReadData(Path.Combine(dir, dataFile), path);

        byte[] data;
        if (layout.Compressed)
        {
            using var z = new ZLibStream(new MemoryStream(raw), CompressionMode.Decompress);
            data = new byte[length];
            try { z.ReadExactly(data); }
            catch (EndOfStreamException) { throw new ImagingException($"{path}: compressed data holds fewer than the {length} bytes DimSize × ElementType needs"); }
            catch (InvalidDataException e) { throw new ImagingException($"{path}: compressed data is not zlib: {e.Message}", e); }
        }
        else
        {
            // HeaderSize = -1 means the data are the last bytes of the file; a positive HeaderSize skips that many.
            var skip = layout.HeaderSize;
            if (!h.IsLocal && skip == -1) skip = raw.LongLength - length;
            if (skip < 0 || skip + length > raw.LongLength)
                throw new ImagingException($"{path}: data needs {length} bytes (DimSize × ElementType), {raw.LongLength - Math.Max(0, skip)} are there");
            data = raw.AsSpan((int)skip, (int)length).ToArray();
        }
        if (layout.MsbFirst) VoxelTypes.SwapBytes(data, layout.Type.SampleSize());
        return ToVolume(layout, data, path);
    }

    /// <summary>The volume of the voxels <paramref name="data"/> laid out as <paramref name="layout"/> says (LPS+ geometry from Offset and the direction matrix).</summary>
    static Volume ToVolume(MetaImageLayout layout, byte[] data, string path)
    {
        var ndims = layout.NDims;
        var o = new double[3];
        var s = new double[] { 1, 1, 1 };
        var dm = new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        for (var i = 0; i < Math.Min(3, ndims); i++)
        {
            if (i < layout.Offset.Length) o[i] = layout.Offset[i];
            if (i < layout.Spacing.Length) s[i] = layout.Spacing[i];
        }
        if (layout.Matrix is { } matrix)
        {
            if (matrix.Length != ndims * ndims) throw new ImagingException($"{path}: {layout.MatrixKey} has {matrix.Length} values for NDims {ndims}");
            // Column c of the direction matrix (axis c) is values c·n .. c·n+n−1.
            for (var c = 0; c < Math.Min(3, ndims); c++)
                for (var r = 0; r < Math.Min(3, ndims); r++)
                    dm[r * 3 + c] = matrix[c * ndims + r];
        }
        var extra = new double[Math.Max(0, ndims - 3)];
        for (var i = 0; i < extra.Length; i++) extra[i] = 3 + i < layout.Spacing.Length ? layout.Spacing[3 + i] : 1;
        return new Volume(layout.DimSize, layout.Type, data, new VolumeGeometry(o, s, dm), extra);
    }

    static byte[] ReadData(string file, string header)
    {
        if (!File.Exists(file)) throw new ImagingException($"{header}: data file {file} is missing");
        return File.ReadAllBytes(file);
    }

    static (string Type, int Channels) ElementTypeName(VoxelType t) => t switch
    {
        VoxelType.UInt8 => ("MET_UCHAR", 1),
        VoxelType.Int8 => ("MET_CHAR", 1),
        VoxelType.UInt16 => ("MET_USHORT", 1),
        VoxelType.Int16 => ("MET_SHORT", 1),
        VoxelType.UInt32 => ("MET_UINT", 1),
        VoxelType.Int32 => ("MET_INT", 1),
        VoxelType.UInt64 => ("MET_ULONG_LONG", 1),
        VoxelType.Int64 => ("MET_LONG_LONG", 1),
        VoxelType.Float32 => ("MET_FLOAT", 1),
        VoxelType.Float64 => ("MET_DOUBLE", 1),
        VoxelType.Rgb24 => ("MET_UCHAR", 3),
        VoxelType.Rgba32 => ("MET_UCHAR", 4),
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>
    /// Writes a volume: <c>.mha</c> with LOCAL data, or <c>.mhd</c> with the data in a <c>.raw</c> (or, compressed,
    /// <c>.zraw</c>) file beside it. <paramref name="compress"/> zlib-compresses the data. A sheared geometry
    /// (direction not orthonormal) is refused: MetaImage has no way to say it.
    /// </summary>
    public static void Write(string path, Volume volume, bool compress = false)
    {
        if (!volume.Geometry.IsOrthonormal(1e-3))
            throw new ImagingException($"the volume's direction cosines are not orthonormal (error {volume.Geometry.OrthonormalityError():g3}, e.g. a gantry-tilted stack): MetaImage cannot represent that; write NIfTI instead");
        var n = volume.Rank;
        var g = volume.Geometry;
        var (etype, channels) = ElementTypeName(volume.Type);
        var matrix = new double[n * n];
        for (var c = 0; c < n; c++)
            for (var r = 0; r < n; r++)
                matrix[c * n + r] = c < 3 && r < 3 ? g.D(r, c) : (r == c ? 1 : 0);
        var offset = Enumerable.Range(0, n).Select(i => i < 3 ? g.Origin[i] : 0).ToArray();
        var spacing = Enumerable.Range(0, n).Select(i => i < 3 ? g.Spacing[i] : volume.ExtraSpacing[i - 3]).ToArray();
        var payload = volume.Data;
        if (compress)
        {
            using var ms = new MemoryStream();
            using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(volume.Data);
            payload = ms.ToArray();
        }
        var mha = path.EndsWith(".mha", StringComparison.OrdinalIgnoreCase);
        var dataName = mha ? "LOCAL" : Path.GetFileNameWithoutExtension(path) + (compress ? ".zraw" : ".raw");
        var sb = new StringBuilder();
        sb.Append("ObjectType = Image\n");
        sb.Append(Inv, $"NDims = {n}\n");
        sb.Append("BinaryData = True\nBinaryDataByteOrderMSB = False\n");
        sb.Append("CompressedData = ").Append(compress ? "True" : "False").Append('\n');
        if (compress) sb.Append(Inv, $"CompressedDataSize = {payload.LongLength}\n");
        sb.Append("TransformMatrix = ").Append(Join(matrix)).Append('\n');
        sb.Append("Offset = ").Append(Join(offset)).Append('\n');
        sb.Append("CenterOfRotation = ").Append(Join(new double[n])).Append('\n');
        sb.Append("ElementSpacing = ").Append(Join(spacing)).Append('\n');
        sb.Append("DimSize = ").Append(string.Join(' ', volume.Size.Select(d => d.ToString(Inv)))).Append('\n');
        if (channels > 1) sb.Append(Inv, $"ElementNumberOfChannels = {channels}\n");
        sb.Append("ElementType = ").Append(etype).Append('\n');
        sb.Append("ElementDataFile = ").Append(dataName).Append('\n');
        using (var f = File.Create(path))
        {
            f.Write(Encoding.ASCII.GetBytes(sb.ToString()));
            if (mha) f.Write(payload);
        }
        if (!mha) File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", dataName), payload);
    }

    static string Join(double[] v) => string.Join(' ', v.Select(x => x.ToString("R", Inv)));
}
