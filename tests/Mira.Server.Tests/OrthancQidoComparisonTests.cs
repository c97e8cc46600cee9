using System.Net;
using System.Text.Json.Nodes;
using Mira.Testing;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// The studies of ../shared/bench (made small by its generator) go into Mira and into a real Orthanc with its
/// DICOMweb plugin (started as ../shared/bench/orthanc_ctl.sh does); the three query shapes of
/// ../shared/bench/dicomweb_query.sh must find the same studies, series and instances on both, for every patient,
/// study and series of the generated manifest. Needs root (Orthanc runs in a private network namespace), Debian's
/// orthanc + orthanc-dicomweb packages and python3-pydicom, which tools/test.sh installs; without them the test fails.
/// </summary>
public sealed class OrthancQidoComparisonTests(TestArchive server) : IClassFixture<TestArchive>
{
    static string Bench => Path.Combine(Corpus.SharedRoot, "bench");

    [Fact]
    public async Task Qido_answers_on_the_bench_studies_equal_orthancs()
    {
        var work = Directory.CreateTempSubdirectory("mira-orthanc-qido-").FullName;
        var orthanc = Path.Combine(work, "orthanc");
        try
        {
            var data = Path.Combine(work, "data");
            await Run("/usr/bin/python3", Path.Combine(Bench, "gen_bench_data.py"), data, "--only", "ct,mr,pet", "--scale", "0.05", "--jobs", "1");
            var files = Directory.GetFiles(data, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
            Assert.True(files.Count >= 20, $"the generator wrote {files.Count} files");

            var stow = await Stow(server.Admin, "/dicomweb/studies", files.Select(File.ReadAllBytes).ToArray());
            Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
            await Run(Path.Combine(Bench, "stow_prep.sh"), Path.Combine(work, "bodies"), Path.Combine(data, "ct"), Path.Combine(data, "mr"), Path.Combine(data, "pet"));
            await Run(Path.Combine(Bench, "orthanc_ctl.sh"), "start", orthanc);
            var bodies = Directory.GetFiles(Path.Combine(work, "bodies"), "*.body").Order(StringComparer.Ordinal);
            await Run(Path.Combine(Bench, "server_exec.sh"), [orthanc, Path.Combine(Bench, "stow_post.sh"), .. bodies]);

            var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(data, "manifest.json")))!["datasets"]!.AsObject();
            var checks = new List<(string Path, string Tag)>();
            foreach (var (_, ds) in manifest)
            {
                var study = ds!["study_uid"]!.ToString();
                checks.Add(($"studies?PatientID={ds["patient_id"]}", "0020000D"));
                checks.Add(($"studies/{study}/series", "0020000E"));
                foreach (var series in ds["series_uids"]!.AsArray())
                    checks.Add(($"studies/{study}/series/{series}/instances", "00080018"));
            }
            var client = server.Bearer(server.StewardToken);
            var instances = 0;
            foreach (var (path, tag) in checks)
            {
                var mira = Uids(await client.GetStringAsync("/dicomweb/" + path), tag);
                var peer = Uids(await Run(Path.Combine(Bench, "server_exec.sh"), orthanc, "sh", "-c",
                    "curl -sf -H 'Accept: application/dicom+json' \"$DICOMWEB_BASE/$1\"", "sh", path), tag);
                Assert.NotEmpty(peer);
                Assert.True(peer.SequenceEqual(mira), $"{path}: Orthanc found {peer.Count}, Mira {mira.Count}");
                if (tag == "00080018") instances += mira.Count;
            }
            Assert.Equal(files.Count, instances);
        }
        finally
        {
            try { await Run(Path.Combine(Bench, "orthanc_ctl.sh"), "stop", orthanc); } catch (InvalidOperationException) { }
            Directory.Delete(work, recursive: true);
        }
    }

    static List<string> Uids(string json, string tag) =>
        string.IsNullOrWhiteSpace(json) ? [] : JsonNode.Parse(json)!.AsArray().Select(i => i![tag]!["Value"]![0]!.ToString()).Order(StringComparer.Ordinal).ToList();

    static Task<string> Run(string file, params string[] args) => Task.Run(() => ExternalTool.Run(file, args));
}
