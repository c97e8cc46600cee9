using System.Globalization;
using System.Text;
using Mira.Imaging.Volumes;

namespace Mira.Imaging.MetaImage;

/// <summary>What a MetaImage header says about the voxel array, checked (see <see cref="MetaImageHeader.Interpret"/>).</summary>
public sealed record MetaImageLayout(
    int NDims,
    int[] DimSize,
    VoxelType Type,
    double[] Spacing,
    double[] Offset,
    string? MatrixKey,
    double[]? Matrix,
    bool MsbFirst,
    bool Compressed,
    long HeaderSize)
{
    /// <summary>Bytes of the uncompressed voxel array: the product of DimSize × the element size.</summary>
    public long DataLength
    {
        get
        {
            long count = 1;
            foreach (var d in DimSize) count = checked(count * d);
            return checked(count * Type.Size());
        }
    }
}

/// <summary>
/// The header of a MetaImage (ITK MetaIO) file: <c>Key = Value</c> lines of ASCII text, up to and including
/// <c>ElementDataFile</c>, which is always the last key. Its value is <c>LOCAL</c> (the data follow the header in the
/// same file, <c>.mha</c>), a file name (<c>.mhd</c> + <c>.raw</c>/<c>.zraw</c>), or <c>LIST</c> followed by one file
/// name per line. The one reader of MetaImage headers: <see cref="MetaImageFile"/> and the mask reader of Mira.Metrics
/// both use it.
/// </summary>
public sealed class MetaImageHeader
{
    /// <summary>Longest header line accepted; a longer one is not a MetaImage header.</summary>
    public const int MaxLineLength = 64 * 1024;

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The keys MetaIO writes for images (ITK's metaImage and metaObject), for recognising a header by its content.</summary>
    static readonly HashSet<string> KnownKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "ObjectType", "ObjectSubType", "NDims", "Name", "ID", "ParentID", "Comment", "AcquisitionDate", "Color",
        "CompressedData", "CompressedDataSize", "BinaryData", "BinaryDataByteOrderMSB", "ElementByteOrderMSB",
        "TransformType", "TransformMatrix", "Offset", "Origin", "Position", "Rotation", "Orientation", "CenterOfRotation",
        "AnatomicalOrientation", "ElementSpacing", "ElementSize", "DimSize", "HeaderSize", "Modality", "SequenceID",
        "ElementMin", "ElementMax", "ElementNumberOfChannels", "ElementType", "ElementDataFile",
    };

    MetaImageHeader(string name, List<KeyValuePair<string, string>> entries, string dataFile, List<string> listFiles, long dataOffset)
    {
        Name = name;
        Entries = entries;
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in entries) keys[k] = v;
        Keys = keys;
        ElementDataFile = dataFile;
        ListFiles = listFiles;
        DataOffset = dataOffset;
    }

    /// <summary>The file the header was read from, for messages.</summary>
    public string Name { get; }

    /// <summary>Every <c>Key = Value</c> line in order (a key given twice appears twice).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Entries { get; }

    /// <summary>The keys, case-insensitive; a key given twice has its last value.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; }

    /// <summary>The value of <c>ElementDataFile</c>.</summary>
    public string ElementDataFile { get; }

    public bool IsLocal => ElementDataFile.Equals("LOCAL", StringComparison.OrdinalIgnoreCase);

    /// <summary>The file names after <c>ElementDataFile = LIST</c>, one per slice; empty otherwise.</summary>
    public IReadOnlyList<string> ListFiles { get; }

    /// <summary>Bytes from the start of the file to the first byte after the header (where LOCAL data begin).</summary>
    public long DataOffset { get; }

    /// <summary>
    /// True when <paramref name="head"/> (the first bytes of a file) starts like a MetaImage header: its first non-blank
    /// line is printable ASCII of the form <c>Key = Value</c> with a MetaIO key.
    /// </summary>
    public static bool Probe(ReadOnlySpan<byte> head)
    {
        var p = 0;
        while (p < head.Length && head[p] is (byte)'\r' or (byte)'\n' or (byte)' ' or (byte)'\t') p++;
        var end = head[p..].IndexOf((byte)'\n');
        var line = (end < 0 ? head[p..] : head.Slice(p, end)).TrimEnd((byte)'\r');
        if (line.IsEmpty) return false;
        foreach (var b in line)
            if (b is < 0x20 or > 0x7E && b != '\t') return false;
        var eq = line.IndexOf((byte)'=');
        return eq > 0 && KnownKeys.Contains(Encoding.ASCII.GetString(line[..eq]).Trim());
    }

    /// <summary>
    /// Reads the header from the current position of <paramref name="stream"/>, leaving it just after the header (after
    /// the file list for <c>LIST</c>). Throws <see cref="ImagingException"/> naming <paramref name="name"/> when a line is
    /// not <c>Key = Value</c> or there is no <c>ElementDataFile</c>.
    /// </summary>
    public static MetaImageHeader Read(Stream stream, string name)
    {
        var entries = new List<KeyValuePair<string, string>>();
        var listFiles = new List<string>();
        string? dataFile = null;
        long position = 0;
        var line = new List<byte>();
        string? NextLine()
        {
            line.Clear();
            while (true)
            {
                var b = stream.ReadByte();
                if (b < 0) return line.Count > 0 ? Decode() : null;
                position++;
                if (b == '\n') return Decode();
                if (line.Count >= MaxLineLength) throw new ImagingException($"{name}: header line longer than {MaxLineLength} bytes; not a MetaImage header");
                line.Add((byte)b);
            }
        }
        string Decode() => Encoding.ASCII.GetString([.. line]).TrimEnd('\r');

        while (NextLine() is { } text)
        {
            if (text.Trim().Length == 0) continue;
            var eq = text.IndexOf('=');
            if (eq < 0) throw new ImagingException($"{name}: header line \"{Trunc(text)}\" is not KEY = VALUE");
            var key = text[..eq].Trim();
            var value = text[(eq + 1)..].Trim();
            entries.Add(new(key, value));
            if (!key.Equals("ElementDataFile", StringComparison.OrdinalIgnoreCase)) continue;
            dataFile = value;
            if (value.StartsWith("LIST", StringComparison.OrdinalIgnoreCase))
                while (NextLine() is { } f) // one file name per line after the header (one per slice; "LIST 2D")
                    if (f.Trim() is { Length: > 0 } file) listFiles.Add(file);
            break; // ElementDataFile is the last header key; LOCAL data start on the next byte.
        }
        if (dataFile is null) throw new ImagingException($"{name}: no ElementDataFile key");
        return new MetaImageHeader(name, entries, dataFile, listFiles, position);
    }

    /// <summary>
    /// The voxel array the header describes: NDims (1 to <see cref="Volume.MaxDimensions"/>), DimSize, ElementType and
    /// ElementNumberOfChannels, spacing (ElementSpacing, else ElementSize, else 1), Offset/Origin/Position,
    /// TransformMatrix/Rotation/Orientation, byte order, compression and HeaderSize. Throws
    /// <see cref="ImagingException"/> naming the file for anything missing, malformed or unsupported.
    /// </summary>
    public MetaImageLayout Interpret()
    {
        var keys = Keys;
        if (keys.TryGetValue("ObjectType", out var ot) && !ot.Equals("Image", StringComparison.OrdinalIgnoreCase))
            throw Fail($"ObjectType is {ot}, only Image is supported");
        var ndims = Int("NDims");
        if (ndims is < 1 or > Volume.MaxDimensions) throw Fail($"NDims {ndims} is not 1..{Volume.MaxDimensions}");
        var dim = Numbers("DimSize").Select(d => checked((int)d)).ToArray();
        if (dim.Length != ndims) throw Fail($"DimSize has {dim.Length} values for NDims {ndims}");
        var channels = keys.ContainsKey("ElementNumberOfChannels") ? Int("ElementNumberOfChannels") : 1;
        var type = ElementTypeOf(keys.GetValueOrDefault("ElementType") ?? throw Fail("no ElementType"), channels);
        var spacing = keys.ContainsKey("ElementSpacing") ? Numbers("ElementSpacing")
            : keys.ContainsKey("ElementSize") ? Numbers("ElementSize") : Enumerable.Repeat(1.0, ndims).ToArray();
        var offsetKey = new[] { "Offset", "Origin", "Position" }.FirstOrDefault(keys.ContainsKey);
        var offset = offsetKey is null ? new double[ndims] : Numbers(offsetKey);
        var matrixKey = new[] { "TransformMatrix", "Rotation", "Orientation" }.FirstOrDefault(keys.ContainsKey);
        var matrix = matrixKey is null ? null : Numbers(matrixKey);
        var msb = Bool("BinaryDataByteOrderMSB") || Bool("ElementByteOrderMSB");
        var compressed = Bool("CompressedData");
        if (keys.TryGetValue("BinaryData", out var bd) && !Bool("BinaryData"))
            throw Fail($"BinaryData = {bd} (ASCII voxel data) is not supported");
        long headerSize = keys.ContainsKey("HeaderSize") ? Int("HeaderSize") : 0;
        return new MetaImageLayout(ndims, dim, type, spacing, offset, matrixKey, matrix, msb, compressed, headerSize);
    }

    ImagingException Fail(string message) => new($"{Name}: {message}");

    static string Trunc(string s) => s.Length > 60 ? s[..60] + "…" : s;

    int Int(string key) =>
        Keys.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.Integer, Inv, out var n) ? n : throw Fail($"{key} is missing or not an integer");

    double[] Numbers(string key)
    {
        if (!Keys.TryGetValue(key, out var v)) throw Fail($"no {key}");
        var parts = v.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var r = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, Inv, out r[i])) throw Fail($"{key} value \"{parts[i]}\" is not a number");
        return r;
    }

    bool Bool(string key) =>
        Keys.TryGetValue(key, out var v) && (v.Equals("True", StringComparison.OrdinalIgnoreCase) || v == "1");

    VoxelType ElementTypeOf(string t, int channels)
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
            _ => throw Fail($"ElementType {t} is not supported"),
        };
        return (scalar, channels) switch
        {
            (_, 1) => scalar,
            (VoxelType.UInt8, 3) => VoxelType.Rgb24,
            (VoxelType.UInt8, 4) => VoxelType.Rgba32,
            _ => throw Fail($"{channels} channels of {t} are not supported (only 1, or 3/4 of MET_UCHAR)"),
        };
    }
}
