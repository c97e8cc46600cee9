using System.Globalization;
using System.Text.RegularExpressions;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Storage.Network;
using Mira.Storage.Query;
using Mira.Testing;

namespace Mira.Server.Tests.Dimse;

/// <summary>
/// Mira's DIMSE listener against dcmtk 3.6.7 (apt-get install dcmtk): echoscu, storescu with the whole corpus in every
/// transfer syntax it can propose, findscu at every level of both roots, movescu to a storescp, getscu.
/// </summary>
public partial class DcmtkInteropTests
{
    static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Echoscu_succeeds_for_known_and_unknown_callers()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await a.AllowAsync("DCMTK");
        Assert.Equal(0, DimseArchive.Dcmtk("echoscu", "-aet", "DCMTK", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort)).ExitCode);
        var (code, output) = DimseArchive.Dcmtk("echoscu", "-aet", "STRANGER", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort));
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Storescu_from_an_unknown_caller_is_rejected_and_nothing_is_stored()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        var file = Corpus.Get("dicom/modality/CT/CT_small.dcm").FullPath;
        var (code, output) = DimseArchive.Dcmtk("storescu", "-aet", "STRANGER", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort), file);
        Assert.NotEqual(0, code);
        Assert.Contains("Calling AE Title Not Recognized", output);
        Assert.Empty(await a.Archive.Index.QueryInstancesAsync(QidoQuery.Empty));
    }

    [Fact]
    public async Task A_known_ae_calling_from_another_address_is_treated_as_unknown()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await a.Archive.ApplicationEntities.SetAsync("FARAWAY", "192.0.2.7", 104, DimsePermissions.All); // TEST-NET-1: never this machine
        await a.RefreshAeTableAsync();
        var (code, output) = DimseArchive.Dcmtk("storescu", "-aet", "FARAWAY", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort),
            Corpus.Get("dicom/modality/CT/CT_small.dcm").FullPath);
        Assert.NotEqual(0, code);
        Assert.Contains("Calling AE Title Not Recognized", output);
    }

    /// <summary>storescu -v output: each file sent and what came back.</summary>
    sealed record Sent(string Path, string? Response, List<string> Errors);

    static List<Sent> ParseStorescu(string output)
    {
        var sent = new List<Sent>();
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith("I: Sending file: ", StringComparison.Ordinal)) sent.Add(new Sent(line["I: Sending file: ".Length..].Trim(), null, []));
            else if (sent.Count > 0 && line.StartsWith("I: Received Store Response", StringComparison.Ordinal))
                sent[^1] = sent[^1] with { Response = StoreResponse().Match(line).Groups[1].Value };
            else if (sent.Count > 0 && (line.StartsWith("E: ", StringComparison.Ordinal) || line.Contains("unable to convert", StringComparison.Ordinal)))
                sent[^1].Errors.Add(line.Trim());
        }
        return sent;
    }

    [GeneratedRegex(@"Received Store Response \(([^)]*)\)")]
    private static partial Regex StoreResponse();

    /// <summary>
    /// The whole corpus through storescu with each transfer syntax proposal it offers (-R: only the contexts the
    /// files need): every response is success, except 0111 for a file whose SOP Instance UID another corpus file
    /// already stored with different content; files storescu does not send are ones it cannot read or convert
    /// itself. No association is rejected or aborted, and the archive holds exactly the instances acknowledged.
    /// </summary>
    [Theory]
    [InlineData("-x=")]
    [InlineData("-xe")]
    [InlineData("-xb")]
    [InlineData("-xi")]
    [InlineData("-xs")]
    [InlineData("-xy")]
    [InlineData("-xx")]
    [InlineData("-xv")]
    [InlineData("-xw")]
    [InlineData("-xt")]
    [InlineData("-xu")]
    [InlineData("-xr")]
    [InlineData("-xd")]
    public async Task Storescu_sends_the_whole_corpus(string proposal)
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await a.AllowAsync("STORESCU");
        var files = Directory.EnumerateFiles(Path.Combine(Corpus.Root, "dicom"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var (_, output) = DimseArchive.Dcmtk("storescu", ["-v", "-R", "-nh", proposal, "-aet", "STORESCU", "-aec", "MIRA", "127.0.0.1", P(a.DimsePort), .. files]);
        Assert.DoesNotContain("Association Rejected", output);
        Assert.DoesNotContain("Association Aborted", output);
        Assert.DoesNotContain("Peer Aborted", output);

        var sent = ParseStorescu(output);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var s in sent)
        {
            switch (s.Response)
            {
                case "Success":
                    stored.Add(DimseArchive.SopInstanceOf(s.Path)!);
                    break;
                case "Unknown Status: 0x111" when DimseArchive.SopInstanceOf(s.Path) is { } uid && stored.Contains(uid):
                    break; // a different corpus file already stored under this UID
                case null when s.Errors.Any(e => e.Contains("Bad DICOM file") || e.Contains("No SOP Class or Instance UID") || e.Contains("unable to convert")
                                                 || e.Contains("larger (") || e.Contains("Store Failed") || e.Contains("DIMSE Failed to send")):
                    if (s.Errors.Any(e => e.Contains("No presentation context"))) problems.Add($"{s.Path}: {string.Join(" | ", s.Errors)}");
                    break; // storescu could not read or convert the file itself
                default:
                    problems.Add($"{s.Path}: {s.Response ?? "no response"} {string.Join(" | ", s.Errors)}");
                    break;
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(stored.Count > 80, $"only {stored.Count} instances stored with {proposal}");
        var indexed = await a.Archive.Index.QueryInstancesAsync(new QidoQuery { Limit = QidoQuery.MaxLimit });
        Assert.Equal(stored.Count, indexed.Count);
    }

    static string[] FindscuFiles(DimseArchive a, string root, params string[] keys)
    {
        var dir = Directory.CreateTempSubdirectory("mira-findscu-").FullName;
        try
        {
            var args = new List<string> { root, "-aet", "DCMTK", "-aec", "MIRA", "-X", "-od", dir };
            foreach (var k in keys) { args.Add("-k"); args.Add(k); }
            args.AddRange(["127.0.0.1", P(a.DimsePort)]);
            var (code, output) = DimseArchive.Dcmtk("findscu", [.. args]);
            Assert.True(code == 0, output);
            return Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal).Select(f => File.ReadAllBytes(f)).Select(b =>
            {
                var ds = DicomFile.Read(b).Dataset;
                return string.Join('|', ds.Where(e => e.Tag != DicomTags.SpecificCharacterSet).Select(e => $"{e.Tag}={string.Join('\\', ds.GetStrings(e.Tag))}"));
            }).ToArray();
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Findscu_answers_at_every_level_of_both_roots_as_the_index_does()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await a.AllowAsync("DCMTK");
        await DemoStudies.EnsureLoadedAsync(a.Archive.Ingest);
        var studies = await a.Archive.Index.QueryStudiesAsync(QidoQuery.Empty);
        var study = studies[0];
        var studyUid = study.GetString(DicomTags.StudyInstanceUID)!;
        var patientId = study.GetString(DicomTags.PatientID)!;
        var series = await a.Archive.Index.QuerySeriesAsync(QidoQuery.Empty, studyUid);
        var seriesUid = series[0].GetString(DicomTags.SeriesInstanceUID)!;
        var instances = await a.Archive.Index.QueryInstancesAsync(new QidoQuery { Limit = 1000 }, studyUid, seriesUid);

        var patients = FindscuFiles(a, "-P", "QueryRetrieveLevel=PATIENT", "PatientName", "PatientID");
        Assert.Equal(studies.Select(s => s.GetString(DicomTags.PatientID)).Distinct().Count(), patients.Length);
        Assert.Contains(patients, p => p.Contains($"(0010,0020)={patientId}"));

        foreach (var root in new[] { "-P", "-S" })
        {
            var byPatient = FindscuFiles(a, root, "QueryRetrieveLevel=STUDY", $"PatientID={patientId}", "StudyInstanceUID", "StudyDate", "ModalitiesInStudy");
            Assert.Equal(studies.Count(s => s.GetString(DicomTags.PatientID) == patientId), byPatient.Length);
            Assert.Contains(byPatient, s => s.Contains($"(0020,000D)={studyUid}"));

            var seriesLevel = FindscuFiles(a, root, "QueryRetrieveLevel=SERIES", $"PatientID={patientId}", $"StudyInstanceUID={studyUid}", "SeriesInstanceUID", "Modality", "NumberOfSeriesRelatedInstances");
            Assert.Equal(series.Select(s => s.GetString(DicomTags.SeriesInstanceUID)).Order(), seriesLevel.Select(s => Value(s, "(0020,000E)")).Order());

            var images = FindscuFiles(a, root, "QueryRetrieveLevel=IMAGE", $"PatientID={patientId}", $"StudyInstanceUID={studyUid}", $"SeriesInstanceUID={seriesUid}", "SOPInstanceUID", "InstanceNumber");
            Assert.Equal(instances.Select(s => s.GetString(DicomTags.SOPInstanceUID)).Order(), images.Select(s => Value(s, "(0008,0018)")).Order());
            Assert.All(images, i => Assert.Contains("(0008,0052)=IMAGE", i));
        }

        var wildcard = FindscuFiles(a, "-S", "QueryRetrieveLevel=STUDY", "PatientName=DEMO*", "StudyInstanceUID");
        Assert.Equal((await a.Archive.Index.QueryStudiesAsync(QidoQuery.Parse("PatientName=DEMO*"))).Count, wildcard.Length);
        Assert.Empty(FindscuFiles(a, "-S", "QueryRetrieveLevel=STUDY", "PatientName=NOBODY*", "StudyInstanceUID"));
    }

    static string Value(string answer, string tag) =>
        answer.Split('|').First(p => p.StartsWith(tag + "=", StringComparison.Ordinal))[(tag.Length + 1)..];

    [Fact]
    public async Task Findscu_with_an_invalid_level_gets_a_failure_status()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await a.AllowAsync("DCMTK");
        var (_, output) = DimseArchive.Dcmtk("findscu", "-v", "-S", "-aet", "DCMTK", "-aec", "MIRA", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID", "127.0.0.1", P(a.DimsePort));
        Assert.Contains("Final Find Response (Error: DataSetDoesNotMatchSOPClass)", output);
    }

    [Fact]
    public async Task Movescu_sends_a_study_to_storescp_and_refuses_unknown_destinations()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await DemoStudies.EnsureLoadedAsync(a.Archive.Ingest);
        using var scp = new StoreScp();
        await a.AllowAsync("DCMTK");
        await a.AllowAsync("STORESCP", scp.Port, DimsePermissions.Echo);
        var study = (await a.Archive.Index.QueryStudiesAsync(QidoQuery.Empty))[0].GetString(DicomTags.StudyInstanceUID)!;
        var expected = await a.Archive.Index.FindInstancesAsync(study);

        var (code, output) = DimseArchive.Dcmtk("movescu", "-S", "-aet", "DCMTK", "-aec", "MIRA", "-aem", "STORESCP",
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", "127.0.0.1", P(a.DimsePort));
        Assert.True(code == 0, output);
        var received = scp.Files.Select(f => DicomFile.Open(f)).ToList();
        Assert.Equal(expected.Select(i => i.SopInstanceUid).Order(), received.Select(f => f.Dataset.GetString(DicomTags.SOPInstanceUID)).Order());
        foreach (var f in received)
        {
            var stored = expected.Single(i => i.SopInstanceUid == f.Dataset.GetString(DicomTags.SOPInstanceUID));
            Assert.Equal(StoredDataSet(a, stored), DataSetBytes(File.ReadAllBytes(Path.Combine(scp.Folder, Path.GetFileName(scp.Files.Single(x => DicomFile.Open(x).Dataset.GetString(DicomTags.SOPInstanceUID) == stored.SopInstanceUid))))));
        }

        var (_, unknown) = DimseArchive.Dcmtk("movescu", "-v", "-S", "-aet", "DCMTK", "-aec", "MIRA", "-aem", "NOWHERE",
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", "127.0.0.1", P(a.DimsePort));
        Assert.Contains("Refused: MoveDestinationUnknown", unknown);
    }

    [Fact]
    public async Task Getscu_retrieves_series_and_images_byte_exact()
    {
        await using var a = new DimseArchive();
        await a.InitializeAsync();
        await DemoStudies.EnsureLoadedAsync(a.Archive.Ingest);
        await a.AllowAsync("DCMTK");
        var study = (await a.Archive.Index.QueryStudiesAsync(QidoQuery.Empty))[0].GetString(DicomTags.StudyInstanceUID)!;
        var all = await a.Archive.Index.FindInstancesAsync(study);
        var series = all[0].SeriesInstanceUid;
        var dir = Directory.CreateTempSubdirectory("mira-getscu-").FullName;
        try
        {
            var (code, output) = DimseArchive.Dcmtk("getscu", "-S", "-aet", "DCMTK", "-aec", "MIRA", "-od", dir,
                "-k", "QueryRetrieveLevel=SERIES", "-k", $"StudyInstanceUID={study}", "-k", $"SeriesInstanceUID={series}", "127.0.0.1", P(a.DimsePort));
            Assert.True(code == 0, output);
            var expected = all.Where(i => i.SeriesInstanceUid == series).ToList();
            var files = Directory.EnumerateFiles(dir).ToList();
            Assert.Equal(expected.Count, files.Count);
            foreach (var f in files)
            {
                var bytes = File.ReadAllBytes(f);
                var uid = DicomFile.Read(bytes).Dataset.GetString(DicomTags.SOPInstanceUID);
                Assert.Equal(StoredDataSet(a, expected.Single(i => i.SopInstanceUid == uid)), DataSetBytes(bytes));
            }

            var one = expected[^1];
            foreach (var f in files) File.Delete(f);
            (code, output) = DimseArchive.Dcmtk("getscu", "-P", "-aet", "DCMTK", "-aec", "MIRA", "-od", dir, "-k", "QueryRetrieveLevel=IMAGE",
                "-k", $"PatientID={DicomFile.Read(StoredBytes(a, one)).Dataset.GetString(DicomTags.PatientID)}", "-k", $"StudyInstanceUID={study}",
                "-k", $"SeriesInstanceUID={series}", "-k", $"SOPInstanceUID={one.SopInstanceUid}", "127.0.0.1", P(a.DimsePort));
            Assert.True(code == 0, output);
            Assert.Single(Directory.EnumerateFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    internal static byte[] StoredBytes(DimseArchive a, Mira.Storage.Index.StoredInstance i)
    {
        using var s = a.Archive.Blobs.OpenRead(i.BlobKey);
        var b = new byte[i.BlobSize];
        s.ReadExactly(b);
        return b;
    }

    internal static byte[] StoredDataSet(DimseArchive a, Mira.Storage.Index.StoredInstance i) => DataSetBytes(StoredBytes(a, i));

    internal static byte[] DataSetBytes(byte[] part10) => part10[(int)DicomFile.Read(part10, new DicomReadOptions { StopBeforePixelData = true }).DatasetOffset..];
}
