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

    static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Path, long Length, DateTime Modified), string> Recent = new();

    /// <summary>
    /// The SHA-256 (hex) of a file, read in 1 MiB blocks. Remembered for the same path, length and modification time,
    /// so that the placeholder subject and the UIDs of one import read a 2 GB slide once, not twice.
    /// </summary>
    public static string HashFile(string path)
    {
        var info = new FileInfo(path);
        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        if (Recent.TryGetValue(key, out var known)) return known;
        string sha;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
            sha = Convert.ToHexStringLower(SHA256.HashData(file));
        if (Recent.Count >= 64) Recent.Clear();
        Recent[key] = sha;
        return sha;
    }
}
