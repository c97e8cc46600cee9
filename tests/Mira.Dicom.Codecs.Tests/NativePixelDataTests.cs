using System.Buffers.Binary;
using Mira.Dicom.IO;
using Mira.Dicom.Values;

namespace Mira.Dicom.Codecs.Tests;

/// <summary>Native (uncompressed) Pixel Data in each byte order, width and layout, through a written and re-read file.</summary>
public class NativePixelDataTests
{
    static DicomDataset Image(int rows, int cols, int samples, int bits, int pixelRepresentation = 0, int frames = 1, string photometric = "MONOCHROME2", int planar = 0)
    {
        var ds = new DicomDataset();
        void Us(DicomTag t, int v) => ds.Set(new DicomElement(t, DicomVR.US, DicomBinary.ToBytes<ushort>([(ushort)v])));
        ds.Set(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7");
        ds.Set(DicomTags.SOPInstanceUID, "2.25.1234");
        Us(DicomTags.Rows, rows);
        Us(DicomTags.Columns, cols);
        Us(DicomTags.SamplesPerPixel, samples);
        Us(DicomTags.BitsAllocated, bits);
        Us(DicomTags.BitsStored, bits);
        Us(DicomTags.HighBit, bits - 1);
        Us(DicomTags.PixelRepresentation, pixelRepresentation);
        if (samples > 1) Us(DicomTags.PlanarConfiguration, planar);
        ds.Set(DicomTags.PhotometricInterpretation, photometric);
        if (frames > 1) ds.Set(DicomTags.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ds;
    }

    /// <summary>Writes and re-reads the data set, so the reader's byte-order handling is part of the test.</summary>
    static PixelData RoundTrip(DicomDataset ds, TransferSyntax ts) =>
        PixelData.Open(DicomFile.Read(DicomFileWriter.ToBytes(ds, ts)));

    static byte[] Swapped(byte[] b, int unit)
    {
        var c = (byte[])b.Clone();
        DicomBinary.SwapInPlace(c, unit);
        return c;
    }

    [Fact]
    public void Big_endian_32_bit_samples_in_OW_are_read_as_32_bit_values()
    {
        // In the file each sample is big endian: 01 02 03 04 = 0x01020304. The writer swaps OW by 16 bits,
        // so hand it the bytes that come out right.
        var fileBytes = new byte[] { 0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0xFF, 0xFE };
        var ds = Image(1, 2, 1, 32, pixelRepresentation: 1);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, Swapped(fileBytes, 2)));
        var a = PixelArray.From(RoundTrip(ds, TransferSyntax.ExplicitVRBigEndian));
        Assert.Equal("int32", a.DType);
        Assert.Equal(0x01020304, a.ValueAt(0));
        Assert.Equal(-2, a.ValueAt(1));
    }

    [Fact]
    public void Big_endian_8_bit_samples_in_OW_keep_the_first_pixel_in_the_low_byte_of_each_word()
    {
        // PS3.5 §8.1.1: pixels 10, 20 form the word 0x140A, stored big endian as 14 0A.
        var ds = Image(1, 4, 1, 8);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[] { 10, 20, 30, 40 })); // the writer swaps to 14 0A 28 1E
        var bytes = DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRBigEndian);
        Assert.True(bytes.AsSpan().IndexOf(new byte[] { 20, 10, 40, 30 }) > 0);
        Assert.Equal(new byte[] { 10, 20, 30, 40 }, PixelData.Open(DicomFile.Read(bytes)).DecodeFrame(0));
    }

    [Fact]
    public void Big_endian_8_bit_samples_in_OB_are_in_order()
    {
        var ds = Image(1, 3, 1, 8);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, new byte[] { 1, 2, 3, 0 }));
        Assert.Equal(new byte[] { 1, 2, 3 }, RoundTrip(ds, TransferSyntax.ExplicitVRBigEndian).DecodeFrame(0));
    }

    [Fact]
    public void Big_endian_16_bit_samples_in_OB_are_swapped_by_sample()
    {
        var ds = Image(1, 2, 1, 16);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, new byte[] { 0x01, 0x02, 0x03, 0x04 }));
        var a = PixelArray.From(RoundTrip(ds, TransferSyntax.ExplicitVRBigEndian));
        Assert.Equal(0x0102, a.ValueAt(0));
        Assert.Equal(0x0304, a.ValueAt(1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Float_and_double_pixel_data_in_both_byte_orders(bool bigEndian)
    {
        var ts = bigEndian ? TransferSyntax.ExplicitVRBigEndian : TransferSyntax.ExplicitVRLittleEndian;
        var f = Image(1, 2, 1, 32);
        f.Remove(DicomTags.PixelRepresentation);
        f.Set(new DicomElement(DicomTags.FloatPixelData, DicomVR.OF, DicomBinary.ToBytes<float>([1.5f, -2.25f])));
        var a = PixelArray.From(RoundTrip(f, ts));
        Assert.Equal(("float32", 1.5, -2.25), (a.DType, a.ValueAt(0), a.ValueAt(1)));

        var d = Image(1, 2, 1, 64);
        d.Remove(DicomTags.BitsAllocated);
        d.Set(new DicomElement(DicomTags.DoubleFloatPixelData, DicomVR.OD, DicomBinary.ToBytes<double>([Math.PI, -1e300])));
        var b = PixelArray.From(RoundTrip(d, ts));
        Assert.Equal(("float64", Math.PI, -1e300), (b.DType, b.ValueAt(0), b.ValueAt(1)));
    }

    [Fact]
    public void Single_bit_frames_start_where_the_previous_frame_ended()
    {
        // Two 3×3 frames = 18 bits: frame 1 is bits 0..8, frame 2 bits 9..17 (not byte-aligned).
        var bits = new[] { 1, 0, 1, 1, 0, 0, 0, 1, 1, /* frame 2 */ 0, 1, 1, 1, 1, 0, 1, 0, 1 };
        var packed = new byte[4];
        for (var i = 0; i < bits.Length; i++) packed[i / 8] |= (byte)(bits[i] << (i % 8));
        var ds = Image(3, 3, 1, 1, frames: 2);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, packed));
        var pixels = RoundTrip(ds, TransferSyntax.ExplicitVRLittleEndian);
        var second = pixels.DecodeFrame(1);
        Assert.Equal(2, second.Length);
        for (var i = 0; i < 9; i++) Assert.Equal(bits[9 + i], (second[i / 8] >> (i % 8)) & 1);
        Assert.Equal(0, second[1] >> 1); // bits past the frame are zero
        var a = PixelArray.From(pixels);
        Assert.Equal([2, 3, 3], a.Shape);
        Assert.Equal(bits.Select(b => (byte)b).ToArray(), a.Bytes);
    }

    [Fact]
    public void Planar_configuration_1_is_kept_by_frames_and_interleaved_in_the_array()
    {
        var ds = Image(1, 2, 3, 8, photometric: "RGB", planar: 1);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, new byte[] { 1, 2, 3, 4, 5, 6 })); // R1 R2 G1 G2 B1 B2
        var pixels = RoundTrip(ds, TransferSyntax.ImplicitVRLittleEndian);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, pixels.DecodeFrame(0, out var f));
        Assert.Equal(1, f.PlanarConfiguration);
        var a = PixelArray.From(pixels);
        Assert.Equal(new byte[] { 1, 3, 5, 2, 4, 6 }, a.Bytes);
        Assert.Equal([1, 2, 3], a.Shape);
    }

    [Fact]
    public void Ybr_full_422_is_upsampled_to_ybr_full_without_colour_conversion()
    {
        var ds = Image(1, 4, 3, 8, photometric: "YBR_FULL_422");
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, new byte[] { 10, 11, 100, 200, 20, 21, 101, 201 }));
        var frame = RoundTrip(ds, TransferSyntax.ExplicitVRLittleEndian).DecodeFrame(0, out var f);
        Assert.Equal("YBR_FULL", f.PhotometricInterpretation);
        Assert.Equal(new byte[] { 10, 100, 200, 11, 100, 200, 20, 101, 201, 21, 101, 201 }, frame);
    }

    [Fact]
    public void Padding_after_the_last_frame_is_ignored_and_missing_bytes_are_refused()
    {
        var ds = Image(2, 2, 1, 16, frames: 2);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[18]));
        Assert.Equal(16, RoundTrip(ds, TransferSyntax.ExplicitVRLittleEndian).DecodeAll().Length);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[14]));
        var e = Assert.Throws<DicomCodecException>(() => RoundTrip(ds, TransferSyntax.ExplicitVRLittleEndian).DecodeFrame(0));
        Assert.Contains("holds 14 bytes", e.Message);
        Assert.Contains("need 16", e.Message);
    }

    [Fact]
    public void Odd_length_8_bit_data_decodes()
    {
        var ds = Image(1, 3, 1, 8);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, new byte[] { 7, 8, 9 }));
        Assert.Equal(new byte[] { 7, 8, 9 }, RoundTrip(ds, TransferSyntax.ExplicitVRLittleEndian).DecodeFrame(0));
    }

    [Fact]
    public void Missing_module_values_and_pixel_data_are_reported()
    {
        Assert.Contains("no Pixel Data", Assert.Throws<DicomCodecException>(() => PixelData.Create(Image(2, 2, 1, 8), TransferSyntax.ExplicitVRLittleEndian)).Message);
        var ds = Image(2, 2, 1, 12);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[8]));
        Assert.Contains("Bits Allocated 12", Assert.Throws<DicomCodecException>(() => PixelData.Create(ds, TransferSyntax.ExplicitVRLittleEndian)).Message);
        var noRows = Image(2, 2, 1, 8);
        noRows.Remove(DicomTags.Rows);
        noRows.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, new byte[4]));
        Assert.Contains("missing Rows", Assert.Throws<DicomCodecException>(() => PixelData.Create(noRows, TransferSyntax.ExplicitVRLittleEndian)).Message);
    }

    [Fact]
    public void Encapsulated_syntax_without_a_codec_names_the_syntax_on_decode()
    {
        var ds = Image(2, 2, 1, 8);
        ds.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [], [new DicomFragment(new byte[] { 0xFF, 0x4F, 0xFF, 0x51 })]));
        var pixels = PixelData.Create(ds, TransferSyntax.Lookup("1.2.840.10008.1.2.4.90"));
        var e = Assert.Throws<DicomCodecException>(() => pixels.DecodeFrame(0));
        Assert.Contains("1.2.840.10008.1.2.4.90", e.Message);
        Assert.Contains("OpenJPEG", e.Message);
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2.5")]
    [InlineData("1.2.840.10008.1.2.8.1")]
    [InlineData("1.2.840.10008.1.2.1.98")]
    public void Transcoding_to_an_encapsulated_syntax_and_back_keeps_every_frame(string uid)
    {
        var bits = Enumerable.Range(0, 5 * 7 * 3).Select(i => (byte)(i * 7 % 5 == 0 ? 1 : 0)).ToArray();
        var packed = new byte[(bits.Length + 7) / 8 + 1];
        for (var i = 0; i < bits.Length; i++) packed[i / 8] |= (byte)(bits[i] << (i % 8));
        var seg = Image(5, 7, 1, 1, frames: 3);
        seg.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, packed));
        var rgb = Image(3, 5, 3, 16, frames: 2, photometric: "RGB", planar: 1);
        rgb.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, Enumerable.Range(0, 3 * 5 * 3 * 2 * 2).Select(i => (byte)(i * 37)).ToArray()));
        var ts = TransferSyntax.Lookup(uid);
        foreach (var ds in new[] { seg, rgb })
        {
            var source = PixelData.Create(ds, TransferSyntax.ExplicitVRLittleEndian);
            var encapsulated = PixelDataTranscoder.Transcode(source, ts);
            var reread = RoundTrip(encapsulated, ts);
            Assert.True(reread.IsEncapsulated);
            Assert.Equal(PixelArray.From(source).Sha256(), PixelArray.From(reread).Sha256());
            var native = PixelDataTranscoder.Transcode(reread, TransferSyntax.ExplicitVRLittleEndian);
            Assert.Equal(PixelArray.From(source).Sha256(), PixelArray.From(RoundTrip(native, TransferSyntax.ExplicitVRLittleEndian)).Sha256());
        }
    }
}
