using System.Buffers.Binary;

namespace Mira.Dicom.Codecs.JpegLs;

/// <summary>What a JPEG-LS frame header (SOF55, T.87 §C.2.2) declares.</summary>
internal readonly record struct JpegLsFrameInfo(int Width, int Height, int BitsPerSample, int Components);

/// <summary>
/// Decodes one JPEG-LS interchange-format image (ITU-T T.87 Annex C syntax, Annex A decoding) into native
/// little-endian, colour-by-pixel samples: 1 byte per sample for precision ≤ 8, 2 bytes otherwise.
/// Supports 2–16 bits, any number of components up to 4 (DICOM uses 1 or 3), interleave modes 0/1/2, NEAR ≥ 0,
/// LSE preset coding parameters (type 1) and oversize dimensions (type 4), and restart markers. Mapping tables
/// (LSE types 2 and 3, Tm ≠ 0) and point transforms are not used in DICOM and are rejected.
/// </summary>
internal static class JpegLsDecoder
{
    const string Codec = "JPEG-LS";

    static DicomCodecException Fail(int offset, string message) => new($"{Codec}: {message} (at byte offset {offset})");

    /// <summary>Reads the frame header only.</summary>
    public static JpegLsFrameInfo ReadFrameInfo(ReadOnlySpan<byte> data)
    {
        var state = new HeaderState();
        var pos = ExpectSoi(data);
        while (true)
        {
            var (marker, at) = NextMarker(data, ref pos);
            if (marker == 0xF7)
            {
                ReadSof(data, ref pos, at, ref state);
                return state.Frame;
            }
            if (marker == 0xD9) throw Fail(at, "EOI before a frame header");
            SkipOrReadSegment(data, ref pos, at, marker, ref state);
        }
    }

    /// <summary>
    /// Decodes the whole image into <paramref name="destination"/> (Width × Height × Components samples). Samples are
    /// written as coded: signed pixel data keeps its two's complement bits, without sign extension above P bits.
    /// </summary>
    public static JpegLsFrameInfo Decode(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var state = new HeaderState();
        var pos = ExpectSoi(data);
        var sawFrame = false;
        var sawScan = false;
        while (true)
        {
            if (pos >= data.Length)
            {
                if (!sawScan) throw Fail(pos, "the data ends before a scan");
                for (var c = 0; c < state.Done!.Length; c++)
                    if (!state.Done[c]) throw Fail(pos, $"the data ends before component {c + 1} was coded");
                return state.Frame; // a missing EOI after complete scans is tolerated
            }
            var (marker, at) = NextMarker(data, ref pos);
            switch (marker)
            {
                case 0xF7:
                    if (sawFrame) throw Fail(at, "a second frame header");
                    ReadSof(data, ref pos, at, ref state);
                    sawFrame = true;
                    var frame = state.Frame;
                    var bytesPerSample = frame.BitsPerSample <= 8 ? 1 : 2;
                    var needed = (long)frame.Width * frame.Height * frame.Components * bytesPerSample;
                    if (needed > destination.Length)
                        throw Fail(at, $"the image ({frame.Width}×{frame.Height}×{frame.Components}, {frame.BitsPerSample} bits) needs {needed} bytes, the destination has {destination.Length}");
                    state.Done = new bool[frame.Components];
                    break;
                case 0xDA:
                    if (!sawFrame) throw Fail(at, "a scan before the frame header");
                    pos = DecodeScan(data, pos, at, ref state, destination);
                    sawScan = true;
                    break;
                case 0xD9:
                    if (!sawScan) throw Fail(at, "EOI before any scan");
                    for (var c = 0; c < state.Done!.Length; c++)
                        if (!state.Done[c]) throw Fail(at, $"component {c + 1} has no scan");
                    return state.Frame;
                default:
                    SkipOrReadSegment(data, ref pos, at, marker, ref state);
                    break;
            }
        }
    }

    struct HeaderState
    {
        public JpegLsFrameInfo Frame;
        public byte[]? ComponentIds;
        public bool[]? Done;
        public int MaxVal, T1, T2, T3, Reset; // from LSE type 1, 0 = default
        public int RestartInterval;
    }

    static int ExpectSoi(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8)
            throw Fail(0, "the data does not start with an SOI marker");
        return 2;
    }

    /// <summary>Reads the next marker at <paramref name="pos"/>, skipping fill bytes (0xFF).</summary>
    static (byte Marker, int At) NextMarker(ReadOnlySpan<byte> data, ref int pos)
    {
        var at = pos;
        if (pos >= data.Length || data[pos] != 0xFF) throw Fail(pos, "a marker was expected");
        while (pos < data.Length && data[pos] == 0xFF) pos++;
        if (pos >= data.Length) throw Fail(pos, "the data ends inside a marker");
        var m = data[pos++];
        if (m == 0x00) throw Fail(at, "a marker was expected");
        return (m, at);
    }

    static int SegmentLength(ReadOnlySpan<byte> data, int pos, int at)
    {
        if (pos + 2 > data.Length) throw Fail(at, "the data ends inside a marker segment");
        var len = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
        if (len < 2 || pos + len > data.Length) throw Fail(at, $"marker segment length {len} runs past the end of the data");
        return len;
    }

    static void SkipOrReadSegment(ReadOnlySpan<byte> data, ref int pos, int at, byte marker, ref HeaderState state)
    {
        switch (marker)
        {
            case >= 0xE0 and <= 0xEF: // APPn
            case 0xFE:                // COM
                pos += SegmentLength(data, pos, at);
                return;
            case 0xF8:
                ReadLse(data, ref pos, at, ref state);
                return;
            case 0xDD:
                {
                    var len = SegmentLength(data, pos, at);
                    if (len < 4 || len > 6) throw Fail(at, $"DRI segment length {len}");
                    var ri = 0;
                    for (var i = 2; i < len; i++) ri = (ri << 8) | data[pos + i];
                    state.RestartInterval = ri;
                    pos += len;
                    return;
                }
            case >= 0xC0 and <= 0xCF when marker is not 0xC4 and not 0xC8 and not 0xCC:
                throw Fail(at, $"SOF marker 0xFF{marker:X2} is not JPEG-LS (SOF55, 0xFFF7)");
            case >= 0xD0 and <= 0xD7:
                throw Fail(at, $"unexpected restart marker RST{marker - 0xD0}");
            case 0xD8:
                throw Fail(at, "a second SOI marker");
            default:
                // Other segments (DNL, DQT, DHT…) do not occur in JPEG-LS images: skip them when they have a length.
                if (marker is 0x01) return;
                pos += SegmentLength(data, pos, at);
                return;
        }
    }

    static void ReadSof(ReadOnlySpan<byte> data, ref int pos, int at, ref HeaderState state)
    {
        var len = SegmentLength(data, pos, at);
        var s = data.Slice(pos + 2, len - 2);
        if (s.Length < 6) throw Fail(at, "SOF55 segment too short");
        int p = s[0], y = BinaryPrimitives.ReadUInt16BigEndian(s[1..]), x = BinaryPrimitives.ReadUInt16BigEndian(s[3..]), nf = s[5];
        if (p < 2 || p > 16) throw Fail(at, $"sample precision {p} is outside 2..16");
        if (nf < 1 || nf > 4) throw Fail(at, $"{nf} components are not supported");
        if (s.Length != 6 + 3 * nf) throw Fail(at, $"SOF55 length {len} does not match {nf} components");
        if (state.Frame.Width > 0) { x = x == 0 ? state.Frame.Width : x; y = y == 0 ? state.Frame.Height : y; } // set by LSE type 4
        if (x < 1 || y < 1) throw Fail(at, $"image size {x}×{y} is not supported");
        var ids = new byte[nf];
        for (var i = 0; i < nf; i++)
        {
            ids[i] = s[6 + 3 * i];
            var hv = s[7 + 3 * i];
            if (hv != 0x11 && hv != 0x00) throw Fail(at, "sub-sampled components are not supported");
            for (var j = 0; j < i; j++)
                if (ids[j] == ids[i]) throw Fail(at, $"duplicate component identifier {ids[i]}");
        }
        state.ComponentIds = ids;
        state.Frame = new JpegLsFrameInfo(x, y, p, nf);
        pos += len;
    }

    static void ReadLse(ReadOnlySpan<byte> data, ref int pos, int at, ref HeaderState state)
    {
        var len = SegmentLength(data, pos, at);
        var s = data.Slice(pos + 2, len - 2);
        if (s.Length < 1) throw Fail(at, "empty LSE segment");
        switch (s[0])
        {
            case 1:
                if (s.Length != 11) throw Fail(at, $"LSE preset parameters segment length {len}");
                state.MaxVal = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
                state.T1 = BinaryPrimitives.ReadUInt16BigEndian(s[3..]);
                state.T2 = BinaryPrimitives.ReadUInt16BigEndian(s[5..]);
                state.T3 = BinaryPrimitives.ReadUInt16BigEndian(s[7..]);
                state.Reset = BinaryPrimitives.ReadUInt16BigEndian(s[9..]);
                break;
            case 2:
            case 3:
                throw Fail(at, "LSE mapping tables (palettised JPEG-LS) are not supported");
            case 4:
                {
                    if (s.Length < 2) throw Fail(at, "LSE oversize segment too short");
                    var wxy = s[1];
                    if (wxy < 2 || wxy > 4 || s.Length != 2 + 2 * wxy) throw Fail(at, $"LSE oversize segment with Wxy {wxy}");
                    long y = 0, x = 0;
                    for (var i = 0; i < wxy; i++) y = (y << 8) | s[2 + i];
                    for (var i = 0; i < wxy; i++) x = (x << 8) | s[2 + wxy + i];
                    if (x > 65535 || y > 65535) throw Fail(at, $"image size {x}×{y} is too large");
                    if (state.ComponentIds is not null && (state.Frame.Width != x || state.Frame.Height != y))
                        throw Fail(at, "an LSE oversize segment after the frame header changes the image size");
                    state.Frame = state.Frame with { Width = (int)x, Height = (int)y };
                    break;
                }
            default:
                throw Fail(at, $"LSE segment type {s[0]} (e.g. a JPEG-LS part 2 colour transform) is not supported");
        }
        pos += len;
    }

    /// <summary>One component's line buffers: index 0 is x = −1, index Width + 1 is x = Width.</summary>
    sealed class Lines(int width)
    {
        public int[] Previous = new int[width + 2];
        public int[] Current = new int[width + 2];
        public int RunIndex;

        public void Swap() => (Previous, Current) = (Current, Previous);

        public void Clear()
        {
            Previous.AsSpan().Clear();
            Current.AsSpan().Clear();
            RunIndex = 0;
        }
    }

    static int DecodeScan(ReadOnlySpan<byte> data, int pos, int at, ref HeaderState state, Span<byte> destination)
    {
        var len = SegmentLength(data, pos, at);
        var s = data.Slice(pos + 2, len - 2);
        if (s.Length < 1) throw Fail(at, "SOS segment too short");
        var ns = s[0];
        if (ns < 1 || ns > 4 || s.Length != 1 + 2 * ns + 3) throw Fail(at, $"SOS segment length {len} for {ns} components");
        var frame = state.Frame;
        var comps = new int[ns];
        for (var i = 0; i < ns; i++)
        {
            var idx = Array.IndexOf(state.ComponentIds!, s[1 + 2 * i]);
            if (idx < 0) throw Fail(at, $"scan component {s[1 + 2 * i]} is not in the frame");
            if (state.Done![idx]) throw Fail(at, $"component {idx + 1} is coded twice");
            if (s[2 + 2 * i] != 0) throw Fail(at, "mapping tables (Tm ≠ 0) are not supported");
            comps[i] = idx;
        }
        int near = s[1 + 2 * ns], ilv = s[2 + 2 * ns], pt = s[3 + 2 * ns];
        if (ilv > 2) throw Fail(at, $"interleave mode {ilv}");
        if (ns > 1 && ilv == 0) throw Fail(at, "a multi-component scan with interleave mode 0");
        if (pt != 0) throw Fail(at, "point transform is not supported");
        var p = JpegLsScanParameters.Create(frame.BitsPerSample, near, state.MaxVal, state.T1, state.T2, state.T3, state.Reset, out var error)
            ?? throw Fail(at, error!);
        foreach (var c in comps) state.Done![c] = true;

        var scanStart = pos + len;
        var scan = new ScanDecoder(data, scanStart, p, frame, comps, ilv, destination);
        return scan.Run(state.RestartInterval);
    }

    ref struct ScanDecoder
    {
        JpegLsBitReader reader;
        readonly ReadOnlySpan<byte> data;
        readonly Span<byte> destination;
        readonly JpegLsScanParameters p;
        readonly JpegLsContexts ctx;
        readonly JpegLsFrameInfo frame;
        readonly int[] comps;
        readonly Lines[] lines;
        readonly int ilv;
        readonly int width;

        public ScanDecoder(ReadOnlySpan<byte> data, int start, JpegLsScanParameters p, JpegLsFrameInfo frame, int[] comps, int ilv, Span<byte> destination)
        {
            this.data = data;
            reader = new JpegLsBitReader(data, start);
            this.p = p;
            this.frame = frame;
            this.comps = comps;
            this.ilv = ilv;
            this.destination = destination;
            width = frame.Width;
            ctx = new JpegLsContexts();
            lines = new Lines[comps.Length];
            for (var i = 0; i < lines.Length; i++) lines[i] = new Lines(width);
        }

        public int Run(int restartInterval)
        {
            ctx.Reset(p.Range);
            var sinceRestart = 0;
            var restartCount = 0;
            for (var y = 0; y < frame.Height; y++)
            {
                if (restartInterval > 0 && sinceRestart == restartInterval)
                {
                    Restart(restartCount++);
                    sinceRestart = 0;
                }
                if (ilv == 2) DecodeSampleInterleavedLine();
                else
                    for (var i = 0; i < comps.Length; i++)
                    {
                        var l = lines[i];
                        l.Current[0] = l.Previous[1];
                        l.Previous[width + 1] = l.Previous[width];
                        DecodeLine(l);
                    }
                if (reader.Overrun) throw Fail(data.Length, $"the scan data ends early, in line {y + 1} of {frame.Height}");
                for (var i = 0; i < comps.Length; i++)
                {
                    Store(lines[i].Current, y, comps[i]);
                    lines[i].Swap();
                }
                sinceRestart++;
            }
            var end = reader.FindMarker();
            if (end < 0)
            {
                // A stream cut right after the scan data: accept it when every bit was there.
                return data.Length;
            }
            return end;
        }

        void Restart(int count)
        {
            var m = reader.FindMarker();
            if (m < 0 || data[m + 1] != 0xD0 + (count & 7))
                throw Fail(m < 0 ? data.Length : m, $"restart marker RST{count & 7} expected");
            var next = m + 2;
            reader = new JpegLsBitReader(data, next);
            ctx.Reset(p.Range);
            foreach (var l in lines) l.Clear();
        }

        void Store(int[] line, int y, int component)
        {
            var nc = frame.Components;
            var src = line.AsSpan(1, width);
            if (frame.BitsPerSample <= 8)
            {
                var d = destination.Slice(y * width * nc + component);
                if (nc == 1) for (var x = 0; x < src.Length; x++) d[x] = (byte)src[x];
                else for (var x = 0; x < src.Length; x++) d[x * nc] = (byte)src[x];
            }
            else
            {
                var d = destination.Slice((y * width * nc + component) * 2);
                for (var x = 0; x < src.Length; x++) BinaryPrimitives.WriteUInt16LittleEndian(d[(x * nc * 2)..], (ushort)src[x]);
            }
        }

        readonly DicomCodecException InvalidCode() =>
            Fail(Math.Min(reader.Position, data.Length), "invalid code: a prediction error outside the sample range");

        readonly int DecodeValue(ref JpegLsBitReader r, int k, int limit)
        {
            var maxUnary = limit - p.Qbpp - 1;
            var q = r.ReadUnary(maxUnary);
            if (q < maxUnary) return (q << k) | r.ReadBits(k);
            if (q == maxUnary) return r.ReadBits(p.Qbpp) + 1;
            throw Fail(Math.Min(r.Position, data.Length), "invalid Golomb code (too many leading zeros)");
        }

        readonly int Reconstruct(int px, int errVal)
        {
            var near = p.Near;
            var rx = px + errVal * (2 * near + 1);
            if (rx < -near) rx += p.Range * (2 * near + 1);
            else if (rx > p.MaxVal + near) rx -= p.Range * (2 * near + 1);
            return rx < 0 ? 0 : rx > p.MaxVal ? p.MaxVal : rx;
        }

        int DecodeRegular(int q, int sign, int px)
        {
            var c = ctx.C[q];
            px = sign > 0 ? px + c : px - c;
            if (px < 0) px = 0;
            else if (px > p.MaxVal) px = p.MaxVal;
            var k = ctx.RegularK(q);
            var m = DecodeValue(ref reader, k, p.Limit);
            int errVal;
            if (p.Near == 0 && k == 0 && 2 * ctx.B[q] <= -ctx.N[q])
                errVal = (m & 1) != 0 ? (m - 1) >> 1 : -(m >> 1) - 1;
            else
                errVal = (m & 1) != 0 ? -((m + 1) >> 1) : m >> 1;
            if ((uint)(errVal + p.Range) > (uint)(2 * p.Range)) throw InvalidCode();
            ctx.UpdateRegular(q, errVal, p.Near, p.Reset);
            return Reconstruct(px, sign > 0 ? errVal : -errVal);
        }

        static int Predict(int ra, int rb, int rc)
        {
            if (rc >= Math.Max(ra, rb)) return Math.Min(ra, rb);
            if (rc <= Math.Min(ra, rb)) return Math.Max(ra, rb);
            return ra + rb - rc;
        }

        void DecodeLine(Lines l)
        {
            var prev = l.Previous;
            var cur = l.Current;
            var quant = p.Quantiser;
            var mv = p.MaxVal;
            var x = 1;
            while (x <= width)
            {
                int ra = cur[x - 1], rb = prev[x], rc = prev[x - 1], rd = prev[x + 1];
                var q = quant[rd - rb + mv] * 81 + quant[rb - rc + mv] * 9 + quant[rc - ra + mv];
                if (q == 0)
                {
                    x = DecodeRun(l, x);
                    continue;
                }
                var sign = 1;
                if (q < 0)
                {
                    q = -q;
                    sign = -1;
                }
                cur[x] = DecodeRegular(q, sign, Predict(ra, rb, rc));
                x++;
            }
        }

        /// <summary>Run mode for one component (T.87 §A.7); returns the next x.</summary>
        int DecodeRun(Lines l, int x)
        {
            var cur = l.Current;
            var ra = cur[x - 1];
            var j = JpegLsScanParameters.J;
            while (reader.ReadBit())
            {
                var full = 1 << j[l.RunIndex];
                var count = Math.Min(full, width - x + 1);
                cur.AsSpan(x, count).Fill(ra);
                x += count;
                if (count == full && l.RunIndex < 31) l.RunIndex++;
                if (x > width) return x;
                if (reader.Overrun) throw Fail(data.Length, "the scan data ends early, in a run");
            }
            var rem = reader.ReadBits(j[l.RunIndex]);
            if (x + rem > width) throw Fail(Math.Min(reader.Position, data.Length), "a run goes past the end of the line");
            cur.AsSpan(x, rem).Fill(ra);
            x += rem;
            cur[x] = DecodeInterruption(ra, l.Previous[x], l.RunIndex);
            if (l.RunIndex > 0) l.RunIndex--;
            return x + 1;
        }

        /// <summary>
        /// Run interruption sample (T.87 §A.7.2). In a sample-interleaved scan every component of the interrupting
        /// pixel is coded with RItype 0 (predicted from Rb, sign from Ra &gt; Rb): this is what CharLS-based encoders
        /// (dcmtk, pylibjpeg, highdicom's corpus file) write.
        /// </summary>
        int DecodeInterruption(int ra, int rb, int runIndex, bool sampleInterleaved = false)
        {
            var riType = !sampleInterleaved && Math.Abs(ra - rb) <= p.Near ? 1 : 0;
            var px = riType == 1 ? ra : rb;
            var k = ctx.RunK(riType);
            var em = DecodeValue(ref reader, k, p.Limit - JpegLsScanParameters.J[runIndex] - 1);
            if ((uint)em > (uint)(2 * p.Range)) throw InvalidCode();
            var t = em + riType;
            var map = t & 1;
            var abs = (t + map) >> 1;
            var positive = (map == 1) == (k == 0 && 2 * ctx.Nn[riType] < ctx.N[JpegLsContexts.RunContext + riType]);
            var errVal = positive ? abs : -abs;
            ctx.UpdateRun(riType, errVal, em, p.Reset);
            if (riType == 0 && ra > rb) errVal = -errVal;
            return Reconstruct(px, errVal);
        }

        /// <summary>One line of a sample-interleaved scan (ILV 2): pixels of all components together.</summary>
        void DecodeSampleInterleavedLine()
        {
            var n = lines.Length;
            foreach (var l in lines)
            {
                l.Current[0] = l.Previous[1];
                l.Previous[width + 1] = l.Previous[width];
            }
            Span<int> qs = stackalloc int[4];
            var quant = p.Quantiser;
            var mv = p.MaxVal;
            var x = 1;
            while (x <= width)
            {
                var allZero = true;
                for (var c = 0; c < n; c++)
                {
                    var l = lines[c];
                    int ra = l.Current[x - 1], rb = l.Previous[x], rc = l.Previous[x - 1], rd = l.Previous[x + 1];
                    qs[c] = quant[rd - rb + mv] * 81 + quant[rb - rc + mv] * 9 + quant[rc - ra + mv];
                    if (qs[c] != 0) allZero = false;
                }
                if (allZero)
                {
                    x = DecodeSampleInterleavedRun(x);
                    continue;
                }
                for (var c = 0; c < n; c++)
                {
                    var l = lines[c];
                    int ra = l.Current[x - 1], rb = l.Previous[x], rc = l.Previous[x - 1];
                    var q = qs[c];
                    var sign = 1;
                    if (q < 0)
                    {
                        q = -q;
                        sign = -1;
                    }
                    l.Current[x] = DecodeRegular(q, sign, Predict(ra, rb, rc));
                }
                x++;
            }
        }

        int DecodeSampleInterleavedRun(int x)
        {
            var j = JpegLsScanParameters.J;
            var l0 = lines[0];
            while (reader.ReadBit())
            {
                var full = 1 << j[l0.RunIndex];
                var count = Math.Min(full, width - x + 1);
                foreach (var l in lines) l.Current.AsSpan(x, count).Fill(l.Current[x - 1]);
                x += count;
                if (count == full && l0.RunIndex < 31) l0.RunIndex++;
                if (x > width) return x;
                if (reader.Overrun) throw Fail(data.Length, "the scan data ends early, in a run");
            }
            var rem = reader.ReadBits(j[l0.RunIndex]);
            if (x + rem > width) throw Fail(Math.Min(reader.Position, data.Length), "a run goes past the end of the line");
            foreach (var l in lines) l.Current.AsSpan(x, rem).Fill(l.Current[x - 1]);
            x += rem;
            foreach (var l in lines)
                l.Current[x] = DecodeInterruption(l.Current[x - 1], l.Previous[x], l0.RunIndex, sampleInterleaved: true);
            if (l0.RunIndex > 0) l0.RunIndex--;
            return x + 1;
        }
    }
}
