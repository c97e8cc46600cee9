using Mira.Dicom.Codecs.Rle;

namespace Mira.Dicom.Codecs.Tests;

public class PixelCodecsTests
{
    [Theory]
    [InlineData("1.2.840.10008.1.2.5", typeof(RleCodec))]
    [InlineData("1.2.840.10008.1.2.8.1", typeof(Deflate.DeflatedImageFrameCodec))]
    [InlineData("1.2.840.10008.1.2.1.98", typeof(Uncompressed.EncapsulatedUncompressedCodec))]
    public void Built_in_codecs_are_found_by_transfer_syntax(string uid, Type type)
    {
        Assert.IsType(type, PixelCodecs.Find(uid));
        Assert.IsType(type, PixelCodecs.Get(TransferSyntax.Lookup(uid)));
    }

    [Fact]
    public void A_missing_codec_is_named_with_its_syntax_and_what_to_install()
    {
        var e = Assert.Throws<DicomCodecException>(() => PixelCodecs.Get(TransferSyntax.Lookup("1.2.840.10008.1.2.4.90")));
        Assert.Contains("1.2.840.10008.1.2.4.90", e.Message);
        Assert.Contains("JPEG 2000", e.Message);
        Assert.Contains("libopenjp2-7", e.Message);
        Assert.Contains("MPEG", PixelCodecs.WhyMissing(TransferSyntax.Lookup("1.2.840.10008.1.2.4.102")));
        Assert.Contains("not a transfer syntax of the DICOM standard", PixelCodecs.WhyMissing(TransferSyntax.Lookup("1.2.3.4")));
    }

    [Fact]
    public void Native_syntaxes_need_no_codec()
    {
        foreach (var ts in TransferSyntax.Uncompressed) Assert.True(PixelCodecs.IsNative(ts));
        Assert.False(PixelCodecs.IsNative(TransferSyntax.Lookup(RleCodec.Uid)));
    }

    sealed class FakeCodec : IPixelCodec
    {
        public IReadOnlyList<string> TransferSyntaxUids { get; } = ["1.2.826.0.1.3680043.9.9999.1"];
        public bool CanEncode => false;
        public PixelFormat Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination) => format;
        public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format) => throw new NotSupportedException();
    }

    [Fact]
    public void Registered_codecs_are_found()
    {
        var codec = new FakeCodec();
        PixelCodecs.Register(codec);
        Assert.Same(codec, PixelCodecs.Find("1.2.826.0.1.3680043.9.9999.1"));
        Assert.Contains(codec, PixelCodecs.All);
    }
}
