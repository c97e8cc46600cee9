using System.IO.Compression;
using Mira.Dicom;
using Mira.Dicom.IO;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// The hostile objects and requests of issue 14 (items 5–7), built small on the client side: an image to amplify, a
/// run-length bomb, a deflate bomb and a flood of empty multipart parts.
/// </summary>
public static class AttackPayloads
{
    /// <summary>A native single-frame 16-bit image of <paramref name="size"/>×<paramref name="size"/> (a ramp, so it renders as something).</summary>
    public static byte[] NativeImage(string study, string series, string sop, int size = 256, int frames = 1) =>
        Make(study, series, sop, ds =>
        {
            SetImagePixel(ds, size, size, samples: 1, bits: 16, frames);
            var pixels = new byte[(long)size * size * 2 * frames];
            for (var i = 0; i < pixels.Length / 2; i++) pixels[2 * i] = (byte)(i % 251);
            ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, pixels));
        });

    /// <summary>
    /// An RLE Lossless object (PS3.5 Annex G) of <paramref name="frames"/> frames (one fragment each, no offset table)
    /// that each claim <paramref name="size"/>² pixels of 8 bits: every 128 zero bytes are one two-byte PackBits run, so
    /// 16384² pixels (256 MiB decoded) take 4 MiB.
    /// </summary>
    public static byte[] RleBomb(string study, string series, string sop, int size = 16384, int frames = 1)
    {
        var decoded = (long)size * size;
        var runs = decoded / 128;
        var frame = new byte[64 + runs * 2];
        BitConverter.TryWriteBytes(frame.AsSpan(0), 1);   // one segment
        BitConverter.TryWriteBytes(frame.AsSpan(4), 64);  // at offset 64
        for (long r = 0; r < runs; r++) frame[64 + 2 * r] = 0x81; // -127: the next byte 128 times
        var ds = new DicomDataset();
        ds.Set(DicomTags.SOPClassUID, CtImageStorage);
        ds.Set(DicomTags.SOPInstanceUID, sop);
        ds.Set(DicomTags.StudyInstanceUID, study);
        ds.Set(DicomTags.SeriesInstanceUID, series);
        ds.Set(DicomTags.Modality, "CT");
        SetImagePixel(ds, size, size, samples: 1, bits: 8, frames);
        ds.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [], Enumerable.Range(0, frames).Select(_ => new DicomFragment(frame))));
        return DicomFileWriter.ToBytes(ds, TransferSyntax.Lookup("1.2.840.10008.1.2.5"));
    }

    /// <summary>
    /// A Deflated Explicit VR Little Endian object (PS3.5 §A.5) whose data set inflates to about
    /// <paramref name="inflated"/> bytes: a small header, then an Encapsulated Document (0042,0011) of zeros.
    /// </summary>
    public static byte[] DeflateBomb(string study, string series, string sop, long inflated = (1L << 30) - 16)
    {
        var header = Make(study, series, sop);
        var headerDataset = header.AsSpan((int)DicomFile.Read(header).DatasetOffset);
        var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(headerDataset);
            // (0042,0011) OB, explicit VR long form: tag, "OB", 2 reserved bytes, 32-bit length.
            var element = new byte[12];
            BitConverter.TryWriteBytes(element.AsSpan(0), (ushort)0x0042);
            BitConverter.TryWriteBytes(element.AsSpan(2), (ushort)0x0011);
            element[4] = (byte)'O';
            element[5] = (byte)'B';
            BitConverter.TryWriteBytes(element.AsSpan(8), (uint)inflated);
            deflate.Write(element);
            var zeros = new byte[1 << 20];
            for (var left = inflated; left > 0; left -= zeros.Length) deflate.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }
        return DicomFileWriter.Compose(CtImageStorage, sop, TransferSyntax.DeflatedExplicitVRLittleEndian, compressed.ToArray());
    }

    /// <summary>A small honest deflated object: the same header, deflated, with a 64×64 image.</summary>
    public static byte[] DeflatedImage(string study, string series, string sop)
    {
        var plain = NativeImage(study, series, sop, size: 64);
        var file = DicomFile.Read(plain);
        return DicomFileWriter.ToBytes(file.Dataset, TransferSyntax.DeflatedExplicitVRLittleEndian);
    }

    /// <summary>
    /// A <c>multipart/related</c> body of <paramref name="parts"/> empty parts (each just a delimiter and the empty line
    /// that ends its headers: 9 bytes with boundary "b"), and the Content-Type to send it with.
    /// </summary>
    public static (byte[] Body, string ContentType) EmptyParts(int parts)
    {
        var one = "--b\r\n\r\n\r\n"u8; // delimiter, no headers, empty body, the CRLF of the next delimiter
        var body = new MemoryStream(parts * one.Length + 16);
        for (var i = 0; i < parts; i++) body.Write(one);
        body.Write("--b--\r\n"u8);
        return (body.ToArray(), "multipart/related; type=\"application/dicom\"; boundary=b");
    }

    static void SetImagePixel(DicomDataset ds, int rows, int columns, int samples, int bits, int frames)
    {
        static DicomElement Us(DicomTag tag, int v) => new(tag, DicomVR.US, BitConverter.GetBytes((ushort)v));
        ds.Set(Us(DicomTags.Rows, rows));
        ds.Set(Us(DicomTags.Columns, columns));
        ds.Set(Us(DicomTags.SamplesPerPixel, samples));
        ds.Set(Us(DicomTags.BitsAllocated, bits));
        ds.Set(Us(DicomTags.BitsStored, bits));
        ds.Set(Us(DicomTags.HighBit, bits - 1));
        ds.Set(Us(DicomTags.PixelRepresentation, 0));
        ds.Set(DicomTags.PhotometricInterpretation, samples == 1 ? "MONOCHROME2" : "RGB");
        if (frames > 1) ds.Set(DicomTags.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>The attack tests' measurement helper: the peak a process reaches during one request.</summary>
public static class PeakMemory
{
    /// <summary>
    /// Resets the process's peak resident size (VmHWM) to its current size (Linux: <c>5</c> written to
    /// <c>/proc/PID/clear_refs</c>), so that the next <see cref="ServeProcess.Usage"/> peak belongs to what runs after,
    /// not to an earlier step such as storing the test data; then returns the usage now.
    /// </summary>
    public static ProcessUsage Reset(ServeProcess server)
    {
        File.WriteAllText($"/proc/{server.ProcessId}/clear_refs", "5");
        return server.Usage();
    }
}
