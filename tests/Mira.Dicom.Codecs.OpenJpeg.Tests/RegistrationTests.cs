using Mira.Testing;

namespace Mira.Dicom.Codecs.OpenJpeg.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void A_missing_library_names_the_Debian_package()
    {
        Assert.False(OpenJpegCodec.TryRegister(CodecRegistry.CreateManaged(), "libopenjp2-not-here.so.7", out var reason));
        Assert.Contains("libopenjp2-7", reason);
        var e = Assert.Throws<DicomCodecException>(() => new OpenJpegCodec(OpenJpegFamily.Jpeg2000, "libopenjp2-not-here.so.7"));
        Assert.Contains("apt-get install libopenjp2-7", e.Message);
    }

    [Fact]
    public void Only_OpenJPEG_2_5_and_later_is_accepted()
    {
        Assert.True(OpenJpegNative.IsSupported("2.5.0"));
        Assert.True(OpenJpegNative.IsSupported("2.5.3"));
        Assert.False(OpenJpegNative.IsSupported("2.4.0"));
        Assert.False(OpenJpegNative.IsSupported("1.5.2"));
        Assert.False(OpenJpegNative.IsSupported(""));
    }

    [Fact]
    public void Registration_serves_every_JPEG_2000_and_HTJ2K_syntax()
    {
        OpenJpegSetup.EnsureRegistered();
        Assert.StartsWith("2.5", new OpenJpegCodec().LibraryVersion);
        foreach (var uid in CorpusJ2kCases.SyntaxNames.Keys)
        {
            var codec = Assert.IsType<OpenJpegCodec>(CodecRegistry.Default.Find(uid));
            Assert.Equal(uid.StartsWith("1.2.840.10008.1.2.4.20", StringComparison.Ordinal), codec.Family == OpenJpegFamily.Htj2k);
        }
    }

    [Fact]
    public void Registering_twice_in_one_registry_adds_the_codecs_once()
    {
        var registry = CodecRegistry.CreateManaged();
        Assert.True(OpenJpegCodec.TryRegister(registry, out var reason), reason);
        Assert.True(OpenJpegCodec.TryRegister(registry, out _));
        Assert.Equal(2, registry.All.OfType<OpenJpegCodec>().Count());
        Assert.Empty(CodecRegistry.CreateManaged().All.OfType<OpenJpegCodec>());
    }
}
