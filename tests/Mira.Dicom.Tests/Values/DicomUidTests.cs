using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class DicomUidTests
{
    [Theory]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("0")]
    [InlineData("1.0.2")]
    [InlineData("1.2.3\0")]
    [InlineData("2.25.329800735698586629295641978511506172918")]
    public void Accepts_valid_uids(string uid) => Assert.True(DicomUid.IsValid(uid));

    [Theory]
    [InlineData("1.02", "leading zero")]
    [InlineData("", "empty")]
    [InlineData(".1.2", "start")]
    [InlineData("1.2.", "end")]
    [InlineData("1..2", "empty component")]
    [InlineData("1.2a", "'a'")]
    [InlineData("1.2 ", "' '")]
    public void Rejects_invalid_uids_with_a_reason(string uid, string reasonPart)
    {
        Assert.False(DicomUid.IsValid(uid));
        Assert.Contains(reasonPart, DicomUid.Validate(uid));
    }

    [Fact]
    public void Limits_length_to_64()
    {
        var ok = "1." + new string('2', 62);
        Assert.True(DicomUid.IsValid(ok));
        Assert.False(DicomUid.IsValid(ok + "3"));
        Assert.True(DicomUid.IsValid(ok + "\0"));
    }

    [Fact]
    public void From_guid_is_the_uuid_as_an_unsigned_decimal()
    {
        // Example from PS3.5 §B.2.
        var uid = DicomUid.FromGuid(Guid.Parse("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
        Assert.Equal("2.25.329800735698586629295641978511506172918", uid);
    }

    [Fact]
    public void From_guid_handles_extremes()
    {
        Assert.Equal("2.25.0", DicomUid.FromGuid(Guid.Empty));
        var max = DicomUid.FromGuid(Guid.AllBitsSet);
        Assert.Equal("2.25." + (BigInteger.Pow(2, 128) - 1), max);
        Assert.True(DicomUid.IsValid(max));
    }

    [Fact]
    public void Generated_uids_are_valid_short_and_unique()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < 10_000; i++)
        {
            var uid = DicomUid.Generate();
            Assert.StartsWith("2.25.", uid);
            Assert.True(uid.Length <= 64);
            Assert.True(DicomUid.IsValid(uid), uid);
            Assert.True(seen.Add(uid));
        }
    }

    [Fact]
    public void From_hash_is_deterministic_and_valid()
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes("1.2.3.4|secret"));
        var a = DicomUid.FromHash(hash);
        Assert.Equal(a, DicomUid.FromHash(hash));
        Assert.True(DicomUid.IsValid(a));
        Assert.NotEqual(a, DicomUid.FromHash(SHA256.HashData(Encoding.ASCII.GetBytes("1.2.3.5|secret"))));
    }

    [Fact]
    public void From_hash_marks_the_uuid_as_version_8()
    {
        var uid = DicomUid.FromHash(new byte[16]);
        var n = UInt128.Parse(uid["2.25.".Length..]);
        Assert.Equal(8, (int)(n >> 76) & 0xF);
        Assert.Equal(2, (int)(n >> 62) & 0x3);
    }

    [Fact]
    public void From_hash_needs_16_bytes() => Assert.Throws<ArgumentException>(() => DicomUid.FromHash(new byte[15]));

    [Fact]
    public void Trims_padding() => Assert.Equal("1.2.3", DicomUid.TrimPadding("1.2.3\0"));
}
