using Mira.Dicom.Codecs.Rle;

namespace Mira.Dicom.Codecs.Tests;

public class CodecRegistryTests
{
    [Theory]
    [InlineData("1.2.840.10008.1.2.5", typeof(RleCodec))]
    [InlineData("1.2.840.10008.1.2.8.1", typeof(Deflate.DeflatedImageFrameCodec))]
    [InlineData("1.2.840.10008.1.2.1.98", typeof(Uncompressed.EncapsulatedUncompressedCodec))]
    public void Built_in_codecs_are_found_by_transfer_syntax(string uid, Type type)
    {
        Assert.IsType(type, CodecRegistry.Default.Find(uid));
        Assert.IsType(type, CodecRegistry.Default.Get(TransferSyntax.Lookup(uid)));
        Assert.IsType(type, CodecRegistry.CreateManaged().Find(uid));
    }

    [Fact]
    public void A_missing_codec_is_named_with_its_syntax_and_what_to_install()
    {
        var e = Assert.Throws<DicomCodecException>(() => CodecRegistry.CreateManaged().Get(TransferSyntax.Lookup("1.2.840.10008.1.2.4.90")));
        Assert.Contains("1.2.840.10008.1.2.4.90", e.Message);
        Assert.Contains("JPEG 2000", e.Message);
        Assert.Contains("libopenjp2-7", e.Message);
        Assert.Contains("MPEG", CodecRegistry.WhyMissing(TransferSyntax.Lookup("1.2.840.10008.1.2.4.102")));
        Assert.Contains("not a transfer syntax of the DICOM standard", CodecRegistry.WhyMissing(TransferSyntax.Lookup("1.2.3.4")));
    }

    [Fact]
    public void Native_syntaxes_need_no_codec()
    {
        foreach (var ts in TransferSyntax.Uncompressed) Assert.True(CodecRegistry.IsNative(ts));
        Assert.False(CodecRegistry.IsNative(TransferSyntax.Lookup(RleCodec.Uid)));
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
        var registry = CodecRegistry.CreateManaged();
        registry.Register(codec);
        Assert.Same(codec, registry.Find("1.2.826.0.1.3680043.9.9999.1"));
        Assert.Contains(codec, registry.All);
    }

    [Fact]
    public void A_registration_stays_in_its_own_registry()
    {
        var codec = new FakeCodec();
        var registry = CodecRegistry.CreateManaged();
        registry.Register(codec);
        Assert.Null(CodecRegistry.CreateManaged().Find("1.2.826.0.1.3680043.9.9999.1"));
        Assert.DoesNotContain(codec, CodecRegistry.Default.All);
    }

    [Fact]
    public void A_registered_codec_takes_precedence_over_the_built_in_one()
    {
        var rle = new OverridingRle();
        var registry = CodecRegistry.CreateManaged();
        registry.Register(rle);
        Assert.Same(rle, registry.Find(RleCodec.Uid));
        Assert.Same(rle, registry.All[0]);
        Assert.IsType<RleCodec>(CodecRegistry.Default.Find(RleCodec.Uid));
    }

    [Fact]
    public void The_registry_decodes_with_the_codec_of_the_syntax()
    {
        var format = new PixelFormat(2, 2, 1, 8, 8, 7, 0, 0, "MONOCHROME2", 1);
        byte[] frame = [1, 2, 3, 4];
        var encoded = new RleCodec().Encode(frame, format);
        var back = new byte[4];
        CodecRegistry.Default.Decode(encoded, TransferSyntax.Lookup(RleCodec.Uid), format, back);
        Assert.Equal(frame, back);
    }

    sealed class OverridingRle : IPixelCodec
    {
        public IReadOnlyList<string> TransferSyntaxUids { get; } = [RleCodec.Uid];
        public bool CanEncode => false;
        public PixelFormat Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination) => format;
        public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format) => throw new NotSupportedException();
    }
}
