using System.Buffers.Binary;
using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class DicomBinaryTests
{
    [Fact]
    public void Reads_little_endian_unsigned_shorts() =>
        Assert.Equal(new ushort[] { 0x0201, 0xFFFE }, DicomBinary.GetUInt16s([0x01, 0x02, 0xFE, 0xFF]));

    [Fact]
    public void Reads_signed_values_of_every_width()
    {
        Assert.Equal(new short[] { -2 }, DicomBinary.GetInt16s([0xFE, 0xFF]));
        Assert.Equal(new[] { -2 }, DicomBinary.GetInt32s([0xFE, 0xFF, 0xFF, 0xFF]));
        Assert.Equal(new[] { -2L }, DicomBinary.GetInt64s([0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]));
        Assert.Equal(new[] { 0x04030201u }, DicomBinary.GetUInt32s([1, 2, 3, 4]));
        Assert.Equal(new[] { 0x0807060504030201ul }, DicomBinary.GetUInt64s([1, 2, 3, 4, 5, 6, 7, 8]));
    }

    [Fact]
    public void Reads_floats_and_doubles()
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, 1.5f);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(4), -2.25);
        Assert.Equal(new[] { 1.5f }, DicomBinary.GetSingles(bytes.AsSpan(0, 4)));
        Assert.Equal(new[] { -2.25 }, DicomBinary.GetDoubles(bytes.AsSpan(4)));
    }

    [Fact]
    public void Reads_attribute_tags_as_group_then_element()
    {
        byte[] bytes = [0x10, 0x00, 0x20, 0x00, 0x08, 0x00, 0x18, 0x00];
        Assert.Equal(new[] { 0x00100020u, 0x00080018u }, DicomBinary.GetTags(bytes));
        Assert.Equal(bytes, DicomBinary.TagsToBytes([0x00100020u, 0x00080018u]));
    }

    [Fact]
    public void Writes_values_little_endian()
    {
        Assert.Equal(new byte[] { 0x01, 0x02 }, DicomBinary.ToBytes<ushort>([0x0201]));
        Assert.Equal(new double[] { 1, 2 }, DicomBinary.GetDoubles(DicomBinary.ToBytes<double>([1, 2])));
    }

    [Fact]
    public void Views_bulk_data_without_copying() =>
        Assert.Equal(0x0201, DicomBinary.AsValues<ushort>([0x01, 0x02, 0x03, 0x04])[0]);

    [Fact]
    public void Ragged_length_is_a_format_error() =>
        Assert.Throws<DicomFormatException>(() => DicomBinary.GetUInt32s([1, 2, 3]));

    [Theory]
    [InlineData(DicomVR.US, 6, 3)]
    [InlineData(DicomVR.SL, 8, 2)]
    [InlineData(DicomVR.FD, 24, 3)]
    [InlineData(DicomVR.UV, 8, 1)]
    [InlineData(DicomVR.AT, 8, 2)]
    [InlineData(DicomVR.OW, 1024, 1)]
    [InlineData(DicomVR.OB, 3, 1)]
    [InlineData(DicomVR.FL, 0, 0)]
    public void Multiplicity_counts_values(DicomVR vr, int length, int expected) => Assert.Equal(expected, DicomBinary.Multiplicity(vr, length));

    [Fact]
    public void Multiplicity_of_string_vr_is_an_argument_error() =>
        Assert.Throws<ArgumentException>(() => DicomBinary.Multiplicity(DicomVR.LO, 4));

    [Fact]
    public void Swap_reverses_each_unit()
    {
        byte[] data = [1, 2, 3, 4, 5, 6, 7, 8];
        DicomBinary.SwapInPlace(data, 4);
        Assert.Equal(new byte[] { 4, 3, 2, 1, 8, 7, 6, 5 }, data);
        DicomBinary.SwapInPlace(data, 8);
        Assert.Equal(new byte[] { 5, 6, 7, 8, 1, 2, 3, 4 }, data);
    }

    [Fact]
    public void Swap_of_attribute_tag_swaps_each_half()
    {
        byte[] bigEndian = [0x00, 0x10, 0x00, 0x20];
        DicomBinary.SwapInPlace(bigEndian, DicomVR.AT);
        Assert.Equal(new[] { 0x00100020u }, DicomBinary.GetTags(bigEndian));
    }

    [Fact]
    public void Swap_rejects_odd_unit_sizes() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DicomBinary.SwapInPlace(new byte[6], 3));
}
