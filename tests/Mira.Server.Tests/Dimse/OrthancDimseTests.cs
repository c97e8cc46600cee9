using System.Text.Json.Nodes;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Server.Tests.Dimse;

/// <summary>
/// Mira's SCU commands (<c>mira send</c>, <c>mira find</c>, <c>mira get</c>) against a real Orthanc 1.10 started as
/// ../shared/bench/orthanc_ctl.sh does (in a private network namespace, so the commands run through
/// server_exec.sh). Needs root and Debian's orthanc package, which tools/test.sh installs.
/// </summary>
public sealed class OrthancDimseTests
{
    static string Bench => Path.Combine(Corpus.SharedRoot, "bench");
    static string Mira => Path.Combine(AppContext.BaseDirectory, "mira.dll");

    static string InOrthancNetwork(string orthanc, params string[] command) =>
        ExternalTool.Run(Path.Combine(Bench, "server_exec.sh"), [orthanc, .. command]);

    [Fact]
    public void Send_find_and_get_work_against_orthanc()
    {
        var work = Directory.CreateTempSubdirectory("mira-orthanc-dimse-").FullName;
        var orthanc = Path.Combine(work, "orthanc");
        try
        {
            var data = Path.Combine(work, "data");
            ExternalTool.Run("/usr/bin/python3", Path.Combine(Bench, "gen_bench_data.py"), data, "--only", "ct,mr", "--scale", "0.05", "--jobs", "1");
            var files = Directory.GetFiles(data, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
            var sops = files.Select(f => DicomFile.Open(f, new DicomReadOptions { StopBeforePixelData = true }))
                .ToDictionary(f => f.Dataset.GetString(DicomTags.SOPInstanceUID)!, f => f.Dataset.GetString(DicomTags.StudyInstanceUID)!);
            ExternalTool.Run(Path.Combine(Bench, "orthanc_ctl.sh"), "start", orthanc);

            var sent = InOrthancNetwork(orthanc, "dotnet", Mira, "send", "127.0.0.1", "4242", "--call", "ORTHANC", "--aet", "MIRASCU", "-q", Path.Combine(data, "ct"), Path.Combine(data, "mr"));
            Assert.Contains($"{files.Count} sent", sent);
            var stats = JsonNode.Parse(InOrthancNetwork(orthanc, "curl", "-sf", "http://127.0.0.1:8042/statistics"))!;
            Assert.Equal(files.Count, (int)stats["CountInstances"]!);

            var found = JsonNode.Parse(InOrthancNetwork(orthanc, "dotnet", Mira, "find", "127.0.0.1", "4242", "--call", "ORTHANC", "--aet", "MIRASCU",
                "-L", "STUDY", "-k", "StudyInstanceUID", "-k", "PatientID", "--json"))!.AsArray();
            Assert.Equal(sops.Values.Distinct().Order(), found.Select(s => s!["0020000D"]!["Value"]![0]!.ToString()).Order());

            // Orthanc serves C-GET only to the modalities it knows.
            InOrthancNetwork(orthanc, "curl", "-sf", "-X", "PUT", "http://127.0.0.1:8042/modalities/MIRASCU", "-d", """{"AET":"MIRASCU","Host":"127.0.0.1","Port":11113}""");
            var study = sops.Values.First();
            var got = Path.Combine(work, "got");
            var output = InOrthancNetwork(orthanc, "dotnet", Mira, "get", "127.0.0.1", "4242", "--call", "ORTHANC", "--aet", "MIRASCU", "--out", got,
                "-L", "STUDY", "-k", $"StudyInstanceUID={study}");
            Assert.Contains("status 0x0000", output);
            var expected = sops.Where(kv => kv.Value == study).Select(kv => kv.Key).Order();
            Assert.Equal(expected, Directory.GetFiles(got).Select(f => DicomFile.Open(f).Dataset.GetString(DicomTags.SOPInstanceUID)).Order());
        }
        finally
        {
            try { ExternalTool.Run(Path.Combine(Bench, "orthanc_ctl.sh"), "stop", orthanc); } catch (InvalidOperationException) { }
            Directory.Delete(work, recursive: true);
        }
    }
}
