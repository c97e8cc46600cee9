using System.Net;
using Mira.Storage.Security;
using Mira.Testing;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>Corpus files through STOW and back through WADO, a same-UID conflict, and the audit trail of it all.</summary>
public sealed class CorpusAndAuditTests(TestArchive server) : IClassFixture<TestArchive>
{
    static readonly string[] Files =
    [
        "dicom/transfer-syntax/pydicom/MR_small.dcm",
        "dicom/transfer-syntax/pydicom/JPEG2000.dcm",
        "dicom/transfer-syntax/pydicom/SC_rgb_rle_16bit_2frame.dcm",
        "dicom/transfer-syntax/pydicom/ExplVR_BigEnd.dcm",
    ];

    [Fact]
    public async Task Corpus_files_round_trip_byte_identical_conflicts_are_refused_and_everything_is_audited()
    {
        var inputs = Files.Select(f => File.ReadAllBytes(Corpus.Get(f).FullPath)).ToArray();
        var stow = await Stow(server.Admin, "/dicomweb/studies", inputs);
        Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
        var items = (await Json(stow))["00081199"]!["Value"]!.AsArray();
        Assert.Equal(inputs.Length, items.Count);

        var client = server.Bearer(server.StewardToken);
        for (var i = 0; i < inputs.Length; i++)
        {
            var url = new Uri(Value(items[i], "00081190")!).AbsolutePath;
            var parts = await ReadParts(await client.GetAsync(url));
            Assert.Equal(inputs[i], Assert.Single(parts));
        }

        // The same image under the same SOP Instance UID in another transfer syntax: a different object.
        var other = File.ReadAllBytes(Corpus.Get("dicom/transfer-syntax/pydicom/MR_small_RLE.dcm").FullPath);
        var conflict = await Stow(server.Admin, "/dicomweb/studies", other);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal(StoreStatus.DuplicateSopInstance.ToString(), Value((await Json(conflict))["00081198"]!["Value"]![0], "00081197"));
        var first = new Uri(Value(items[0], "00081190")!).AbsolutePath;
        Assert.Equal(inputs[0], Assert.Single(await ReadParts(await client.GetAsync(first))));

        // An identical resend succeeds with a warning.
        var again = await Stow(server.Admin, "/dicomweb/studies", inputs[0]);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.NotNull((await Json(again))["00081199"]);

        var audit = await server.Archive.Audit.ReadAsync(1, 10_000);
        Assert.True((await server.Archive.Audit.VerifyAsync()).IsIntact);
        Assert.Contains(audit, a => a is { Actor: "admin", Action: "stow.store" } && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Success));
        Assert.Contains(audit, a => a is { Actor: "admin", Action: "stow.store" } && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Failure));
        Assert.Contains(audit, a => a is { Actor: "steward", Action: "wado.retrieve" } && first.Contains(a.Resource!));
    }
}

/// <summary>
/// The whole corpus through STOW-RS, file by file: every parseable file with a SOP Instance UID is accepted (the
/// first object of a UID wins; a later different one is a 0x0111 conflict) and WADO-RS returns the stored bytes
/// unchanged; files without a SOP Instance UID or unparseable are refused with a reason.
/// </summary>
public abstract class CorpusStowSuite(TestArchive server)
{
    [Fact]
    public async Task Every_corpus_file_is_stored_byte_identical_or_refused_with_a_reason()
    {
        var firstByUid = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var locations = new Dictionary<string, string>(StringComparer.Ordinal);
        var (stored, conflicts, refused) = (0, 0, 0);
        foreach (var file in Corpus.DicomFiles)
        {
            var bytes = File.ReadAllBytes(file.FullPath);
            var r = await Stow(server.Admin, "/dicomweb/studies", bytes);
            var json = r.StatusCode == HttpStatusCode.NoContent ? null : await Json(r);
            string? sop = null;
            var complete = false;
            try
            {
                var f = Mira.Dicom.IO.DicomFile.Read(bytes, Mira.Dicom.IO.DicomReadOptions.Untrusted);
                sop = f.Dataset.GetString(Mira.Dicom.DicomTags.SOPInstanceUID);
                complete = !f.IsTruncated && sop is not null && (f.Dataset.GetString(Mira.Dicom.DicomTags.SOPClassUID) ?? f.FileMetaInformation.GetString(Mira.Dicom.DicomTags.MediaStorageSOPClassUID)) is not null;
            }
            catch (Mira.Dicom.DicomFormatException) { }
            if (r.StatusCode == HttpStatusCode.OK)
            {
                Assert.NotNull(sop);
                Assert.False(firstByUid.ContainsKey(sop!), $"{file.Path}: a second object under {sop} was accepted");
                firstByUid[sop!] = bytes;
                locations[sop!] = new Uri(Value(json!["00081199"]!["Value"]![0], "00081190")!).AbsolutePath;
                stored++;
                continue;
            }
            if (r.StatusCode == HttpStatusCode.Accepted && json?["00081198"] is null)
            {
                // Accepted with a warning: the same data set as the stored object under this UID, only the file meta
                // differs (e.g. the same instance written by another tool): the same object, kept once.
                Assert.True(sop is not null && firstByUid.TryGetValue(sop, out var earlier) && DataSet(earlier).SequenceEqual(DataSet(bytes)),
                    $"{file.Path}: accepted as a resend, yet its data set differs from the stored one");
                Assert.NotNull(json?["00081199"]);
                conflicts++;
                continue;
            }
            var failure = json?["00081198"]?["Value"]?[0];
            Assert.True(failure is not null, $"{file.Path}: {r.StatusCode} without a FailedSOPSequence");
            var reason = Value(failure, "00081197");
            if (sop is not null && firstByUid.TryGetValue(sop, out var first))
            {
                Assert.True(r.StatusCode == HttpStatusCode.Accepted && first.AsSpan().SequenceEqual(bytes) || reason == "273",
                    $"{file.Path}: expected an identical resend or a 0x0111 conflict, got {r.StatusCode} {reason}");
                conflicts++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
                Assert.False(complete, $"{file.Path}: readable with a SOP Instance UID, yet refused: {reason}");
                refused++;
            }
        }
        foreach (var (sop, bytes) in firstByUid)
            Assert.Equal(bytes, Assert.Single(await ReadParts(await server.Admin.GetAsync(locations[sop]))));
        Assert.True(conflicts > 0 && refused > 0, $"stored {stored}, conflicts {conflicts}, refused {refused}");
    }

    static byte[] DataSet(byte[] part10)
    {
        var f = Mira.Dicom.IO.DicomFile.Read(part10, new Mira.Dicom.IO.DicomReadOptions { StopBeforePixelData = true });
        return [.. f.TransferSyntax.Uid.Select(c => (byte)c), .. part10.AsSpan((int)f.DatasetOffset)];
    }
}

public sealed class CorpusStowTests(TestArchive server) : CorpusStowSuite(server), IClassFixture<TestArchive>;

public sealed class PostgreSqlCorpusStowTests(PostgresTestArchive server) : CorpusStowSuite(server), IClassFixture<PostgresTestArchive>;
