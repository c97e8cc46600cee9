using System.Buffers.Binary;

namespace Mira.Dicom.Codecs.JpegLs;

/// <summary>
/// Encodes one image in the JPEG-LS interchange format (ITU-T T.87 Annex A coding, Annex C syntax) from native
/// little-endian, colour-by-pixel samples. No colour transform is applied (DICOM forbids the JPEG-LS part 2 ones).
/// </summary>
internal static class JpegLsEncoder
{
    /// <param name="source">Width × Height × Components samples, 1 byte each when <paramref name="bytesPerSample"/> is 1, else 2 (LE).</param>
    /// <param name="bits">Sample precision P (2..16); samples are masked to it.</param>
    public static byte[] Encode(ReadOnlySpan<byte> source, int width, int height, int components, int bits, int bytesPerSample, JpegLsOptions options)
    {
        if (width < 1 || height < 1 || width > 65535 || height > 65535) throw new ArgumentException($"image size {width}×{height} is not supported");
        if (bits < 2 || bits > 16) throw new ArgumentException($"JPEG-LS needs a sample precision of 2 to 16 bits, not {bits}");
        if (components < 1 || components > 4) throw new ArgumentException($"{components} components are not supported");
        if (bytesPerSample != 1 && bytesPerSample != 2 || bits > 8 * bytesPerSample) throw new ArgumentException($"{bits}-bit samples cannot be stored in {bytesPerSample} byte(s)");
        if ((long)width * height * components * bytesPerSample > source.Length) throw new ArgumentException("the source frame is shorter than the image");
        var preset = options.Preset;
        var p = JpegLsScanParameters.Create(bits, options.NearLossless, preset?.MaxVal ?? 0, preset?.T1 ?? 0, preset?.T2 ?? 0, preset?.T3 ?? 0, preset?.Reset ?? 0, out var error)
            ?? throw new ArgumentException("JPEG-LS: " + error);

        var w = new JpegLsBitWriter(width * height * components * bytesPerSample / 2 + 1024);
        w.WriteUInt16(0xFFD8);
        // SOF55
        w.WriteUInt16(0xFFF7);
        w.WriteUInt16(8 + 3 * components);
        w.WriteByte((byte)bits);
        w.WriteUInt16(height);
        w.WriteUInt16(width);
        w.WriteByte((byte)components);
        for (var c = 0; c < components; c++)
        {
            w.WriteByte((byte)(c + 1));
            w.WriteByte(0x11);
            w.WriteByte(0);
        }
        // Below MAXVAL 128 the default thresholds follow a second formula (T.87 §C.2.4.1.1.1) that some decoders
        // (CharLS 1.x, inside dcmtk 3.6.7) do not implement: signal the parameters explicitly there.
        if (preset is not null || p.MaxVal < 128)
        {
            w.WriteUInt16(0xFFF8);
            w.WriteUInt16(13);
            w.WriteByte(1);
            // The resolved values, not zeros for defaults: some decoders (dcmtk 3.6.7) reject a zero MAXVAL.
            w.WriteUInt16(p.MaxVal);
            w.WriteUInt16(p.T1);
            w.WriteUInt16(p.T2);
            w.WriteUInt16(p.T3);
            w.WriteUInt16(p.Reset);
        }
        if (options.RestartInterval > 0)
        {
            if (options.RestartInterval > 65535) throw new ArgumentException("restart interval above 65535");
            w.WriteUInt16(0xFFDD);
            w.WriteUInt16(4);
            w.WriteUInt16(options.RestartInterval);
        }
        var ilv = components == 1 ? 0 : (int)options.Interleave;
        if (ilv == 0)
            for (var c = 0; c < components; c++)
                EncodeScan(w, source, width, height, components, bytesPerSample, p, [c], 0, options.RestartInterval);
        else
        {
            var all = new int[components];
            for (var c = 0; c < components; c++) all[c] = c;
            EncodeScan(w, source, width, height, components, bytesPerSample, p, all, ilv, options.RestartInterval);
        }
        // Even length for DICOM fragments (PS3.5 §A.4): a fill byte before EOI (T.81 §B.1.1.2) where needed.
        if ((w.Length & 1) != 0) w.WriteByte(0xFF);
        w.WriteUInt16(0xFFD9);
        return w.ToArray();
    }

    static void EncodeScan(JpegLsBitWriter w, ReadOnlySpan<byte> source, int width, int height, int components, int bytesPerSample,
        JpegLsScanParameters p, int[] comps, int ilv, int restartInterval)
    {
        w.WriteUInt16(0xFFDA);
        w.WriteUInt16(6 + 2 * comps.Length);
        w.WriteByte((byte)comps.Length);
        foreach (var c in comps)
        {
            w.WriteByte((byte)(c + 1));
            w.WriteByte(0);
        }
        w.WriteByte((byte)p.Near);
        w.WriteByte((byte)ilv);
        w.WriteByte(0);
        var scan = new ScanEncoder(w, p, width, comps.Length);
        var input = new int[comps.Length][];
        for (var i = 0; i < input.Length; i++) input[i] = new int[width + 2];
        var mask = p.MaxVal >= (1 << 16) - 1 ? 0xFFFF : (1 << BitsOf(p.MaxVal)) - 1;
        var restarts = 0;
        for (var y = 0; y < height; y++)
        {
            if (restartInterval > 0 && y > 0 && y % restartInterval == 0)
            {
                w.FlushBits();
                w.WriteUInt16(0xFFD0 + (restarts++ & 7));
                scan.Restart();
            }
            for (var i = 0; i < comps.Length; i++) ReadLine(source, y, width, components, comps[i], bytesPerSample, mask, p.MaxVal, input[i]);
            scan.EncodeLine(input, ilv);
        }
        w.FlushBits();
    }

    static int BitsOf(int maxVal)
    {
        var n = 0;
        while ((1 << n) <= maxVal) n++;
        return n;
    }

    static void ReadLine(ReadOnlySpan<byte> source, int y, int width, int components, int component, int bytesPerSample, int mask, int maxVal, int[] line)
    {
        if (bytesPerSample == 1)
        {
            var s = source[(y * width * components + component)..];
            for (var x = 0; x < width; x++) line[x + 1] = Math.Min(s[x * components] & mask, maxVal);
        }
        else
        {
            var s = source[((y * width * components + component) * 2)..];
            for (var x = 0; x < width; x++) line[x + 1] = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(s[(x * components * 2)..]) & mask, maxVal);
        }
    }

    sealed class ScanEncoder
    {
        readonly JpegLsBitWriter w;
        readonly JpegLsScanParameters p;
        readonly JpegLsContexts ctx = new();
        readonly int width;
        readonly int[][] prev;
        readonly int[][] cur;
        readonly int[] runIndex;

        public ScanEncoder(JpegLsBitWriter w, JpegLsScanParameters p, int width, int n)
        {
            this.w = w;
            this.p = p;
            this.width = width;
            prev = new int[n][];
            cur = new int[n][];
            for (var i = 0; i < n; i++)
            {
                prev[i] = new int[width + 2];
                cur[i] = new int[width + 2];
            }
            runIndex = new int[n];
            ctx.Reset(p.Range);
        }

        public void Restart()
        {
            ctx.Reset(p.Range);
            foreach (var a in prev) a.AsSpan().Clear();
            foreach (var a in cur) a.AsSpan().Clear();
            runIndex.AsSpan().Clear();
        }

        public void EncodeLine(int[][] input, int ilv)
        {
            var n = input.Length;
            for (var c = 0; c < n; c++)
            {
                cur[c][0] = prev[c][1];
                prev[c][width + 1] = prev[c][width];
            }
            if (ilv == 2) EncodeSampleInterleavedLine(input);
            else
                for (var c = 0; c < n; c++) EncodeComponentLine(input[c], prev[c], cur[c], ref runIndex[c]);
            for (var c = 0; c < n; c++) (prev[c], cur[c]) = (cur[c], prev[c]);
        }

        static int Predict(int ra, int rb, int rc)
        {
            if (rc >= Math.Max(ra, rb)) return Math.Min(ra, rb);
            if (rc <= Math.Min(ra, rb)) return Math.Max(ra, rb);
            return ra + rb - rc;
        }

        int Quantise(int e)
        {
            var near = p.Near;
            if (near == 0) return e;
            return e > 0 ? (e + near) / (2 * near + 1) : -((near - e) / (2 * near + 1));
        }

        int Clamp(int v) => v < 0 ? 0 : v > p.MaxVal ? p.MaxVal : v;

        int ModRange(int e)
        {
            if (e < 0) e += p.Range;
            if (e >= (p.Range + 1) / 2) e -= p.Range;
            return e;
        }

        void EncodeMapped(int m, int k, int limit)
        {
            var maxUnary = limit - p.Qbpp - 1;
            var high = m >> k;
            if (high < maxUnary)
            {
                w.WriteUnary(high);
                w.WriteBits(m, k);
            }
            else
            {
                w.WriteUnary(maxUnary);
                w.WriteBits(m - 1, p.Qbpp);
            }
        }

        /// <summary>Regular mode for one sample (T.87 §A.3–A.6); returns the reconstructed value.</summary>
        int EncodeRegular(int q, int sign, int px, int ix)
        {
            var c = ctx.C[q];
            px = Clamp(sign > 0 ? px + c : px - c);
            var e = ix - px;
            if (sign < 0) e = -e;
            e = Quantise(e);
            var rx = p.Near == 0 ? ix : Clamp(px + sign * e * (2 * p.Near + 1));
            e = ModRange(e);
            var k = ctx.RegularK(q);
            int m;
            if (p.Near == 0 && k == 0 && 2 * ctx.B[q] <= -ctx.N[q])
                m = e >= 0 ? 2 * e + 1 : -2 * (e + 1);
            else
                m = e >= 0 ? 2 * e : -2 * e - 1;
            EncodeMapped(m, k, p.Limit);
            ctx.UpdateRegular(q, e, p.Near, p.Reset);
            return rx;
        }

        /// <summary>Run interruption sample (T.87 §A.7.2); returns the reconstructed value.</summary>
        /// <remarks>Sample-interleaved scans code every component of the interrupting pixel with RItype 0, as decoders expect.</remarks>
        int EncodeInterruption(int ra, int rb, int ix, int ri, bool sampleInterleaved = false)
        {
            var riType = !sampleInterleaved && Math.Abs(ra - rb) <= p.Near ? 1 : 0;
            var px = riType == 1 ? ra : rb;
            var sign = riType == 0 && ra > rb ? -1 : 1;
            var e = Quantise(sign * (ix - px));
            var rx = p.Near == 0 ? ix : Clamp(px + sign * e * (2 * p.Near + 1));
            e = ModRange(e);
            var k = ctx.RunK(riType);
            var nq = ctx.N[JpegLsContexts.RunContext + riType];
            var nn = ctx.Nn[riType];
            var map = (k == 0 && e > 0 && 2 * nn < nq) || (e < 0 && 2 * nn >= nq) || (e < 0 && k != 0) ? 1 : 0;
            var em = 2 * Math.Abs(e) - riType - map;
            EncodeMapped(em, k, p.Limit - JpegLsScanParameters.J[ri] - 1);
            ctx.UpdateRun(riType, e, em, p.Reset);
            return rx;
        }

        /// <summary>Codes the run length (T.87 §A.7.1.2); RUNindex is updated for the full segments.</summary>
        void EncodeRunLength(int count, bool endOfLine, ref int ri)
        {
            var j = JpegLsScanParameters.J;
            while (count >= (1 << j[ri]))
            {
                w.WriteBits(1, 1);
                count -= 1 << j[ri];
                if (ri < 31) ri++;
            }
            if (endOfLine)
            {
                if (count > 0) w.WriteBits(1, 1);
            }
            else
            {
                w.WriteBits(0, 1);
                w.WriteBits(count, j[ri]);
            }
        }

        void EncodeComponentLine(int[] input, int[] prevLine, int[] curLine, ref int ri)
        {
            var quant = p.Quantiser;
            var mv = p.MaxVal;
            var near = p.Near;
            var x = 1;
            while (x <= width)
            {
                int ra = curLine[x - 1], rb = prevLine[x], rc = prevLine[x - 1], rd = prevLine[x + 1];
                var q = quant[rd - rb + mv] * 81 + quant[rb - rc + mv] * 9 + quant[rc - ra + mv];
                if (q == 0)
                {
                    var start = x;
                    while (x <= width && Math.Abs(input[x] - ra) <= near)
                    {
                        curLine[x] = ra;
                        x++;
                    }
                    var eol = x > width;
                    EncodeRunLength(x - start, eol, ref ri);
                    if (!eol)
                    {
                        curLine[x] = EncodeInterruption(ra, prevLine[x], input[x], ri);
                        if (ri > 0) ri--;
                        x++;
                    }
                    continue;
                }
                var sign = 1;
                if (q < 0)
                {
                    q = -q;
                    sign = -1;
                }
                curLine[x] = EncodeRegular(q, sign, Predict(ra, rb, rc), input[x]);
                x++;
            }
        }

        void EncodeSampleInterleavedLine(int[][] input)
        {
            var n = input.Length;
            Span<int> qs = stackalloc int[4];
            var quant = p.Quantiser;
            var mv = p.MaxVal;
            var near = p.Near;
            var x = 1;
            while (x <= width)
            {
                var allZero = true;
                for (var c = 0; c < n; c++)
                {
                    int ra = cur[c][x - 1], rb = prev[c][x], rc = prev[c][x - 1], rd = prev[c][x + 1];
                    qs[c] = quant[rd - rb + mv] * 81 + quant[rb - rc + mv] * 9 + quant[rc - ra + mv];
                    if (qs[c] != 0) allZero = false;
                }
                if (allZero)
                {
                    var start = x;
                    while (x <= width)
                    {
                        var inRun = true;
                        for (var c = 0; c < n; c++)
                            if (Math.Abs(input[c][x] - cur[c][start - 1]) > near)
                            {
                                inRun = false;
                                break;
                            }
                        if (!inRun) break;
                        for (var c = 0; c < n; c++) cur[c][x] = cur[c][start - 1];
                        x++;
                    }
                    var eol = x > width;
                    EncodeRunLength(x - start, eol, ref runIndex[0]);
                    if (!eol)
                    {
                        for (var c = 0; c < n; c++)
                            cur[c][x] = EncodeInterruption(cur[c][x - 1], prev[c][x], input[c][x], runIndex[0], sampleInterleaved: true);
                        if (runIndex[0] > 0) runIndex[0]--;
                        x++;
                    }
                    continue;
                }
                for (var c = 0; c < n; c++)
                {
                    int ra = cur[c][x - 1], rb = prev[c][x], rc = prev[c][x - 1];
                    var q = qs[c];
                    var sign = 1;
                    if (q < 0)
                    {
                        q = -q;
                        sign = -1;
                    }
                    cur[c][x] = EncodeRegular(q, sign, Predict(ra, rb, rc), input[c][x]);
                }
                x++;
            }
        }
    }
}
