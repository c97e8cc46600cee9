namespace Mira.Dicom.Codecs.Jpeg;

/// <summary>One image component of a frame (T.81 §B.2.2) with its decoded samples.</summary>
internal sealed class JpegComponent
{
    public int Id, H, V, Tq;
    /// <summary>Samples of the component before upsampling: ceil(X·H/Hmax) × ceil(Y·V/Vmax).</summary>
    public int Width, Height;
    /// <summary>The sample plane, <see cref="Stride"/> wide; for DCT frames it covers whole blocks of whole MCUs.</summary>
    public ushort[] Plane = [];
    public int Stride, PlaneHeight;
    public int DcPredictor;
    public JpegHuffmanTable? Dc, Ac;
    public bool Decoded;
}

/// <summary>
/// Decodes one JPEG image of the DCT sequential (SOF0, SOF1: processes 1, 2, 4) or lossless (SOF3: process 14)
/// kind, Huffman coded, into a sample plane per component; interleaving, upsampling and colour are left to
/// <see cref="JpegCodec"/>.
/// </summary>
internal sealed class JpegDecoder(int expectedWidth = 0, int expectedHeight = 0, int expectedComponents = 0)
{
    readonly JpegHuffmanTable?[] dcTables = new JpegHuffmanTable?[4];
    readonly JpegHuffmanTable?[] acTables = new JpegHuffmanTable?[4];
    readonly ushort[]?[] quantTables = new ushort[4][];
    int restartInterval;

    /// <summary>0, 1 (DCT sequential) or 3 (lossless); -1 before SOF.</summary>
    public int FrameType { get; private set; } = -1;
    public int Precision { get; private set; }
    public int Width { get; private set; }
    public int Height { get; private set; }
    public int MaxH { get; private set; } = 1;
    public int MaxV { get; private set; } = 1;
    public JpegComponent[] Components { get; private set; } = [];
    /// <summary>The Adobe APP14 colour transform flag, -1 where there is no Adobe segment.</summary>
    public int AdobeTransform { get; private set; } = -1;
    public bool HasJfif { get; private set; }

    public static DicomCodecException Fail(string message, int offset) => new($"JPEG: {message} at byte {offset}");

    public void Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8) throw Fail("the frame does not start with an SOI marker", 0);
        var pos = 2;
        while (true)
        {
            if (pos >= data.Length)
            {
                // Tolerate a missing EOI when every component has been decoded (libjpeg warns and goes on).
                if (FrameType >= 0 && Components.All(c => c.Decoded)) return;
                throw Fail("data ends before the EOI marker", pos);
            }
            if (data[pos] != 0xFF)
            {
                // Trailing padding after the last scan (e.g. the even-length pad byte of a fragment).
                if (FrameType >= 0 && Components.All(c => c.Decoded) && data[pos..].IndexOfAnyExcept((byte)0) < 0) return;
                throw Fail($"expected a marker, found 0x{data[pos]:X2}", pos);
            }
            var markerStart = pos;
            while (pos < data.Length && data[pos] == 0xFF) pos++;
            if (pos >= data.Length) throw Fail("data ends inside a marker", markerStart);
            int marker = data[pos++];
            if (marker == 0xD9) return; // EOI
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0)
                throw Fail($"unexpected marker 0x{marker:X2}", markerStart);
            if (marker == 0x01) continue; // TEM has no segment
            if (pos + 2 > data.Length) throw Fail($"data ends inside the length of marker 0x{marker:X2}", pos);
            var length = (data[pos] << 8) | data[pos + 1];
            if (length < 2 || pos + length > data.Length) throw Fail($"segment length {length} of marker 0x{marker:X2} runs past the data", pos);
            var segment = data.Slice(pos + 2, length - 2);
            var segmentStart = pos + 2;
            pos += length;
            switch (marker)
            {
                case 0xC4: ReadHuffmanTables(segment, segmentStart); break;
                case 0xDB: ReadQuantTables(segment, segmentStart); break;
                case 0xDD:
                    if (segment.Length < 2) throw Fail("DRI segment is too short", segmentStart);
                    restartInterval = (segment[0] << 8) | segment[1];
                    break;
                case 0xC0 or 0xC1 or 0xC3: ReadFrameHeader(marker - 0xC0, segment, segmentStart); break;
                case 0xC2: throw Fail("progressive JPEG (SOF2) is not supported", markerStart);
                case >= 0xC5 and <= 0xCF and not 0xC8:
                    throw Fail($"JPEG process of SOF{marker - 0xC0} (hierarchical or arithmetic coding) is not supported", markerStart);
                case 0xDC: throw Fail("DNL marker (number of lines defined after the first scan) is not supported", markerStart);
                case 0xDA: pos = ReadScan(data, segment, segmentStart, pos); break;
                case 0xE0:
                    if (segment.Length >= 5 && segment[..5].SequenceEqual("JFIF\0"u8)) HasJfif = true;
                    break;
                case 0xEE:
                    if (segment.Length >= 12 && segment[..5].SequenceEqual("Adobe"u8)) AdobeTransform = segment[11];
                    break;
                default: break; // APPn, COM, JPGn and the like
            }
        }
    }

    void ReadHuffmanTables(ReadOnlySpan<byte> s, int offset)
    {
        var p = 0;
        while (p < s.Length)
        {
            if (p + 17 > s.Length) throw Fail("DHT segment is too short", offset + p);
            int tc = s[p] >> 4, th = s[p] & 15;
            if (tc > 1 || th > 3) throw Fail($"DHT table class {tc} / destination {th} is invalid", offset + p);
            var counts = s.Slice(p + 1, 16);
            var total = 0;
            foreach (var c in counts) total += c;
            if (total > 256 || p + 17 + total > s.Length) throw Fail("DHT segment is too short for its symbol counts", offset + p);
            var table = JpegHuffmanTable.Create(counts, s.Slice(p + 17, total)) ?? throw Fail("DHT code lengths do not form a valid Huffman code", offset + p);
            (tc == 0 ? dcTables : acTables)[th] = table;
            p += 17 + total;
        }
    }

    void ReadQuantTables(ReadOnlySpan<byte> s, int offset)
    {
        var p = 0;
        while (p < s.Length)
        {
            int pq = s[p] >> 4, tq = s[p] & 15;
            if (pq > 1 || tq > 3) throw Fail($"DQT precision {pq} / destination {tq} is invalid", offset + p);
            var size = pq == 0 ? 64 : 128;
            if (p + 1 + size > s.Length) throw Fail("DQT segment is too short", offset + p);
            var q = new ushort[64];
            for (var k = 0; k < 64; k++)
                q[JpegIdct.ZigZag[k]] = pq == 0 ? s[p + 1 + k] : (ushort)((s[p + 1 + 2 * k] << 8) | s[p + 2 + 2 * k]);
            quantTables[tq] = q;
            p += 1 + size;
        }
    }

    void ReadFrameHeader(int type, ReadOnlySpan<byte> s, int offset)
    {
        if (FrameType >= 0) throw Fail("a second frame header (SOF) in one image", offset);
        if (s.Length < 6) throw Fail("SOF segment is too short", offset);
        Precision = s[0];
        Height = (s[1] << 8) | s[2];
        Width = (s[3] << 8) | s[4];
        int nf = s[5];
        if (type == 3 ? Precision is < 2 or > 16 : Precision is not (8 or 12) || (type == 0 && Precision != 8))
            throw Fail($"sample precision {Precision} is not valid for SOF{type}", offset);
        if (Height == 0) throw Fail("number of lines 0 (defined by DNL) is not supported", offset + 1);
        if (Width == 0) throw Fail("number of samples per line is 0", offset + 3);
        if (nf is < 1 or > 4) throw Fail($"{nf} components per frame are not supported", offset + 5);
        // Checked before any allocation, so that a damaged header cannot ask for gigabytes.
        if ((expectedWidth > 0 && Width != expectedWidth) || (expectedHeight > 0 && Height != expectedHeight))
            throw Fail($"the JPEG image is {Width}x{Height}, the data set says {expectedWidth}x{expectedHeight}", offset + 1);
        if (expectedComponents > 0 && nf != expectedComponents)
            throw Fail($"the JPEG image has {nf} components, the data set {expectedComponents} samples per pixel", offset + 5);
        if (s.Length < 6 + 3 * nf) throw Fail("SOF segment is too short for its components", offset);
        var comps = new JpegComponent[nf];
        for (var i = 0; i < nf; i++)
        {
            var c = comps[i] = new JpegComponent { Id = s[6 + 3 * i], H = s[7 + 3 * i] >> 4, V = s[7 + 3 * i] & 15, Tq = s[8 + 3 * i] };
            if (c.H is < 1 or > 4 || c.V is < 1 or > 4) throw Fail($"sampling factors {c.H}x{c.V} of component {c.Id} are invalid", offset + 7 + 3 * i);
            if (c.Tq > 3) throw Fail($"quantisation table {c.Tq} of component {c.Id} is invalid", offset + 8 + 3 * i);
            for (var j = 0; j < i; j++)
                if (comps[j].Id == c.Id) throw Fail($"component identifier {c.Id} appears twice", offset + 6 + 3 * i);
        }
        FrameType = type;
        MaxH = comps.Max(c => c.H);
        MaxV = comps.Max(c => c.V);
        if (type == 3 && (MaxH > 1 || MaxV > 1)) throw Fail("subsampled components in a lossless frame are not supported", offset);
        var mcusX = (Width + 8 * MaxH - 1) / (8 * MaxH);
        var mcusY = (Height + 8 * MaxV - 1) / (8 * MaxV);
        foreach (var c in comps)
        {
            c.Width = (Width * c.H + MaxH - 1) / MaxH;
            c.Height = (Height * c.V + MaxV - 1) / MaxV;
            if (type == 3)
            {
                c.Stride = c.Width;
                c.PlaneHeight = c.Height;
            }
            else
            {
                c.Stride = mcusX * c.H * 8;
                c.PlaneHeight = mcusY * c.V * 8;
            }
            c.Plane = new ushort[(long)c.Stride * c.PlaneHeight];
        }
        Components = comps;
    }

    int ReadScan(ReadOnlySpan<byte> data, ReadOnlySpan<byte> s, int offset, int dataStart)
    {
        if (FrameType < 0) throw Fail("SOS before the frame header", offset);
        if (s.Length < 1) throw Fail("SOS segment is too short", offset);
        int ns = s[0];
        if (ns is < 1 or > 4 || s.Length < 4 + 2 * ns) throw Fail($"SOS with {ns} components is invalid or too short", offset);
        var comps = new JpegComponent[ns];
        var blocksPerMcu = 0;
        for (var i = 0; i < ns; i++)
        {
            int id = s[1 + 2 * i], td = s[2 + 2 * i] >> 4, ta = s[2 + 2 * i] & 15;
            var c = Array.Find(Components, x => x.Id == id) ?? throw Fail($"scan component {id} is not in the frame", offset + 1 + 2 * i);
            if (Array.IndexOf(comps, c) >= 0) throw Fail($"scan component {id} appears twice", offset + 1 + 2 * i);
            if (td > 3 || ta > 3) throw Fail("scan Huffman table selector is invalid", offset + 2 + 2 * i);
            c.Dc = dcTables[td] ?? throw Fail($"DC/lossless Huffman table {td} is not defined", offset + 2 + 2 * i);
            if (FrameType != 3) c.Ac = acTables[ta] ?? throw Fail($"AC Huffman table {ta} is not defined", offset + 2 + 2 * i);
            c.DcPredictor = 0;
            comps[i] = c;
            blocksPerMcu += c.H * c.V;
        }
        int ss = s[1 + 2 * ns], ah = s[3 + 2 * ns] >> 4, al = s[3 + 2 * ns] & 15;
        var reader = new JpegBitReader(data, dataStart);
        if (FrameType == 3)
        {
            if (ss is < 1 or > 7) throw Fail($"lossless predictor {ss} is invalid", offset + 1 + 2 * ns);
            if (al >= Precision) throw Fail($"point transform {al} is not below the precision {Precision}", offset + 3 + 2 * ns);
            DecodeLosslessScan(ref reader, comps, ss, al);
        }
        else
        {
            // Ss, Se, Ah and Al are fixed in sequential mode; libjpeg only warns about other values, so do we (silently).
            _ = ah;
            if (ns > 1 && blocksPerMcu > 10) throw Fail($"{blocksPerMcu} blocks per MCU exceed the limit of 10", offset);
            foreach (var c in comps)
                if (quantTables[c.Tq] is null) throw Fail($"quantisation table {c.Tq} is not defined", offset);
            DecodeDctScan(ref reader, comps);
        }
        foreach (var c in comps) c.Decoded = true;
        return reader.FindMarker();
    }

    void DecodeDctScan(ref JpegBitReader reader, JpegComponent[] comps)
    {
        Span<int> block = stackalloc int[64];
        int mcusX, mcusY;
        if (comps.Length == 1)
        {
            mcusX = (comps[0].Width + 7) / 8;
            mcusY = (comps[0].Height + 7) / 8;
        }
        else
        {
            mcusX = (Width + 8 * MaxH - 1) / (8 * MaxH);
            mcusY = (Height + 8 * MaxV - 1) / (8 * MaxV);
        }
        var single = comps.Length == 1;
        var restartsLeft = restartInterval;
        var nextRst = 0;
        for (var my = 0; my < mcusY; my++)
        {
            for (var mx = 0; mx < mcusX; mx++)
            {
                if (restartInterval > 0)
                {
                    if (restartsLeft == 0)
                    {
                        reader.Restart(nextRst);
                        nextRst = (nextRst + 1) & 7;
                        restartsLeft = restartInterval;
                        foreach (var c in comps) c.DcPredictor = 0;
                    }
                    restartsLeft--;
                }
                foreach (var c in comps)
                {
                    int bh = single ? 1 : c.H, bv = single ? 1 : c.V;
                    var q = quantTables[c.Tq]!;
                    for (var by = 0; by < bv; by++)
                        for (var bx = 0; bx < bh; bx++)
                        {
                            DecodeBlock(ref reader, c, block);
                            var row = (my * bv + by) * 8;
                            var col = (mx * bh + bx) * 8;
                            JpegIdct.Transform(block, q, Precision, c.Plane, row * c.Stride + col, c.Stride);
                            block.Clear();
                        }
                }
            }
        }
    }

    void DecodeBlock(ref JpegBitReader reader, JpegComponent c, scoped Span<int> block)
    {
        var t = reader.Decode(c.Dc!);
        if (t > 15) throw Fail($"DC difference category {t} is invalid", reader.Offset);
        if (t != 0) c.DcPredictor += reader.ReceiveExtend(t);
        block[0] = (short)c.DcPredictor; // libjpeg keeps coefficients as 16-bit values
        var ac = c.Ac!;
        var zz = JpegIdct.ZigZag;
        for (var k = 1; k < 64; k++)
        {
            var rs = reader.Decode(ac);
            int r = rs >> 4, size = rs & 15;
            if (size == 0)
            {
                if (r != 15) break; // EOB
                k += 15;            // ZRL
                continue;
            }
            k += r;
            if (k > 63) throw Fail("AC coefficients run past the end of the block", reader.Offset);
            block[zz[k]] = (short)reader.ReceiveExtend(size);
        }
    }

    void DecodeLosslessScan(ref JpegBitReader reader, JpegComponent[] comps, int predictor, int pointTransform)
    {
        // T.81 Annex H: all components have H = V = 1, so an MCU is one sample of each scan component.
        // Each line's differences are decoded first, then each component's line is reconstructed.
        int width = Width, height = Height, nc = comps.Length;
        var initial = 1 << (Precision - pointTransform - 1);
        var restartsLeft = restartInterval;
        var nextRst = 0;
        var diffs = new int[width * nc];
        var resetAt = restartInterval > 0 ? new bool[width] : null;
        var tables = new JpegHuffmanTable[nc];
        for (var ci = 0; ci < nc; ci++) tables[ci] = comps[ci].Dc!;
        for (var y = 0; y < height; y++)
        {
            var anyReset = false;
            if (resetAt is not null)
            {
                Array.Clear(resetAt);
                for (var x = 0; x < width; x++)
                {
                    if (restartsLeft == 0)
                    {
                        reader.Restart(nextRst);
                        nextRst = (nextRst + 1) & 7;
                        restartsLeft = restartInterval;
                        resetAt[x] = anyReset = true;
                    }
                    restartsLeft--;
                    for (var ci = 0; ci < nc; ci++) diffs[x * nc + ci] = DecodeDifference(ref reader, tables[ci]);
                }
            }
            else if (nc == 1)
            {
                var t = tables[0];
                for (var x = 0; x < width; x++) diffs[x] = DecodeDifference(ref reader, t);
            }
            else
            {
                for (var x = 0; x < width; x++)
                    for (var ci = 0; ci < nc; ci++) diffs[x * nc + ci] = DecodeDifference(ref reader, tables[ci]);
            }

            for (var ci = 0; ci < nc; ci++)
            {
                var row = comps[ci].Plane.AsSpan(y * width, width);
                if (y == 0 || anyReset)
                {
                    // The first line of the scan or of a restart interval predicts from the left only; the sample
                    // after a restart (and the first of the scan) is predicted by 2^(P − Pt − 1) (T.81 §H.1.2.1).
                    var above = y > 0 ? comps[ci].Plane.AsSpan((y - 1) * width, width) : default;
                    var horizontal = y == 0;
                    for (var x = 0; x < width; x++)
                    {
                        var d = diffs[x * nc + ci];
                        int prediction;
                        if ((y == 0 && x == 0) || (resetAt is not null && resetAt[x]))
                        {
                            prediction = initial;
                            horizontal = true;
                        }
                        else if (horizontal) prediction = row[x - 1];
                        else if (x == 0) prediction = above[0];
                        else prediction = Predict(predictor, row[x - 1], above[x], above[x - 1]);
                        row[x] = (ushort)(prediction + d);
                    }
                }
                else ReconstructLine(row, comps[ci].Plane.AsSpan((y - 1) * width, width), diffs, ci, nc, predictor);
            }
        }
        if (pointTransform > 0)
            foreach (var c in comps)
            {
                var p = c.Plane;
                for (var i = 0; i < p.Length; i++) p[i] = (ushort)(p[i] << pointTransform);
            }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static int DecodeDifference(ref JpegBitReader reader, JpegHuffmanTable table)
    {
        var t = reader.Decode(table);
        if (t == 0) return 0;
        if (t < 16) return reader.ReceiveExtend(t);
        if (t == 16) return 32768;
        throw Fail($"lossless difference category {t} is invalid", reader.Offset);
    }

    /// <summary>One line below the first with no restart in it: Rb for the first sample, the selected predictor after.</summary>
    static void ReconstructLine(Span<ushort> row, ReadOnlySpan<ushort> above, int[] diffs, int ci, int nc, int predictor)
    {
        var w = row.Length;
        row[0] = (ushort)(above[0] + diffs[ci]);
        int ra = row[0];
        switch (predictor)
        {
            case 1:
                for (var x = 1; x < w; x++) row[x] = (ushort)(ra = (ushort)(ra + diffs[x * nc + ci]));
                break;
            case 2:
                for (var x = 1; x < w; x++) row[x] = (ushort)(above[x] + diffs[x * nc + ci]);
                break;
            case 3:
                for (var x = 1; x < w; x++) row[x] = (ushort)(above[x - 1] + diffs[x * nc + ci]);
                break;
            case 4:
                for (var x = 1; x < w; x++) row[x] = (ushort)(ra = (ushort)(ra + above[x] - above[x - 1] + diffs[x * nc + ci]));
                break;
            case 5:
                for (var x = 1; x < w; x++) row[x] = (ushort)(ra = (ushort)(ra + ((above[x] - above[x - 1]) >> 1) + diffs[x * nc + ci]));
                break;
            case 6:
                for (var x = 1; x < w; x++) row[x] = (ushort)(ra = (ushort)(above[x] + ((ra - above[x - 1]) >> 1) + diffs[x * nc + ci]));
                break;
            default:
                for (var x = 1; x < w; x++) row[x] = (ushort)(ra = (ushort)(((ra + above[x]) >> 1) + diffs[x * nc + ci]));
                break;
        }
    }

    /// <summary>The predictors of T.81 Table H.1 (with arithmetic right shifts, as libjpeg).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int Predict(int selection, int ra, int rb, int rc) => selection switch
    {
        1 => ra,
        2 => rb,
        3 => rc,
        4 => ra + rb - rc,
        5 => ra + ((rb - rc) >> 1),
        6 => rb + ((ra - rc) >> 1),
        _ => (ra + rb) >> 1,
    };
}
