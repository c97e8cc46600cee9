using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Dicom.Codecs.OpenJpeg.Tests;

/// <summary>Registers OpenJPEG with the codec registry once per test run, as mira and the server do at start-up.</summary>
public static class OpenJpegSetup
{
    static readonly Lazy<string?> registration = new(() => OpenJpegCodec.TryRegister(CodecRegistry.Default, out var reason) ? null : reason);

    /// <summary>Registers the codecs; fails the calling test with the reason when libopenjp2 cannot be loaded.</summary>
    public static void EnsureRegistered()
    {
        if (registration.Value is { } reason) Assert.Fail("OpenJPEG is not available: " + reason);
    }

    public static PixelData Open(string corpusPath)
    {
        EnsureRegistered();
        return PixelData.Open(DicomFile.Open(Corpus.Get(corpusPath).FullPath));
    }

    public static PixelArray Decode(string corpusPath) => PixelArray.From(Open(corpusPath));
}
