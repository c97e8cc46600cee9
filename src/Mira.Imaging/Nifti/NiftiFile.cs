using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Mira.Imaging.Nifti;

/// <summary>A NIfTI header, its extensions and its data array as stored (unscaled, converted to little-endian).</summary>
public sealed class NiftiImage
{
    public NiftiImage(NiftiHeader header, IReadOnlyList<NiftiExtension> extensions, byte[]? data)
    {
        Header = header;
        Extensions = extensions;
        Data = data;
    }

    public NiftiHeader Header { get; }
    public IReadOnlyList<NiftiExtension> Extensions { get; }
    /// <summary>The stored voxels, little-endian, dim[1] fastest; null when only the header was read.</summary>
    public byte[]? Data { get; }
}

/// <summary>
/// Reads and writes NIfTI-1 and NIfTI-2 files: single files (.nii, .nii.gz) and .hdr/.img pairs (also gzipped),
/// either byte order on reading (little-endian on writing).
/// </summary>
public static class NiftiFile
{
    /// <summary>Upper bound on the data array read from an untrusted file (bytes).</summary>
    public static long MaxDataLength { get; set; } = 1L << 34;

    public static bool IsNiftiPath(string path) =>
        path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".hdr", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".hdr.gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a file: header, extensions and data (for a pair, from the .img beside the .hdr).</summary>
    public static NiftiImage Read(string path) => Read(path, headerOnly: false);

    /// <summary>Reads only the header and extensions (a .hdr whose .img is absent is fine).</summary>
    public static NiftiImage ReadHeader(string path) => Read(path, headerOnly: true);

    static NiftiImage Read(string path, bool headerOnly)
    {
        try
        {
            using var stream = NiftiStreams.OpenMaybeGzip(path);
            var (prefix, consumed) = ReadHeaderPrefix(stream, path);
            var (header, extensions) = ParseHeader(prefix.AsSpan(0, consumed), path);
            if (headerOnly) return new NiftiImage(header, extensions, null);
            byte[] data;
            if (header.SingleFile)
            {
                data = ReadData(stream, prefix.AsSpan(0, consumed), (long)header.VoxOffset, header, path);
            }
            else
            {
                var img = PairImagePath(path);
                if (img is null) throw new ImagingException($"{path}: the header says .hdr/.img pair (magic {header.Magic}) but the .img beside it is missing");
                try
                {
                    using var imgStream = NiftiStreams.OpenMaybeGzip(img);
                    data = ReadData(imgStream, [], (long)header.VoxOffset, header, img);
                }
                catch (Exception e) when (e is IOException or InvalidDataException) { throw new ImagingException($"{img}: {e.Message}", e); }
            }
            if (header.BigEndian) Volumes.VoxelTypes.SwapBytes(data, NiftiHeader.SwapSizeOf(header.DataType));
            return new NiftiImage(header, extensions, data);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { throw new ImagingException($"{path}: {e.Message}", e); }
    }

    /// <summary>
    /// Reads a single-file NIfTI from a stream of its (already inflated) bytes, refusing a data array over
    /// <paramref name="maxDataLength"/> bytes before reading it; <paramref name="name"/> names it in messages.
    /// </summary>
    public static NiftiImage Read(Stream stream, string name, long maxDataLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            var (prefix, consumed) = ReadHeaderPrefix(stream, name);
            var (header, extensions) = ParseHeader(prefix.AsSpan(0, consumed), name);
            if (!header.SingleFile) throw new ImagingException($"{name}: a .hdr/.img pair (magic {header.Magic}) cannot be read from one stream");
            if (header.DataLength > maxDataLength) throw new ImagingException($"{name}: data array of {header.DataLength} bytes is over the limit ({maxDataLength})");
            var data = ReadData(stream, prefix.AsSpan(0, consumed), (long)header.VoxOffset, header, name);
            if (header.BigEndian) Volumes.VoxelTypes.SwapBytes(data, NiftiHeader.SwapSizeOf(header.DataType));
            return new NiftiImage(header, extensions, data);
        }
        catch (Exception e) when (e is IOException or InvalidDataException) { throw new ImagingException($"{name}: {e.Message}", e); }
    }

    /// <summary>Largest header plus extensions read before the data (a larger vox_offset is refused).</summary>
    const int MaxHeaderPrefix = 64 << 20;

    /// <summary>
    /// Reads the header and the extensions before the data (up to vox_offset for a single file; the whole .hdr of a
    /// pair) from the start of a decompressed stream: the first 544 bytes say the version and vox_offset.
    /// </summary>
    static (byte[] Prefix, int Length) ReadHeaderPrefix(Stream stream, string path)
    {
        var prefix = new byte[544];
        var n = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        var h = ParseHeaderOnly(prefix.AsSpan(0, n), path);
        if (n < h.SizeOfHdr + 4 || prefix[h.SizeOfHdr] == 0) return (prefix, n); // no extensions
        if (!h.SingleFile)
        {
            // A pair's .hdr holds the header and its extensions only: read it all (bounded).
            var rest = new MemoryStream();
            rest.Write(prefix, 0, n);
            var chunk = new byte[1 << 16];
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                if (rest.Length + read > MaxHeaderPrefix) throw new ImagingException($"{path}: a .hdr of over {MaxHeaderPrefix} bytes");
                rest.Write(chunk, 0, read);
            }
            return (rest.GetBuffer(), (int)rest.Length);
        }
        var wanted = (long)h.VoxOffset;
        if (wanted > MaxHeaderPrefix)
            throw new ImagingException($"{path}: vox_offset {h.VoxOffset} puts over {MaxHeaderPrefix} bytes of extensions before the data");
        if (wanted <= n) return (prefix, n);
        var grown = new byte[wanted];
        prefix.AsSpan(0, n).CopyTo(grown);
        n += stream.ReadAtLeast(grown.AsSpan(n), (int)wanted - n, throwOnEndOfStream: false);
        return (grown, n);
    }

    /// <summary>
    /// Reads the data array straight into its final array: <paramref name="consumed"/> holds the bytes already read
    /// from the start of <paramref name="stream"/> (the header), the rest comes from the stream with large reads.
    /// </summary>
    static byte[] ReadData(Stream stream, ReadOnlySpan<byte> consumed, long offset, NiftiHeader h, string path)
    {
        var len = h.DataLength;
        if (len > MaxDataLength) throw new ImagingException($"{path}: data array of {len} bytes is over the limit ({MaxDataLength})");
        if (len > Array.MaxLength) throw new ImagingException($"{path}: data array of {len} bytes is larger than one array can hold");
        if (offset < 0) throw new ImagingException($"{path}: vox_offset {offset} is negative");
        var data = GC.AllocateUninitializedArray<byte>((int)len);
        var filled = 0;
        long position = consumed.Length;
        if (offset < consumed.Length)
        {
            var from = consumed[(int)offset..];
            filled = Math.Min(from.Length, data.Length);
            from[..filled].CopyTo(data);
        }
        else
        {
            var skip = offset - consumed.Length;
            if (stream.CanSeek) { var target = Math.Min(stream.Position + skip, stream.Length); position += target - stream.Position; stream.Position = target; }
            else position += Skip(stream, skip);
        }
        if (filled < data.Length) filled += stream.ReadAtLeast(data.AsSpan(filled), data.Length - filled, throwOnEndOfStream: false);
        if (filled < data.Length)
            throw new ImagingException($"{path}: data array needs {len} bytes from offset {offset}, the file has {Math.Max(position, offset) + filled} bytes");
        return data;
    }

    static long Skip(Stream stream, long count)
    {
        var buffer = new byte[(int)Math.Min(count, 1 << 16)];
        long done = 0;
        while (done < count)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count - done));
            if (read == 0) break;
            done += read;
        }
        return done;
    }

    /// <summary>The .img (or .img.gz) beside a pair's .hdr, or null when there is none.</summary>
    public static string? PairImagePath(string hdrPath)
    {
        var gz = hdrPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        var stem = gz ? hdrPath[..^3] : hdrPath;
        stem = stem[..^4];
        foreach (var ext in new[] { ".img", ".IMG", ".img.gz", ".IMG.GZ" })
            if (File.Exists(stem + ext)) return stem + ext;
        return null;
    }

    /// <summary>Parses a header (and the extensions after it) from the start of a decompressed file.</summary>
    public static (NiftiHeader Header, IReadOnlyList<NiftiExtension> Extensions) ParseHeader(ReadOnlySpan<byte> b, string name = "NIfTI")
    {
        var h = ParseHeaderOnly(b, name);
        return (h, ParseExtensions(b, h, name));
    }

    static NiftiHeader ParseHeaderOnly(ReadOnlySpan<byte> b, string name)
    {
        if (b.Length < 348) throw new ImagingException($"{name}: {b.Length} bytes is too short for a NIfTI header");
        var le = BinaryPrimitives.ReadInt32LittleEndian(b);
        var be = BinaryPrimitives.ReadInt32BigEndian(b);
        var h = new NiftiHeader();
        if (le == 348 || be == 348) { h.Version = 1; h.BigEndian = le != 348; }
        else if (le == 540 || be == 540) { h.Version = 2; h.BigEndian = le != 540; }
        else throw new ImagingException($"{name}: sizeof_hdr is {le}, expected 348 (NIfTI-1) or 540 (NIfTI-2)");
        if (b.Length < h.SizeOfHdr) throw new ImagingException($"{name}: {b.Length} bytes is too short for a NIfTI-{h.Version} header");
        var r = new Reader(b, h.BigEndian);
        if (h.Version == 1) ParseV1(r, h, name); else ParseV2(r, h, name);
        if (h.Rank is < 1 or > 7) throw new ImagingException($"{name}: dim[0] is {h.Rank}, expected 1..7");
        for (var i = 1; i <= h.Rank; i++)
            if (h.Dim[i] < 1) throw new ImagingException($"{name}: dim[{i}] is {h.Dim[i]}");
        var bits = NiftiHeader.BitsOf(h.DataType);
        if (bits == 0) throw new ImagingException($"{name}: unknown datatype {(int)h.DataType}");
        if (h.BitPix != bits) h.BitPix = bits; // nifti1.h: datatype decides; a wrong bitpix is repaired.
        if (h.DataType == NiftiDataType.Binary) throw new ImagingException($"{name}: datatype 1 (binary, 1 bit) is not supported");
        return h;
    }

    static void ParseV1(Reader r, NiftiHeader h, string name)
    {
        h.DataTypeText = r.Text(4, 10);
        h.DbName = r.Text(14, 18);
        h.Extents = r.I32(32);
        h.SessionError = r.I16(36);
        h.Regular = r.U8(38);
        h.DimInfo = r.U8(39);
        for (var i = 0; i < 8; i++) h.Dim[i] = r.I16(40 + 2 * i);
        h.IntentP1 = r.F32(56); h.IntentP2 = r.F32(60); h.IntentP3 = r.F32(64);
        h.IntentCode = r.I16(68);
        h.DataType = (NiftiDataType)r.I16(70);
        h.BitPix = r.I16(72);
        h.SliceStart = r.I16(74);
        for (var i = 0; i < 8; i++) h.PixDim[i] = r.F32(76 + 4 * i);
        h.VoxOffset = r.F32(108);
        h.SclSlope = r.F32(112);
        h.SclInter = r.F32(116);
        h.SliceEnd = r.I16(120);
        h.SliceCode = r.U8(122);
        h.XyztUnits = r.U8(123);
        h.CalMax = r.F32(124); h.CalMin = r.F32(128);
        h.SliceDuration = r.F32(132); h.TOffset = r.F32(136);
        h.GlMax = r.I32(140); h.GlMin = r.I32(144);
        h.Descrip = r.Text(148, 80);
        h.AuxFile = r.Text(228, 24);
        h.QformCode = r.I16(252); h.SformCode = r.I16(254);
        h.QuaternB = r.F32(256); h.QuaternC = r.F32(260); h.QuaternD = r.F32(264);
        h.QOffsetX = r.F32(268); h.QOffsetY = r.F32(272); h.QOffsetZ = r.F32(276);
        for (var i = 0; i < 4; i++) { h.SrowX[i] = r.F32(280 + 4 * i); h.SrowY[i] = r.F32(296 + 4 * i); h.SrowZ[i] = r.F32(312 + 4 * i); }
        h.IntentName = r.Text(328, 16);
        var magic = r.Text(344, 4);
        h.SingleFile = magic switch
        {
            "n+1" => true,
            "ni1" => false,
            _ => throw new ImagingException($"{name}: magic is \"{magic}\", expected \"n+1\" or \"ni1\" (an ANALYZE 7.5 file is not NIfTI)"),
        };
    }

    static void ParseV2(Reader r, NiftiHeader h, string name)
    {
        var magic = r.Text(4, 4);
        h.SingleFile = magic switch
        {
            "n+2" => true,
            "ni2" => false,
            _ => throw new ImagingException($"{name}: magic is \"{magic}\", expected \"n+2\" or \"ni2\""),
        };
        h.EolCheck = [r.U8(8), r.U8(9), r.U8(10), r.U8(11)];
        h.DataType = (NiftiDataType)r.I16(12);
        h.BitPix = r.I16(14);
        for (var i = 0; i < 8; i++) h.Dim[i] = r.I64(16 + 8 * i);
        h.IntentP1 = r.F64(80); h.IntentP2 = r.F64(88); h.IntentP3 = r.F64(96);
        for (var i = 0; i < 8; i++) h.PixDim[i] = r.F64(104 + 8 * i);
        h.VoxOffset = r.I64(168);
        h.SclSlope = r.F64(176); h.SclInter = r.F64(184);
        h.CalMax = r.F64(192); h.CalMin = r.F64(200);
        h.SliceDuration = r.F64(208); h.TOffset = r.F64(216);
        h.SliceStart = r.I64(224); h.SliceEnd = r.I64(232);
        h.Descrip = r.Text(240, 80);
        h.AuxFile = r.Text(320, 24);
        h.QformCode = (short)r.I32(344); h.SformCode = (short)r.I32(348);
        h.QuaternB = r.F64(352); h.QuaternC = r.F64(360); h.QuaternD = r.F64(368);
        h.QOffsetX = r.F64(376); h.QOffsetY = r.F64(384); h.QOffsetZ = r.F64(392);
        for (var i = 0; i < 4; i++) { h.SrowX[i] = r.F64(400 + 8 * i); h.SrowY[i] = r.F64(432 + 8 * i); h.SrowZ[i] = r.F64(464 + 8 * i); }
        h.SliceCode = (byte)r.I32(496);
        h.XyztUnits = (byte)r.I32(500);
        h.IntentCode = (short)r.I32(504);
        h.IntentName = r.Text(508, 16);
        h.DimInfo = r.U8(524);
        h.UnusedStr = r.Text(525, 15);
        if (h.Dim[0] is < 1 or > 7) throw new ImagingException($"{name}: dim[0] is {h.Dim[0]}");
    }

    static List<NiftiExtension> ParseExtensions(ReadOnlySpan<byte> b, NiftiHeader h, string name)
    {
        var list = new List<NiftiExtension>();
        var pos = h.SizeOfHdr;
        // The 4-byte extender follows the header; extension[0] != 0 means extensions follow (nifti1.h §"extensions").
        if (b.Length < pos + 4 || b[pos] == 0) return list;
        pos += 4;
        var end = h.SingleFile ? (long)h.VoxOffset : b.Length;
        while (pos + 8 <= end && pos + 8 <= b.Length)
        {
            var esize = h.BigEndian ? BinaryPrimitives.ReadInt32BigEndian(b[pos..]) : BinaryPrimitives.ReadInt32LittleEndian(b[pos..]);
            var ecode = h.BigEndian ? BinaryPrimitives.ReadInt32BigEndian(b[(pos + 4)..]) : BinaryPrimitives.ReadInt32LittleEndian(b[(pos + 4)..]);
            if (esize < 8 || pos + esize > end || pos + esize > b.Length)
                throw new ImagingException($"{name}: header extension at byte {pos} has size {esize}, which does not fit before the data");
            list.Add(new NiftiExtension(ecode, b.Slice(pos + 8, esize - 8).ToArray()));
            pos += esize;
        }
        return list;
    }

    readonly ref struct Reader(ReadOnlySpan<byte> b, bool big)
    {
        readonly ReadOnlySpan<byte> b = b;
        public byte U8(int o) => b[o];
        public short I16(int o) => big ? BinaryPrimitives.ReadInt16BigEndian(b[o..]) : BinaryPrimitives.ReadInt16LittleEndian(b[o..]);
        public int I32(int o) => big ? BinaryPrimitives.ReadInt32BigEndian(b[o..]) : BinaryPrimitives.ReadInt32LittleEndian(b[o..]);
        public long I64(int o) => big ? BinaryPrimitives.ReadInt64BigEndian(b[o..]) : BinaryPrimitives.ReadInt64LittleEndian(b[o..]);
        public double F32(int o) => big ? BinaryPrimitives.ReadSingleBigEndian(b[o..]) : BinaryPrimitives.ReadSingleLittleEndian(b[o..]);
        public double F64(int o) => big ? BinaryPrimitives.ReadDoubleBigEndian(b[o..]) : BinaryPrimitives.ReadDoubleLittleEndian(b[o..]);
        public string Text(int o, int n)
        {
            var s = b.Slice(o, n);
            var len = n;
            while (len > 0 && s[len - 1] == 0) len--;
            return Encoding.Latin1.GetString(s[..len]);
        }
    }

    // ---------------------------------------------------------------- writing

    /// <summary>
    /// Writes a single-file NIfTI (.nii, or gzip when the path ends in .gz), little-endian, in the header's
    /// version. dim, bitpix and vox_offset are recomputed from the data and extensions; every other field is
    /// written as it is.
    /// </summary>
    public static void Write(string path, NiftiImage image)
    {
        var h = Prepared(image);
        using var file = File.Create(path);
        Write(file, h, image, path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Writes a single-file NIfTI to a stream (gzip-compressed when <paramref name="gzip"/>), as <see cref="Write(string, NiftiImage)"/> does to a file.</summary>
    public static void Write(Stream output, NiftiImage image, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(output);
        Write(output, Prepared(image), image, gzip);
    }

    /// <summary>The header as written: single file, bitpix and vox_offset recomputed, the data length checked.</summary>
    static NiftiHeader Prepared(NiftiImage image)
    {
        if (image.Data is null) throw new ImagingException("cannot write a NIfTI image without data");
        var h = image.Header.Clone();
        h.SingleFile = true;
        h.BitPix = NiftiHeader.BitsOf(h.DataType);
        if (h.DataLength != image.Data.LongLength)
            throw new ImagingException($"NIfTI data is {image.Data.LongLength} bytes, dim {string.Join('×', h.Shape)} of {h.DataType} needs {h.DataLength}");
        var extBytes = 0;
        foreach (var e in image.Extensions) extBytes += ExtensionSize(e);
        h.VoxOffset = h.SizeOfHdr + 4 + extBytes;
        return h;
    }

    static void Write(Stream file, NiftiHeader h, NiftiImage image, bool gzip)
    {
        Stream s = gzip ? new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true) : file;
        try
        {
            s.Write(Encode(h));
            s.Write(image.Extensions.Count > 0 ? [1, 0, 0, 0] : [0, 0, 0, 0]);
            foreach (var e in image.Extensions)
            {
                var size = ExtensionSize(e);
                var head = new byte[8];
                BinaryPrimitives.WriteInt32LittleEndian(head, size);
                BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(4), e.Code);
                s.Write(head);
                s.Write(e.Data);
                s.Write(new byte[size - 8 - e.Data.Length]);
            }
            s.Write(image.Data!);
        }
        finally { if (s != file) s.Dispose(); }
    }

    static int ExtensionSize(NiftiExtension e) => (8 + e.Data.Length + 15) / 16 * 16;

    /// <summary>The header bytes (348 or 540), little-endian.</summary>
    public static byte[] Encode(NiftiHeader h)
    {
        var b = new byte[h.SizeOfHdr];
        var w = new Writer(b);
        if (h.Version == 1)
        {
            if (h.Dim.Any(d => d > short.MaxValue)) throw new ImagingException("a dimension over 32767 needs NIfTI-2");
            w.I32(0, 348);
            w.Text(4, 10, h.DataTypeText);
            w.Text(14, 18, h.DbName);
            w.I32(32, h.Extents);
            w.I16(36, h.SessionError);
            b[38] = h.Regular;
            b[39] = h.DimInfo;
            for (var i = 0; i < 8; i++) w.I16(40 + 2 * i, (short)h.Dim[i]);
            w.F32(56, h.IntentP1); w.F32(60, h.IntentP2); w.F32(64, h.IntentP3);
            w.I16(68, h.IntentCode);
            w.I16(70, (short)h.DataType);
            w.I16(72, h.BitPix);
            w.I16(74, (short)h.SliceStart);
            for (var i = 0; i < 8; i++) w.F32(76 + 4 * i, h.PixDim[i]);
            w.F32(108, h.VoxOffset);
            w.F32(112, h.SclSlope); w.F32(116, h.SclInter);
            w.I16(120, (short)h.SliceEnd);
            b[122] = h.SliceCode;
            b[123] = h.XyztUnits;
            w.F32(124, h.CalMax); w.F32(128, h.CalMin);
            w.F32(132, h.SliceDuration); w.F32(136, h.TOffset);
            w.I32(140, h.GlMax); w.I32(144, h.GlMin);
            w.Text(148, 80, h.Descrip);
            w.Text(228, 24, h.AuxFile);
            w.I16(252, h.QformCode); w.I16(254, h.SformCode);
            w.F32(256, h.QuaternB); w.F32(260, h.QuaternC); w.F32(264, h.QuaternD);
            w.F32(268, h.QOffsetX); w.F32(272, h.QOffsetY); w.F32(276, h.QOffsetZ);
            for (var i = 0; i < 4; i++) { w.F32(280 + 4 * i, h.SrowX[i]); w.F32(296 + 4 * i, h.SrowY[i]); w.F32(312 + 4 * i, h.SrowZ[i]); }
            w.Text(328, 16, h.IntentName);
            w.Text(344, 4, h.SingleFile ? "n+1" : "ni1");
        }
        else
        {
            w.I32(0, 540);
            w.Text(4, 4, h.SingleFile ? "n+2" : "ni2");
            b[8] = 13; b[9] = 10; b[10] = 26; b[11] = 10;
            w.I16(12, (short)h.DataType);
            w.I16(14, h.BitPix);
            for (var i = 0; i < 8; i++) w.I64(16 + 8 * i, h.Dim[i]);
            w.F64(80, h.IntentP1); w.F64(88, h.IntentP2); w.F64(96, h.IntentP3);
            for (var i = 0; i < 8; i++) w.F64(104 + 8 * i, h.PixDim[i]);
            w.I64(168, (long)h.VoxOffset);
            w.F64(176, h.SclSlope); w.F64(184, h.SclInter);
            w.F64(192, h.CalMax); w.F64(200, h.CalMin);
            w.F64(208, h.SliceDuration); w.F64(216, h.TOffset);
            w.I64(224, h.SliceStart); w.I64(232, h.SliceEnd);
            w.Text(240, 80, h.Descrip);
            w.Text(320, 24, h.AuxFile);
            w.I32(344, h.QformCode); w.I32(348, h.SformCode);
            w.F64(352, h.QuaternB); w.F64(360, h.QuaternC); w.F64(368, h.QuaternD);
            w.F64(376, h.QOffsetX); w.F64(384, h.QOffsetY); w.F64(392, h.QOffsetZ);
            for (var i = 0; i < 4; i++) { w.F64(400 + 8 * i, h.SrowX[i]); w.F64(432 + 8 * i, h.SrowY[i]); w.F64(464 + 8 * i, h.SrowZ[i]); }
            w.I32(496, h.SliceCode);
            w.I32(500, h.XyztUnits);
            w.I32(504, h.IntentCode);
            w.Text(508, 16, h.IntentName);
            b[524] = h.DimInfo;
            w.Text(525, 15, h.UnusedStr);
        }
        return b;
    }

    readonly ref struct Writer(Span<byte> b)
    {
        readonly Span<byte> b = b;
        public void I16(int o, short v) => BinaryPrimitives.WriteInt16LittleEndian(b[o..], v);
        public void I32(int o, int v) => BinaryPrimitives.WriteInt32LittleEndian(b[o..], v);
        public void I64(int o, long v) => BinaryPrimitives.WriteInt64LittleEndian(b[o..], v);
        public void F32(int o, double v) => BinaryPrimitives.WriteSingleLittleEndian(b[o..], (float)v);
        public void F64(int o, double v) => BinaryPrimitives.WriteDoubleLittleEndian(b[o..], v);
        public void Text(int o, int n, string s)
        {
            var bytes = Encoding.Latin1.GetBytes(s);
            bytes.AsSpan(0, Math.Min(bytes.Length, n)).CopyTo(b.Slice(o, n));
        }
    }
}
