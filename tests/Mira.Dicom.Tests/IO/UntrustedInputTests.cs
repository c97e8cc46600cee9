using System.Buffers.Binary;
using Mira.Dicom.IO;

namespace Mira.Dicom.Tests.IO;

/// <summary>Limits on depth, element length and total size; damaged input ends in a DicomFormatException, never another exception.</summary>
public class UntrustedInputTests
{
    static byte[] NestedSequences(int depth)
    {
        // Explicit VR LE raw data set: (0008,1115) SQ of undefined length, nested depth times.
        var ms = new MemoryStream();
        void Header()
        {
            ms.Write([0x08, 0x00, 0x15, 0x11, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
            ms.Write([0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        }
        for (var i = 0; i < depth; i++) Header();
        for (var i = 0; i < depth; i++)
        {
            ms.Write([0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]);
            ms.Write([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        }
        return ms.ToArray();
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_with_tag_and_offset()
    {
        var data = NestedSequences(40);
        var e = Assert.Throws<DicomFormatException>(() => DicomDatasetReader.Read(data, TransferSyntax.ExplicitVRLittleEndian, DicomReadOptions.Untrusted));
        Assert.Equal(new DicomTag(0x00081115), e.Tag);
        Assert.NotNull(e.Offset);
        Assert.Contains("nested deeper than 32", e.Message);
    }

    [Fact]
    public void Nesting_within_the_limit_is_read()
    {
        var ds = DicomDatasetReader.Read(NestedSequences(30), TransferSyntax.ExplicitVRLittleEndian, DicomReadOptions.Untrusted);
        var depth = 0;
        for (var cur = ds; cur.GetSequence(new DicomTag(0x00081115)) is { } sq; cur = sq.Items[0]) depth++;
        Assert.Equal(30, depth);
    }

    [Fact]
    public void Element_longer_than_the_limit_is_refused()
    {
        var data = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(data, 0x0010);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), 0x1000);
        data[4] = (byte)'O';
        data[5] = (byte)'B';
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), 0x7000_0000);
        var e = Assert.Throws<DicomFormatException>(() =>
            DicomDatasetReader.Read(data, TransferSyntax.ExplicitVRLittleEndian, DicomReadOptions.Untrusted with { MaxElementLength = 1 << 20 }));
        Assert.Equal(new DicomTag(0x00101000), e.Tag);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Stream_longer_than_the_total_limit_is_refused()
    {
        var ds = new DicomDataset().Set(DicomTags.SOPClassUID, "1.2.3").Set(DicomTags.SOPInstanceUID, "1.2.3.4")
            .Set(new DicomElement(new DicomTag(0x00091010), DicomVR.OB, new byte[200_000]));
        var bytes = DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian);
        var e = Assert.Throws<DicomFormatException>(() => DicomFile.Read(new NonSeekable(bytes), DicomReadOptions.Default with { MaxTotalSize = 100_000 }));
        Assert.Contains("limit of 100000 bytes", e.Message);
    }

    static byte[] TruncatedFile()
    {
        var ds = new DicomDataset().Set(DicomTags.SOPClassUID, "1.2.3").Set(DicomTags.SOPInstanceUID, "1.2.3.4").Set(DicomTags.PatientName, "Doe^John");
        return DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian)[..^3];
    }

    [Fact]
    public void Truncated_value_is_refused_naming_the_element_when_truncation_is_not_allowed()
    {
        var e = Assert.Throws<DicomFormatException>(() => DicomFile.Read(TruncatedFile(), DicomReadOptions.Untrusted));
        Assert.Equal(DicomTags.PatientName, e.Tag);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Truncated_value_is_kept_with_a_warning_by_default()
    {
        var file = DicomFile.Read(TruncatedFile());
        Assert.True(file.IsTruncated);
        Assert.Equal("Doe^J", file.Dataset.GetString(DicomTags.PatientName));
        Assert.Contains(file.Warnings, w => w.Tag == DicomTags.PatientName && w.Message.Contains("truncated"));
    }

    [Fact]
    public void Empty_and_garbage_input_is_rejected_clearly()
    {
        Assert.Throws<DicomFormatException>(() => DicomFile.Read(Array.Empty<byte>()));
        var e = Assert.Throws<DicomFormatException>(() => DicomFile.Read("hello, this is not DICOM at all"u8.ToArray()));
        Assert.Contains("not a DICOM file", e.Message);
    }

    public static TheoryData<string> Samples() =>
    [
        "dicom/modality/SR/dcmqi_sr_tid1500.dcm", "dicom/modality/SR/pydicom_test-SR.dcm", "dicom/charset/chrSQEncoding.dcm", "dicom/edge/UN_sequence.dcm",
        "dicom/transfer-syntax/pydicom/MR_small_bigendian.dcm", "dicom/transfer-syntax/pydicom/image_dfl.dcm",
        "dicom/transfer-syntax/dcm_qa_ts/2_implicit_le.dcm", "dicom/transfer-syntax/cornerstone/CT0012.fragmented_no_bot_jpeg_ls.80.dcm",
    ];

    /// <summary>Truncations and byte flips of real files: the reader returns or throws DicomFormatException, nothing else.</summary>
    [Theory]
    [MemberData(nameof(Samples))]
    public void Damaged_files_fail_only_with_format_errors(string path)
    {
        var full = Path.Combine(Mira.Testing.Corpus.Root, path);
        if (!File.Exists(full)) return;
        var original = File.ReadAllBytes(full);
        var random = new Random(path.Length * 7919);
        for (var round = 0; round < 300; round++)
        {
            var data = (byte[])original.Clone();
            if (round % 3 == 0) data = data[..random.Next(0, data.Length)];
            else
                for (var k = 0; k < 1 + round % 8; k++)
                    data[random.Next(0, data.Length)] = (byte)random.Next(256);
            try
            {
                var file = DicomFile.Read(data, DicomReadOptions.Untrusted);
                _ = Mira.Dicom.Json.DicomJsonWriter.Serialize(file.Dataset);
            }
            catch (DicomFormatException)
            {
            }
        }
    }

    sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }
}

public class LyingLengthTests
{
    [Fact]
    public void Value_claiming_a_gigabyte_in_a_stream_of_unknown_length_costs_only_what_is_there()
    {
        // Explicit VR LE raw data set: (0009,1010) OB claiming 0x3FFFFFF0 bytes, followed by only 100 bytes.
        var data = new byte[12 + 100];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(data, 0x0009);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), 0x1010);
        data[4] = (byte)'O';
        data[5] = (byte)'B';
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), 0x3FFFFFF0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ds = DicomDatasetReader.Read(new UnknownLength(data), TransferSyntax.ExplicitVRLittleEndian, null, null, out var warnings);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100, ds.Get(new DicomTag(0x00091010)).Length);
        Assert.Contains(warnings, w => w.Message.Contains("truncated"));
        Assert.True(allocated < 8 << 20, $"allocated {allocated} bytes");
    }

    sealed class UnknownLength(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }
}
