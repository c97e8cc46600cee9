using Mira.Conversion.Photos;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Conversion.Tests.Photos;

/// <summary>A temporary folder for one test, with the checks the photograph tests share: write, read back, dciodvfy, Pillow.</summary>
public sealed class PhotoWorkspace : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("mira-photo-").FullName;

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>A request for a right-eye photograph of a test patient taken on 1 May 2024, or for the subject given.</summary>
    public static ConversionRequest Request(PhotoKind kind = PhotoKind.Ophthalmic, params (string Keyword, string Value)[] subject) => new()
    {
        Subject = ConversionSubject.FromValues(
            (subject.Length == 0 ? [("PatientID", "PHOTO-TEST"), ("ImageLaterality", "R"), ("AcquisitionDateTime", "20240501101500")] : subject).Select(s => KeyValuePair.Create(s.Keyword, s.Value)),
            "test sidecar"),
        PhotoKind = kind,
    };

    /// <summary>Converts <paramref name="source"/> and writes its one object as Part 10; returns its path.</summary>
    public (string Path, ConvertedInstance Instance) Convert(string source, ConversionRequest request)
    {
        var instances = new PhotoConverter().Convert(source, request).ToList();
        var instance = Assert.Single(instances);
        var path = PathOf(Path.GetFileName(source) + ".dcm");
        using (var output = File.Create(path)) Part10Writer.Write(output, instance);
        return (path, instance);
    }

    /// <summary>Runs dciodvfy on the file and fails with its output when it reports any Error.</summary>
    public static void AssertDciodvfyClean(string path)
    {
        var tool = ExternalTool.Require("dciodvfy", "dicom3tools");
        var (_, output) = ExternalTool.Exec(tool, [path]);
        var errors = output.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, $"dciodvfy reports errors for {path}:\n{output}");
    }

    /// <summary>Frame 0 of a DICOM file, decoded with Mira's codecs (JPEG colour as stored unless converted by the codec).</summary>
    public static (byte[] Pixels, PixelFormat Format) Decode(string path, CodecRegistry? codecs = null)
    {
        var pixels = PixelData.Open(DicomFile.Open(path), codecs);
        var bytes = pixels.DecodeFrame(0, out var format);
        return (bytes, format);
    }

    /// <summary>Runs a Python script with /usr/bin/python3 (numpy and Pillow) and returns its standard output, trimmed.</summary>
    public static string Python(string script, params string[] args) =>
        ExternalTool.Run("/usr/bin/python3", ["-c", script, .. args]).Trim();

    public static string Sha256(ReadOnlySpan<byte> data) => System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
}
