using System.Buffers.Binary;

namespace Mira.Dicom.Codecs;

/// <summary>Re-encodes a data set's Pixel Data in another transfer syntax (decode every frame, then encode each).</summary>
public static class PixelDataTranscoder
{
    /// <summary>
    /// A new data set holding the elements of <paramref name="source"/>'s data set, with Pixel Data in
    /// <paramref name="target"/>: native little endian (one value; Bits Allocated 1 frames packed one after the other
    /// without padding, PS3.5 §8.1.1) or encapsulated by the target's codec (one fragment per frame, with a Basic
    /// Offset Table, PS3.5 §A.4). Photometric Interpretation and Planar Configuration follow the decoded frames
    /// (native YBR_FULL_422 becomes YBR_FULL). Extended Offset Table elements are dropped. Sequences are shared with
    /// the source data set, not copied. The encoder comes from <paramref name="codecs"/>, by default the registry
    /// <paramref name="source"/> decodes with.
    /// </summary>
    public static DicomDataset Transcode(PixelData source, TransferSyntax target, CodecRegistry? codecs = null)
    {
        if (!target.IsLittleEndian)
            throw new DicomCodecException($"writing Pixel Data in {target.Name} is not supported; use a little-endian transfer syntax");
        var f = source.Format;
        source.Limits.CheckAll(f); // every frame is held decoded at once
        var frames = new byte[source.FrameCount][];
        var decoded = f;
        for (var i = 0; i < frames.Length; i++) frames[i] = source.DecodeFrame(i, out decoded);

        var ds = new DicomDataset(source.Dataset.Where(e => e.Tag != DicomTags.ExtendedOffsetTable && e.Tag != DicomTags.ExtendedOffsetTableLengths));
        if (decoded.PhotometricInterpretation != f.PhotometricInterpretation)
            ds.Set(DicomTags.PhotometricInterpretation, decoded.PhotometricInterpretation);
        if (decoded.SamplesPerPixel > 1 && (decoded.PlanarConfiguration != f.PlanarConfiguration || !ds.Contains(DicomTags.PlanarConfiguration)))
            ds.Set(new DicomElement(DicomTags.PlanarConfiguration, DicomVR.US, UShort(decoded.PlanarConfiguration)));

        var tag = f.IsFloat ? (f.BitsAllocated == 64 ? DicomTags.DoubleFloatPixelData : DicomTags.FloatPixelData) : DicomTags.PixelData;
        if (!target.IsEncapsulated)
        {
            var vr = f.IsFloat ? (f.BitsAllocated == 64 ? DicomVR.OD : DicomVR.OF) : f.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB;
            ds.Set(new DicomElement(tag, vr, f.BitsAllocated == 1 ? PackBitFrames(frames, decoded) : Concatenate(frames)));
            return ds;
        }
        if (f.IsFloat) throw new DicomCodecException("Float and Double Float Pixel Data cannot be encapsulated (PS3.5 §8.2)");
        var codec = (codecs ?? source.Codecs).Get(target);
        if (!codec.CanEncodeTo(target.Uid)) throw new DicomCodecException($"the codec for {target.Uid} ({target.Name}) cannot encode");
        var fragments = new List<DicomFragment>(frames.Length);
        var offsets = new uint[frames.Length];
        long position = 0;
        for (var i = 0; i < frames.Length; i++)
        {
            var encoded = codec.Encode(frames[i], decoded);
            if ((encoded.Length & 1) == 1) Array.Resize(ref encoded, encoded.Length + 1);
            offsets[i] = checked((uint)position);
            position += 8 + encoded.Length;
            fragments.Add(new DicomFragment(encoded));
        }
        ds.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, offsets, fragments));
        return ds;
    }

    static byte[] UShort(int v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
        return b;
    }

    static byte[] Concatenate(byte[][] frames)
    {
        var total = frames.Sum(f => (long)f.Length);
        var all = new byte[total + (total & 1)];
        var pos = 0;
        foreach (var f in frames)
        {
            f.CopyTo(all, pos);
            pos += f.Length;
        }
        return all;
    }

    static byte[] PackBitFrames(byte[][] frames, PixelFormat f)
    {
        var bitsPerFrame = (long)f.Rows * f.Columns * f.SamplesPerPixel;
        var total = (bitsPerFrame * frames.Length + 7) / 8;
        var all = new byte[total + (total & 1)];
        for (var i = 0; i < frames.Length; i++)
        {
            var start = bitsPerFrame * i;
            for (long bit = 0; bit < bitsPerFrame; bit++)
                if ((frames[i][bit >> 3] >> (int)(bit & 7) & 1) != 0)
                {
                    var at = start + bit;
                    all[at >> 3] |= (byte)(1 << (int)(at & 7));
                }
        }
        return all;
    }
}
