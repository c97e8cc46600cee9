using System.Diagnostics;
using Mira.Conversion.Nifti;
using Mira.Imaging.Volumes;

namespace Mira.Conversion.Tests.Nifti;

/// <summary>Converted instances written as Part 10 files in a temporary folder, checked with dciodvfy and read back.</summary>
public sealed class ConvertedFiles : IDisposable
{
    public ConvertedFiles(IEnumerable<ConvertedInstance> instances)
    {
        Folder = Directory.CreateTempSubdirectory("mira-nifti-conv-").FullName;
        var n = 0;
        foreach (var i in instances)
        {
            var path = Path.Combine(Folder, $"{++n:D5}.dcm");
            using (var f = File.Create(path)) Part10Writer.Write(f, i);
            Instances.Add(i);
            Paths.Add(path);
        }
    }

    public string Folder { get; }
    public List<ConvertedInstance> Instances { get; } = [];
    public List<string> Paths { get; } = [];

    public static ConvertedFiles Convert(string path, string? modality = null) =>
        new(new NiftiConverter().Convert(path, Request(path, modality)));

    public static ConversionRequest Request(string path, string? modality = null) =>
        new() { Subject = ConversionSubject.Placeholder(ConversionUids.HashFile(path)), Modality = modality };

    /// <summary>dciodvfy's "Error" lines for every file (empty when all pass).</summary>
    public List<string> DciodvfyErrors()
    {
        var errors = new List<string>();
        foreach (var p in Paths)
        {
            var psi = new ProcessStartInfo("dciodvfy") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(p);
            using var proc = Process.Start(psi)!;
            var err = proc.StandardError.ReadToEndAsync();
            var output = proc.StandardOutput.ReadToEnd() + err.Result;
            proc.WaitForExit();
            errors.AddRange(output.Split('\n').Where(l => l.Contains("Error", StringComparison.Ordinal)).Select(l => Path.GetFileName(p) + ": " + l.Trim()));
        }
        return errors;
    }

    /// <summary>The volumes <see cref="DicomVolumeBuilder"/> builds from the written files.</summary>
    public List<DicomVolume> Build() => DicomVolumeBuilder.FromPath(Folder);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
