using System.Security.Cryptography;
using System.Text;
using Mira.Dicom.Values;

namespace Mira.Conversion;

/// <summary>
/// UIDs derived from what was converted (the source's SHA-256, the subject, what the object is), never random: the
/// same file imported twice with the same sidecar gives the same study, series and instances, so the archive stores
/// it once ("already present"). A different sidecar or file gives different UIDs. Derivation per PS3.5 §B.2 (2.25).
/// </summary>
public sealed class ConversionUids(string sourceSha256, ConversionSubject subject)
{
    string Derive(string what) => DicomUid.FromHash(SHA256.HashData(Encoding.UTF8.GetBytes($"mira-conversion\n{sourceSha256}\n{subject.Key}\n{what}")));

    /// <summary>The study: the subject's StudyInstanceUID when given, else one of the file's own.</summary>
    public string Study => subject["StudyInstanceUID"] ?? Derive("study");

    public string Series(string name) => Derive("series:" + name);

    public string Instance(string series, int number) => Derive($"instance:{series}:{number}");

    public string FrameOfReference(string name) => Derive("frame-of-reference:" + name);

    /// <summary>The SHA-256 (hex) of a file, read in 1 MiB blocks.</summary>
    public static string HashFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
