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

    public static bool IsMetaImagePath(string path) =>
        path.EndsWith(".mha", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".mhd", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a .mha or .mhd file as a volume. The header keys are returned in <paramref name="header"/>.</summary>
    public static Volume Read(string path) => Read(path, out _);

    public static Volume Read(string path, out IReadOnlyDictionary<string, string> header)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new ImagingException($"{path}: {e.Message}", e); }
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var pos = 0;
        string? dataFile = null;
        var listFiles = new List<string>();
        while (pos < bytes.Length)
        {
            var nl = Array.IndexOf(bytes, (byte)'\n', pos);
            var end = nl < 0 ? bytes.Length : nl;
            var line = Encoding.ASCII.GetString(bytes, pos, end - pos).TrimEnd('\r');
            pos = nl < 0 ? bytes.Length : nl + 1;
            if (line.Trim().Length == 0) continue;
            var eq = line.IndexOf('=');
            if (eq < 0) throw new ImagingException($"{path}: header line \"{Trunc(line)}\" is not KEY = VALUE");
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            keys[key] = value;
            if (key.Equals("ElementDataFile", StringComparison.OrdinalIgnoreCase))
            {
                dataFile = value;
                if (value.StartsWith("LIST", StringComparison.OrdinalIgnoreCase))
                {
                    // One file name per line after the header (one per slice; "LIST 2D").
                    while (pos < bytes.Length)
                    {
                        nl = Array.IndexOf(bytes, (byte)'\n', pos);
                        end = nl < 0 ? bytes.Length : nl;
                        var f = Encoding.ASCII.GetString(bytes, pos, end - pos).Trim();
                        pos = nl < 0 ? bytes.Length : nl + 1;
                        if (f.Length > 0) listFiles.Add(f);
                    }
                }
                break; // ElementDataFile is the last header key; LOCAL data starts on the next byte.
            }
        }
        header = keys;
        if (dataFile is null) throw new ImagingException($"{path}: no ElementDataFile key");
        if (keys.TryGetValue("ObjectType", out var ot) && !ot.Equals("Image", StringComparison.OrdinalIgnoreCase))
            throw new ImagingException($"{path}: ObjectType is {ot}, only Image is supported");
        var ndims = Int(keys, "NDims", path);
        if (ndims is < 1 or > Volume.MaxDimensions) throw new ImagingException($"{path}: NDims {ndims} is not 1..{Volume.MaxDimensions}");
        var dim = Numbers(keys, "DimSize", path).Select(d => checked((int)d)).ToArray();
        if (dim.Length != ndims) throw new ImagingException($"{path}: DimSize has {dim.Length} values for NDims {ndims}");
        var channels = keys.TryGetValue("ElementNumberOfChannels", out var ch) ? int.Parse(ch, Inv) : 1;
        var type = ElementTypeOf(keys.GetValueOrDefault("ElementType") ?? throw new ImagingException($"{path}: no ElementType"), channels, path);
        var spacing = keys.ContainsKey("ElementSpacing") ? Numbers(keys, "ElementSpacing", path)
            : keys.ContainsKey("ElementSize") ? Numbers(keys, "ElementSize", path) : Enumerable.Repeat(1.0, ndims).ToArray();
        var offsetKey = new[] { "Offset", "Origin", "Position" }.FirstOrDefault(keys.ContainsKey);
        var offset = offsetKey is null ? new double[ndims] : Numbers(keys, offsetKey, path);
        var matrixKey = new[] { "TransformMatrix", "Rotation", "Orientation" }.FirstOrDefault(keys.ContainsKey);
        var matrix = matrixKey is null ? null : Numbers(keys, matrixKey, path);
        var msb = Bool(keys, "BinaryDataByteOrderMSB") || Bool(keys, "ElementByteOrderMSB");
        var compressed = Bool(keys, "CompressedData");
        if (keys.TryGetValue("BinaryData", out var bd) && !Bool(keys, "BinaryData"))
            throw new ImagingException($"{path}: BinaryData = {bd} (ASCII voxel data) is not supported");

        long count = 1;
        foreach (var d in dim) count = checked(count * d);
        var length = checked(count * type.Size());
        byte[] raw;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        if (dataFile.Equals("LOCAL", StringComparison.OrdinalIgnoreCase))
            raw = bytes.AsSpan(pos).ToArray();
        else if (listFiles.Count > 0)
        {
            using var ms = new MemoryStream();
            foreach (var f in listFiles) ms.Write(ReadData(Path.Combine(dir, f), path));
            raw = ms.ToArray();
        }
        else if (dataFile.Contains('%'))
            throw new ImagingException($"{path}: ElementDataFile pattern \"{dataFile}\" is not supported");
        else
            raw = ReadData(Path.Combine(dir, dataFile), path);

        byte[] data;
        if (compressed)
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
            var skip = keys.TryGetValue("HeaderSize", out var hs) ? long.Parse(hs, Inv) : 0;
            if (!dataFile.Equals("LOCAL", StringComparison.OrdinalIgnoreCase) && skip == -1) skip = raw.LongLength - length;
            if (skip < 0 || skip + length > raw.LongLength)
                throw new ImagingException($"{path}: data needs {length} bytes (DimSize × ElementType), {raw.LongLength - Math.Max(0, skip)} are there");
            data = raw.AsSpan((int)skip, (int)length).ToArray();
        }
        if (msb) VoxelTypes.SwapBytes(data, type.SampleSize());

        var o = new double[3];
        var s = new double[] { 1, 1, 1 };
        var dm = new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        for (var i = 0; i < Math.Min(3, ndims); i++)
        {
            if (i < offset.Length) o[i] = offset[i];
            if (i < spacing.Length) s[i] = spacing[i];
        }
        if (matrix is not null)
        {
            if (matrix.Length != ndims * ndims) throw new ImagingException($"{path}: {matrixKey} has {matrix.Length} values for NDims {ndims}");
            // Column c of the direction matrix (axis c) is values c·n .. c·n+n−1.
            for (var c = 0; c < Math.Min(3, ndims); c++)
                for (var r = 0; r < Math.Min(3, ndims); r++)
                    dm[r * 3 + c] = matrix[c * ndims + r];
        }
        var extra = new double[Math.Max(0, ndims - 3)];
        for (var i = 0; i < extra.Length; i++) extra[i] = 3 + i < spacing.Length ? spacing[3 + i] : 1;
        return new Volume(dim, type, data, new VolumeGeometry(o, s, dm), extra);
    }

    static byte[] ReadData(string file, string header)
    {
        if (!File.Exists(file)) throw new ImagingException($"{header}: data file {file} is missing");
        return File.ReadAllBytes(file);
    }

    static string Trunc(string s) => s.Length > 60 ? s[..60] + "…" : s;

    static int Int(Dictionary<string, string> k, string key, string path) =>
        k.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.Integer, Inv, out var n) ? n : throw new ImagingException($"{path}: {key} is missing or not an integer");

    static double[] Numbers(Dictionary<string, string> k, string key, string path)
    {
        if (!k.TryGetValue(key, out var v)) throw new ImagingException($"{path}: no {key}");
        var parts = v.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var r = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, Inv, out r[i])) throw new ImagingException($"{path}: {key} value \"{parts[i]}\" is not a number");
        return r;
    }

    static bool Bool(Dictionary<string, string> k, string key) =>
        k.TryGetValue(key, out var v) && (v.Equals("True", StringComparison.OrdinalIgnoreCase) || v == "1");

    static VoxelType ElementTypeOf(string t, int channels, string path)
    {
        var scalar = t.ToUpperInvariant() switch
        {
            "MET_UCHAR" => VoxelType.UInt8,
            "MET_CHAR" => VoxelType.Int8,
            "MET_USHORT" => VoxelType.UInt16,
            "MET_SHORT" => VoxelType.Int16,
            "MET_UINT" or "MET_ULONG" => VoxelType.UInt32,
            "MET_INT" or "MET_LONG" => VoxelType.Int32,
            "MET_ULONG_LONG" => VoxelType.UInt64,
            "MET_LONG_LONG" => VoxelType.Int64,
            "MET_FLOAT" => VoxelType.Float32,
            "MET_DOUBLE" => VoxelType.Float64,
            _ => throw new ImagingException($"{path}: ElementType {t} is not supported"),
        };
        return (scalar, channels) switch
        {
            (_, 1) => scalar,
            (VoxelType.UInt8, 3) => VoxelType.Rgb24,
            (VoxelType.UInt8, 4) => VoxelType.Rgba32,
            _ => throw new ImagingException($"{path}: {channels} channels of {t} are not supported (only 1, or 3/4 of MET_UCHAR)"),
        };
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
