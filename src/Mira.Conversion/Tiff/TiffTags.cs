namespace Mira.Conversion.Tiff;

/// <summary>The TIFF 6.0 tags (and a few later ones) the slide reader uses, by number.</summary>
public static class TiffTags
{
    public const ushort NewSubfileType = 254;
    public const ushort ImageWidth = 256;
    public const ushort ImageLength = 257;
    public const ushort BitsPerSample = 258;
    public const ushort Compression = 259;
    public const ushort Photometric = 262;
    public const ushort ImageDescription = 270;
    public const ushort StripOffsets = 273;
    public const ushort Orientation = 274;
    public const ushort SamplesPerPixel = 277;
    public const ushort RowsPerStrip = 278;
    public const ushort StripByteCounts = 279;
    public const ushort XResolution = 282;
    public const ushort YResolution = 283;
    public const ushort PlanarConfiguration = 284;
    public const ushort ResolutionUnit = 296;
    public const ushort Software = 305;
    public const ushort Predictor = 317;
    public const ushort TileWidth = 322;
    public const ushort TileLength = 323;
    public const ushort TileOffsets = 324;
    public const ushort TileByteCounts = 325;
    public const ushort SampleFormat = 339;
    public const ushort JpegTables = 347;
    public const ushort YCbCrSubSampling = 530;
    public const ushort IccProfile = 34675;
}

/// <summary>TIFF compression schemes (tag 259) the reader knows.</summary>
public static class TiffCompression
{
    public const int None = 1;
    public const int Lzw = 5;
    public const int OldJpeg = 6;
    public const int Jpeg = 7;
    public const int AdobeDeflate = 8;
    public const int PackBits = 32773;
    public const int Deflate = 32946;
    public const int Jpeg2000Ycbcr = 33003;
    public const int Jpeg2000Rgb = 33005;
    public const int Jpeg2000 = 34712;
    public const int Zstd = 50000;

    public static bool IsJpeg2000(int c) => c is Jpeg2000Ycbcr or Jpeg2000Rgb or Jpeg2000;
}
