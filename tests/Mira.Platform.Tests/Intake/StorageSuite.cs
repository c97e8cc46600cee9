using System.Security.Cryptography;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Storage.Blobs;
using Mira.Storage.Index;
using Mira.Platform.Intake;
using Mira.Storage.Verify;
using Mira.Testing;

namespace Mira.Platform.Tests;

/// <summary>
/// The one storage suite: blob store, index, ingest, QIDO and verification, run against every index provider by
/// the derived classes (<see cref="SqliteStorageTests"/>, <see cref="PostgreSqlStorageTests"/>).
/// </summary>
public abstract partial class StorageSuite : IAsyncLifetime
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-storage-" + Guid.NewGuid().ToString("N")[..10]);

    protected FileBlobStore Blobs { get; private set; } = null!;
    protected SqlIndexStore Index { get; private set; } = null!;
    protected IngestService Ingest { get; private set; } = null!;

    protected string Folder => folder;

    protected abstract Task<StorageDatabase> CreateDatabaseAsync(string folder);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        Blobs = new FileBlobStore(Path.Combine(folder, "blobs"));
        Index = await SqlIndexStore.OpenAsync(await CreateDatabaseAsync(folder));
        Ingest = new IngestService(Index, Blobs);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    protected Task<ArchiveVerification> VerifyAsync(bool repair = false) => new ArchiveVerifier(Index, Blobs).VerifyAsync(repair);

    static string Sha(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(SHA256.HashData(b));

    byte[] ReadBlob(string key)
    {
        using var s = Blobs.OpenRead(key);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>What the suite expects of a corpus file: its SOP Instance UID when it should be accepted, else null.</summary>
    static string? ExpectedUid(byte[] bytes)
    {
        try
        {
            var f = DicomFile.Read(bytes, DicomReadOptions.Untrusted);
            // A SOP Instance UID and a SOP Class UID (data set, else file meta) suffice; Study/Series may be derived.
            string?[] uids = [f.Dataset.GetString(DicomTags.SOPClassUID) ?? f.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID),
                f.Dataset.GetString(DicomTags.SOPInstanceUID)];
            return !f.IsTruncated && uids.All(u => !string.IsNullOrWhiteSpace(u)) ? uids[1]!.Trim('\0', ' ') : null;
        }
        catch (Exception)
        {
            return null;
        }
    }

    [Fact]
    public async Task Corpus_every_file_with_uids_is_stored_byte_identical_and_others_refused_leaving_nothing()
    {
        var files = Corpus.DicomFiles.ToList();
        var parts = files.Select(f => (ReadOnlyMemory<byte>)File.ReadAllBytes(f.FullPath)).ToList();
        var results = new List<StoreResult>();
        await foreach (var r in Ingest.StoreManyAsync(parts, new IngestSource("test")))
            results.Add(r);
        Assert.Equal(files.Count, results.Count);

        var firstByUid = new Dictionary<string, string>(); // uid -> sha of the first accepted object
        var firstDataSet = new Dictionary<string, (string Syntax, byte[] DataSet)>();
        var stored = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var bytes = parts[i].Span;
            var uid = ExpectedUid(parts[i].ToArray());
            var r = results[i];
            var label = $"{files[i].Path}: {r}";
            if (uid is null)
            {
                Assert.True(r.Outcome == StoreOutcome.Refused, label);
                Assert.False(string.IsNullOrEmpty(r.Reason), label);
                Assert.NotEqual(StoreStatus.Success, r.Status);
                continue;
            }
            var sha = Sha(bytes);
            if (!firstByUid.TryGetValue(uid, out var firstSha))
            {
                Assert.True(r.Outcome == StoreOutcome.Stored, label);
                firstByUid[uid] = sha;
                firstDataSet[uid] = DataSetOf(bytes.ToArray());
                stored++;
                Assert.Equal(bytes.ToArray(), ReadBlob(r.Instance!.BlobKey));
            }
            else if (firstSha == sha) Assert.True(r.Outcome == StoreOutcome.AlreadyStored, label);
            else if (DataSetOf(bytes.ToArray()) is var mine && mine.Syntax == firstDataSet[uid].Syntax && mine.DataSet.SequenceEqual(firstDataSet[uid].DataSet))
                Assert.True(r.Outcome == StoreOutcome.AlreadyStored, label); // only the file meta differs: the same object
            else
            {
                Assert.True(r.Outcome == StoreOutcome.Refused && r.Status == StoreStatus.DuplicateSopInstance, label);
            }
        }
        Assert.True(stored > 50, $"only {stored} corpus instances stored");
        var v = await VerifyAsync();
        Assert.True(v.IsConsistent, string.Join("\n", v.Problems));
        Assert.Equal(stored, v.Instances);
        Assert.Equal(stored, v.Blobs);
        foreach (var (uid, sha) in firstByUid)
            Assert.Equal(sha, (await Index.FindInstanceAsync(uid))!.Sha256);
    }

    static (string Syntax, byte[] DataSet) DataSetOf(byte[] part10)
    {
        try
        {
            var f = Mira.Dicom.IO.DicomFile.Read(part10, new Mira.Dicom.IO.DicomReadOptions { StopBeforePixelData = true });
            return (f.TransferSyntax.Uid, part10[(int)f.DatasetOffset..]);
        }
        catch (Mira.Dicom.MiraException)
        {
            return ("", []);
        }
    }

    [Fact]
    public async Task A_resend_whose_file_meta_alone_differs_is_already_stored()
    {
        var original = File.ReadAllBytes(Corpus.Get("dicom/modality/CT/CT_small.dcm").FullPath);
        var file = Mira.Dicom.IO.DicomFile.Read(original, new Mira.Dicom.IO.DicomReadOptions { StopBeforePixelData = true });
        // The same data set as a DIMSE receiver wraps it: another meta (Source AE Title, implementation UID).
        var rewrapped = Mira.Dicom.IO.DicomFileWriter.Compose(file.Dataset.GetString(Mira.Dicom.DicomTags.SOPClassUID)!,
            file.Dataset.GetString(Mira.Dicom.DicomTags.SOPInstanceUID)!, file.TransferSyntax, original.AsSpan((int)file.DatasetOffset), "OTHER_AE");
        Assert.NotEqual(Sha(original), Sha(rewrapped));
        var first = await Ingest.StoreAsync(original, new IngestSource("test"));
        var second = await Ingest.StoreAsync(rewrapped, new IngestSource("dimse", "OTHER_AE"));
        Assert.Equal(StoreOutcome.Stored, first.Outcome);
        Assert.Equal(StoreOutcome.AlreadyStored, second.Outcome);
        Assert.Equal(StoreStatus.Success, second.Status);
        Assert.Equal(Sha(original), (await Index.FindInstanceAsync(first.SopInstanceUid!))!.Sha256);
        var v = await VerifyAsync();
        Assert.Equal(1, v.Blobs);
    }

    [Fact]
    public async Task Same_uid_in_other_transfer_syntaxes_first_wins_later_refused_as_conflict()
    {
        string[] family = ["MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm"];
        var bytes = family.Select(f => File.ReadAllBytes(Corpus.Get("dicom/transfer-syntax/pydicom/" + f).FullPath)).ToList();
        var first = await Ingest.StoreAsync(bytes[0], new IngestSource("test"));
        Assert.Equal(StoreOutcome.Stored, first.Outcome);
        foreach (var other in bytes.Skip(1))
        {
            var r = await Ingest.StoreAsync(other, new IngestSource("test"));
            Assert.Equal(StoreOutcome.Refused, r.Outcome);
            Assert.Equal(StoreStatus.DuplicateSopInstance, r.Status);
            Assert.Equal(first.SopInstanceUid, r.SopInstanceUid);
            Assert.Contains("different object", r.Reason);
        }
        Assert.Equal(bytes[0], ReadBlob(first.Instance!.BlobKey));
        var v = await VerifyAsync();
        Assert.True(v.IsConsistent, string.Join("\n", v.Problems));
        Assert.Equal(1, v.Blobs);
    }

    [Fact]
    public async Task Identical_resend_succeeds_with_a_warning()
    {
        var part = TestInstances.Make("1.2.3", "1.2.3.1", "1.2.3.1.1");
        Assert.Equal(StoreOutcome.Stored, (await Ingest.StoreAsync(part, IngestSource.Unknown)).Outcome);
        var again = await Ingest.StoreAsync(new MemoryStream(part), IngestSource.Unknown);
        Assert.Equal(StoreOutcome.AlreadyStored, again.Outcome);
        Assert.True(again.IsSuccess && again.HasWarning);
        Assert.Equal(StoreStatus.Success, again.Status);
        Assert.Single(Blobs.Enumerate());
    }

    [Theory]
    [InlineData("sop")]
    [InlineData("class")]
    public async Task Missing_required_uid_is_refused_with_a_reason(string which)
    {
        var part = TestInstances.Make("1.2.4", "1.2.4.1", "1.2.4.1.1");
        // The writer insists on SOP Class/Instance UIDs (PS3.10 §7.1): blank them after writing. Without a SOP Class
        // UID in the data set the meta's Media Storage SOP Class UID would do, so "class" blanks both.
        if (which == "sop") BlankLast(part, "1.2.4.1.1");
        else
        {
            BlankLast(part, TestInstances.CtImageStorage);
            BlankLast(part, TestInstances.CtImageStorage);
        }
        var r = await Ingest.StoreAsync(part, IngestSource.Unknown);
        Assert.Equal(StoreOutcome.Refused, r.Outcome);
        Assert.Equal(StoreStatus.DataSetDoesNotMatchSopClass, r.Status);
        Assert.Contains("missing", r.Reason);
        Assert.Empty(Blobs.Enumerate());
    }

    [Theory]
    [InlineData("study")]
    [InlineData("series")]
    public async Task Missing_study_or_series_uid_files_the_instance_under_a_derived_uid(string which)
    {
        var part = TestInstances.Make("1.2.4", "1.2.4.1", "1.2.4.1.2", ds =>
            ds.Remove(which == "study" ? DicomTags.StudyInstanceUID : DicomTags.SeriesInstanceUID));
        var r = await Ingest.StoreAsync(part, IngestSource.Unknown);
        Assert.Equal(StoreOutcome.Stored, r.Outcome);
        var stored = await Index.FindInstanceAsync("1.2.4.1.2");
        Assert.Equal(which == "study" ? IncomingInstance.PlacementUid("study", "1.2.4.1.2") : "1.2.4", stored!.StudyInstanceUid);
        Assert.Equal(which == "series" ? IncomingInstance.PlacementUid("series", "1.2.4.1.2") : "1.2.4.1", stored.SeriesInstanceUid);
        Assert.Equal(part, ReadBlob(stored.BlobKey));
        Assert.Equal(IncomingInstance.PlacementUid("study", "1.2.4.1.2"), IncomingInstance.PlacementUid("study", "1.2.4.1.2"));
    }

    static void BlankLast(byte[] data, string ascii)
    {
        var needle = System.Text.Encoding.ASCII.GetBytes(ascii);
        var at = data.AsSpan().LastIndexOf(needle);
        Assert.True(at > 0);
        data.AsSpan(at, needle.Length).Fill((byte)' ');
    }

    [Fact]
    public async Task Truncated_and_garbage_parts_are_refused_as_cannot_understand()
    {
        var part = TestInstances.Make("1.2.5", "1.2.5.1", "1.2.5.1.1");
        foreach (var bad in new[] { part[..(part.Length - 3)], "not dicom at all"u8.ToArray(), Array.Empty<byte>() })
        {
            var r = await Ingest.StoreAsync(bad, IngestSource.Unknown);
            Assert.Equal(StoreOutcome.Refused, r.Outcome);
            Assert.Equal(StoreStatus.CannotUnderstand, r.Status);
        }
        Assert.Empty(Blobs.Enumerate());
        Assert.Null(await Index.FindInstanceAsync("1.2.5.1.1"));
    }

    [Fact]
    public async Task Parallel_stores_of_one_instance_one_wins()
    {
        var a = TestInstances.Make("1.2.6", "1.2.6.1", "1.2.6.1.1");
        var b = TestInstances.Make("1.2.6", "1.2.6.1", "1.2.6.1.1", ds => ds.Set(DicomTags.PatientName, "Other^Body"));
        var tasks = Enumerable.Range(0, 16).Select(i => Task.Run(() => Ingest.StoreAsync(i % 2 == 0 ? a : b, IngestSource.Unknown))).ToList();
        var results = await Task.WhenAll(tasks);
        Assert.Single(results, r => r.Outcome == StoreOutcome.Stored);
        var winner = await Index.FindInstanceAsync("1.2.6.1.1");
        var winnerBytes = winner!.Sha256 == Sha(a) ? a : b;
        foreach (var (r, i) in results.Select((r, i) => (r, i)))
        {
            var mine = i % 2 == 0 ? a : b;
            if (r.Outcome == StoreOutcome.Stored) Assert.Same(winnerBytes, mine);
            else if (mine == winnerBytes) Assert.Equal(StoreOutcome.AlreadyStored, r.Outcome);
            else Assert.Equal(StoreStatus.DuplicateSopInstance, r.Status);
        }
        Assert.Equal(winnerBytes, ReadBlob(winner.BlobKey));
        var v = await VerifyAsync();
        Assert.True(v.IsConsistent, string.Join("\n", v.Problems));
    }

    [Fact]
    public async Task Verify_detects_missing_blob_and_orphan_blob()
    {
        var r = await Ingest.StoreAsync(TestInstances.Make("1.2.7", "1.2.7.1", "1.2.7.1.1"), IngestSource.Unknown);
        Assert.True((await VerifyAsync()).IsConsistent);
        await Blobs.WriteAsync("ab/cd/orphan.dcm", new byte[] { 1, 2, 3 });
        Blobs.Delete(r.Instance!.BlobKey);
        var v = await VerifyAsync();
        Assert.Contains(v.Problems, p => p.Kind == ArchiveProblemKind.MissingBlob && p.SopInstanceUid == "1.2.7.1.1");
        Assert.Contains(v.Problems, p => p.Kind == ArchiveProblemKind.OrphanBlob && p.BlobKey == "ab/cd/orphan.dcm");
    }

    [Fact]
    public async Task Verify_detects_a_corrupt_blob()
    {
        var r = await Ingest.StoreAsync(TestInstances.Make("1.2.8", "1.2.8.1", "1.2.8.1.1"), IngestSource.Unknown);
        var bytes = ReadBlob(r.Instance!.BlobKey);
        bytes[^1] ^= 0xFF;
        await Blobs.WriteAsync(r.Instance.BlobKey, bytes);
        var v = await VerifyAsync();
        Assert.Contains(v.Problems, p => p.Kind == ArchiveProblemKind.HashMismatch);
    }

    [Fact]
    public async Task Interrupted_batches_are_undone_from_the_ingest_journal_and_settled_ones_leave_no_record()
    {
        var journal = new IngestJournal(Path.Combine(Folder, "journal"));
        var ingest = new IngestService(Index, Blobs) { Journal = journal };
        var kept = TestInstances.Make("1.2.10", "1.2.10.1", "1.2.10.1.1");
        Assert.Equal(StoreOutcome.Stored, (await ingest.StoreAsync(kept, IngestSource.Unknown)).Outcome);
        Assert.Empty(journal.Pending());
        // A crash after a batch's blobs were written and before its index commit: the journal names them.
        var lost = TestInstances.Make("1.2.10", "1.2.10.1", "1.2.10.1.2");
        var lostKey = FileBlobStore.KeyFor("1.2.10.1.2", Sha(lost));
        var keptKey = (await Index.FindInstanceAsync("1.2.10.1.1"))!.BlobKey;
        journal.Begin([lostKey, keptKey]);
        await Blobs.WriteAsync(lostKey, lost);
        Assert.Single(journal.Pending());

        Assert.Equal(1, await journal.RecoverAsync(Index, Blobs));
        Assert.False(Blobs.Exists(lostKey));
        Assert.Equal(kept, ReadBlob(keptKey));
        Assert.Empty(journal.Pending());
        Assert.True((await VerifyAsync()).IsConsistent);
    }

    [Fact]
    public async Task Crash_between_blob_write_and_index_commit_is_repaired_to_a_consistent_archive()
    {
        await Ingest.StoreAsync(TestInstances.Make("1.2.9", "1.2.9.1", "1.2.9.1.1"), IngestSource.Unknown);
        // What a kill -9 leaves: a blob durably written whose index row never committed, and a half-written temp file.
        var crashed = TestInstances.Make("1.2.9", "1.2.9.1", "1.2.9.1.2");
        await Blobs.WriteAsync(FileBlobStore.KeyFor("1.2.9.1.2", Sha(crashed)), crashed);
        var dir = Path.Combine(Blobs.Root, "ff", "ee");
        Directory.CreateDirectory(dir);
        await File.WriteAllBytesAsync(Path.Combine(dir, FileBlobStore.TemporaryPrefix + "partial"), new byte[10]);

        var before = await VerifyAsync();
        Assert.Single(before.Problems, p => p.Kind == ArchiveProblemKind.OrphanBlob);
        var repaired = await VerifyAsync(repair: true);
        Assert.Equal(2, repaired.Repaired);
        Assert.True(repaired.IsConsistent);
        Assert.True((await VerifyAsync()).IsConsistent);
        Assert.Empty(Directory.GetFiles(dir));
        // The unacknowledged instance can simply be sent again.
        Assert.Equal(StoreOutcome.Stored, (await Ingest.StoreAsync(crashed, IngestSource.Unknown)).Outcome);
    }

    [Fact]
    public async Task Batched_ingest_commits_per_batch_and_reports_per_instance()
    {
        var service = new IngestService(Index, Blobs) { BatchSize = 7 };
        var parts = Enumerable.Range(1, 30).Select(i => (ReadOnlyMemory<byte>)TestInstances.Make("1.3.1", "1.3.1." + (i % 3), $"1.3.1.9.{i}")).ToList();
        parts.Add(parts[3]); // an identical resend within the stream
        var results = new List<StoreResult>();
        await foreach (var r in service.StoreManyAsync(parts, IngestSource.Unknown)) results.Add(r);
        Assert.Equal(30, results.Count(r => r.Outcome == StoreOutcome.Stored));
        Assert.Equal(StoreOutcome.AlreadyStored, results[^1].Outcome);
        var studies = await Index.QueryStudiesAsync(Mira.Storage.Query.QidoQuery.Empty);
        Assert.Equal("3", Assert.Single(studies).GetString(DicomTags.NumberOfStudyRelatedSeries));
    }

    [Fact]
    public async Task Instances_of_a_study_or_series_come_from_one_query_in_insertion_order()
    {
        string[] sops = ["1.5.1.1.3", "1.5.1.2.1", "1.5.1.1.1", "1.5.1.1.2"];
        foreach (var sop in sops)
            await Ingest.StoreAsync(TestInstances.Make("1.5.1", sop[..7], sop), IngestSource.Unknown);
        await Ingest.StoreAsync(TestInstances.Make("1.5.2", "1.5.2.1", "1.5.2.1.1"), IngestSource.Unknown);

        var study = await Index.FindInstancesAsync("1.5.1");
        Assert.Equal(sops, study.Select(i => i.SopInstanceUid));
        Assert.All(study, i => Assert.Equal("1.5.1", i.StudyInstanceUid));
        var one = await Index.FindInstanceAsync("1.5.1.2.1");
        Assert.Equal(one, Assert.Single(study, i => i.SopInstanceUid == "1.5.1.2.1"));

        var series = await Index.FindInstancesAsync("1.5.1", "1.5.1.1");
        Assert.Equal(["1.5.1.1.3", "1.5.1.1.1", "1.5.1.1.2"], series.Select(i => i.SopInstanceUid));
        Assert.All(series, i => Assert.Equal("1.5.1.1", i.SeriesInstanceUid));
        Assert.Empty(await Index.FindInstancesAsync("1.5.2", "1.5.1.1")); // a series of another study
        Assert.Empty(await Index.FindInstancesAsync("9.9.9"));
    }

    [Fact]
    public async Task Reopening_the_index_keeps_schema_and_rows()
    {
        await Ingest.StoreAsync(TestInstances.Make("1.4.1", "1.4.1.1", "1.4.1.1.1"), IngestSource.Unknown);
        var again = await SqlIndexStore.OpenAsync(Index.Database);
        Assert.NotNull(await again.FindInstanceAsync("1.4.1.1.1"));
    }
}
