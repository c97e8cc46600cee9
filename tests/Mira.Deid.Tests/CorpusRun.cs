using System.Diagnostics;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Deid.Tests;

/// <summary>The whole DICOM part of the shared corpus de-identified once with the research recipe, shared by the tests.</summary>
public sealed class CorpusRun : IDisposable
{
    public CorpusRun()
    {
        Input = Path.Combine(Corpus.Root, "dicom");
        Output = Directory.CreateTempSubdirectory("mira-deid-corpus-").FullName;
        Engine = new DeidEngine(DeidRecipe.Research, TestData.Key);
        Record = DeidRunner.Run(Engine, [Input], Output);
    }

    public string Input { get; }
    public string Output { get; }
    public DeidEngine Engine { get; }
    public DeidRunRecord Record { get; }

    public IEnumerable<DeidFileRecord> Deidentified => Record.Files.Where(f => f.Status == DeidFileStatus.Deidentified);

    public string Rel(string path) => Path.GetRelativePath(Input, path);

    public void Dispose() => Directory.Delete(Output, true);

    /// <summary>Runs a program and returns its exit code and stdout + stderr (dciodvfy writes to stderr and exits non-zero on errors).</summary>
    public static (int Exit, string Output) Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    public static DicomDataset Read(string path) => DicomFile.Open(path, DicomReadOptions.Default with { StopBeforePixelData = true }).Dataset;
}

[CollectionDefinition("corpus")]
public sealed class CorpusCollection : ICollectionFixture<CorpusRun>;
