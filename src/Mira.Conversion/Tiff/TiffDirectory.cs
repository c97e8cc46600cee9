namespace Mira.Conversion.Tiff;

/// <summary>
/// One image file directory: the image's size, its tiling or striping, how its samples are stored and compressed, and
/// where each tile or strip lies (checked against the file length when read). Values absent from the file take the
/// defaults of TIFF 6.0.
/// </summary>
public sealed class TiffDirectory(int index, long offset)
{
    static readonly HashSet<ushort> Known =
    [
        TiffTags.NewSubfileType, TiffTags.ImageWidth, TiffTags.ImageLength, TiffTags.BitsPerSample, TiffTags.Compression,
        TiffTags.Photometric, TiffTags.ImageDescription, TiffTags.StripOffsets, TiffTags.Orientation, TiffTags.SamplesPerPixel,
        TiffTags.RowsPerStrip, TiffTags.StripByteCounts, TiffTags.XResolution, TiffTags.YResolution, TiffTags.PlanarConfiguration,
        TiffTags.ResolutionUnit, TiffTags.Software, TiffTags.Predictor, TiffTags.TileWidth, TiffTags.TileLength, TiffTags.TileOffsets,
        TiffTags.TileByteCounts, TiffTags.SampleFormat, TiffTags.JpegTables, TiffTags.YCbCrSubSampling, TiffTags.IccProfile,
    ];

    readonly Dictionary<ushort, TiffValue> values = [];
    long[] offsets = [], counts = [];

    internal static bool Wanted(ushort tag) => Known.Contains(tag);

    internal void Add(ushort tag, TiffValue value) => values[tag] = value;

    /// <summary>Position in the chain, from 0.</summary>
    public int Index { get; } = index;
    public long Offset { get; } = offset;

    public TiffValue? this[ushort tag] => values.GetValueOrDefault(tag);

    long Integer(ushort tag, long fallback) => values.TryGetValue(tag, out var v) && v.Count > 0 && v.IsInteger ? (long)Math.Min(v.Integer(0), long.MaxValue) : fallback;

    public long Width => Integer(TiffTags.ImageWidth, 0);
    public long Height => Integer(TiffTags.ImageLength, 0);
    public int Compression => (int)Integer(TiffTags.Compression, 1);
    public int Photometric => (int)Integer(TiffTags.Photometric, -1);
    public int SamplesPerPixel => (int)Integer(TiffTags.SamplesPerPixel, 1);
    public int BitsPerSample => (int)Integer(TiffTags.BitsPerSample, 1);
    public int SampleFormat => (int)Integer(TiffTags.SampleFormat, 1);
    public int PlanarConfiguration => (int)Integer(TiffTags.PlanarConfiguration, 1);
    public int Predictor => (int)Integer(TiffTags.Predictor, 1);
    public int Orientation => (int)Integer(TiffTags.Orientation, 1);
    public long NewSubfileType => Integer(TiffTags.NewSubfileType, 0);
    public bool IsReducedResolution => (NewSubfileType & 1) != 0;
    public string Description => this[TiffTags.ImageDescription]?.Text() ?? "";
    public byte[]? JpegTables => this[TiffTags.JpegTables]?.Bytes;
    public byte[]? IccProfile => this[TiffTags.IccProfile]?.Bytes;
    public bool IsTiled => values.ContainsKey(TiffTags.TileWidth);
    public long TileWidth => IsTiled ? Integer(TiffTags.TileWidth, 0) : Width;
    public long TileHeight => IsTiled ? Integer(TiffTags.TileLength, 0) : Math.Min(Integer(TiffTags.RowsPerStrip, Height), Height);

    /// <summary>The YCbCr subsampling factors (horizontal, vertical), 2 and 2 when absent (TIFF 6.0 §21).</summary>
    public (int H, int V) YCbCrSubsampling => this[TiffTags.YCbCrSubSampling] is { Count: >= 2, IsInteger: true } v ? ((int)v.Integer(0), (int)v.Integer(1)) : (2, 2);

    /// <summary>Pixels per unit across (X) and down (Y), and the unit: 1 none, 2 inch, 3 centimetre.</summary>
    public (double X, double Y, int Unit) Resolution =>
        (this[TiffTags.XResolution] is { Count: > 0 } x ? x.Number(0) : 0, this[TiffTags.YResolution] is { Count: > 0 } y ? y.Number(0) : 0,
         (int)Integer(TiffTags.ResolutionUnit, 2));

    public long TilesAcross => (Width + TileWidth - 1) / TileWidth;
    public long TilesDown => (Height + TileHeight - 1) / TileHeight;
    public int ChunkCount => offsets.Length;
    public string ChunkName => IsTiled ? "tile" : "strip";

    public (long Offset, long Count) Chunk(int index) => (offsets[index], counts[index]);

    /// <summary>Checks what is needed to find the pixels: sizes, the tile or strip arrays and that each lies in the file.</summary>
    internal void Validate(TiffFile file)
    {
        var where = $"directory {Index + 1}";
        if (Width is <= 0 or > int.MaxValue || Height is <= 0 or > int.MaxValue) throw file.Fail($"{where}: image size {Width} x {Height}");
        if (SamplesPerPixel is < 1 or > 8) throw file.Fail($"{where}: {SamplesPerPixel} samples per pixel");
        if (IsTiled && (TileWidth is <= 0 or > 65535 || TileHeight is <= 0 or > 65535)) throw file.Fail($"{where}: tile size {TileWidth} x {TileHeight}");
        if (!IsTiled && TileHeight <= 0) throw file.Fail($"{where}: {TileHeight} rows per strip");
        var planes = PlanarConfiguration == 2 ? SamplesPerPixel : 1;
        var expected = TilesAcross * TilesDown * planes;
        if (IsTiled is false) expected = TilesDown * planes;
        if (expected > 50_000_000) throw file.Fail($"{where}: {expected} {ChunkName}s");
        var offsetTag = IsTiled ? TiffTags.TileOffsets : TiffTags.StripOffsets;
        var countTag = IsTiled ? TiffTags.TileByteCounts : TiffTags.StripByteCounts;
        if (this[offsetTag] is not { IsInteger: true } o || this[countTag] is not { IsInteger: true } c)
            throw file.Fail($"{where}: no {ChunkName} offsets or byte counts");
        if (o.Count != expected || c.Count != expected)
            throw file.Fail($"{where}: {o.Count} {ChunkName} offsets and {c.Count} byte counts for {expected} {ChunkName}s");
        offsets = new long[expected];
        counts = new long[expected];
        for (var i = 0; i < expected; i++)
        {
            var at = o.Integer(i);
            var n = c.Integer(i);
            if (n > int.MaxValue || at > (ulong)file.Length || n > (ulong)file.Length - at)
                throw file.Fail($"{where}: {ChunkName} {i + 1} ({n} bytes at offset {at}) lies past the end of the file ({file.Length} bytes)");
            offsets[i] = (long)at;
            counts[i] = (long)n;
        }
    }

    public override string ToString() =>
        $"directory {Index + 1}: {Width} x {Height}, {(IsTiled ? $"tiles {TileWidth} x {TileHeight}" : $"strips of {TileHeight} rows")}, compression {Compression}";
}
