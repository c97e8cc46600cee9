using System.Text.Json.Nodes;
using Mira.Dicom.IO;
using Mira.Dicom.Json;
using Mira.Testing;

namespace Mira.Dicom.Tests.Corpus;

/// <summary>Read → write → read gives an equal data set for every corpus file that parses.</summary>
public class CorpusRoundTripTests
{
    public static TheoryData<string> ReadableFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Mira.Testing.Corpus.DicomFiles)
        {
            try
            {
                DicomFile.Open(f.FullPath);
                data.Add(f.Path);
            }
            catch (DicomFormatException)
            {
                // Files Mira rejects are covered by the rejection tests.
            }
        }
        return data;
    }

    static readonly DicomWriteOptions keep = new() { KeepInvalidValues = true };

    [Theory]
    [MemberData(nameof(ReadableFiles))]
    public void Writing_in_the_original_transfer_syntax_reads_back_equal(string path)
    {
        var original = DicomFile.Open(Mira.Testing.Corpus.Get(path).FullPath);
        AssertRoundTrip(original, original.TransferSyntax);
    }

    [Theory]
    [MemberData(nameof(ReadableFiles))]
    public void Writing_native_data_as_explicit_little_endian_reads_back_equal(string path)
    {
        var original = DicomFile.Open(Mira.Testing.Corpus.Get(path).FullPath);
        if (original.TransferSyntax.IsEncapsulated) return;
        AssertRoundTrip(original, TransferSyntax.ExplicitVRLittleEndian);
    }

    static void AssertRoundTrip(DicomFile original, TransferSyntax syntax)
    {
        DicomDataset reread;
        if (original.Dataset.Contains(DicomTags.SOPClassUID) && original.Dataset.Contains(DicomTags.SOPInstanceUID))
        {
            var bytes = DicomFileWriter.ToBytes(original.Dataset, syntax, original.FileMetaInformation, keep);
            var file = DicomFile.Read(bytes);
            Assert.Equal(syntax.Uid, file.TransferSyntax.Uid);
            Assert.Equal(syntax.Uid, file.FileMetaInformation.GetString(DicomTags.TransferSyntaxUID));
            reread = file.Dataset;
        }
        else
        {
            // Without SOP Class/Instance UIDs there can be no File Meta Information (PS3.10 §7.1): write the raw data set.
            var ms = new MemoryStream();
            new DicomDatasetWriter(syntax, keep).Write(ms, original.Dataset);
            reread = DicomDatasetReader.Read(ms.ToArray(), syntax);
        }
        var diffs = DicomJsonComparer.Diff(Json(original.Dataset), Json(reread));
        Assert.True(diffs.Count == 0, string.Join("\n", diffs.Take(10)));
    }

    /// <summary>
    /// JSON for comparing: odd-length values shown padded, as every writer must pad them (PS3.5 §7.1.1);
    /// encapsulated Pixel Data as its fragments, with VR OB, which is what PS3.5 §A.4 requires whatever the source
    /// said; group lengths left out because the writer recomputes them (some sources carry wrong ones).
    /// </summary>
    static JsonObject Json(DicomDataset ds)
    {
        var json = (JsonObject)JsonNode.Parse(DicomJsonWriter.Serialize(ds, new DicomJsonWriteOptions { BulkDataUri = BulkUri }))!;
        if (json["7FE00010"] is JsonObject px && px["BulkDataURI"]?.GetValue<string>().StartsWith("fragments:", StringComparison.Ordinal) == true)
            px["vr"] = "OB";
        return json;
    }

    static string? BulkUri(DicomElement e)
    {
        if (e is DicomFragmentSequence f)
            return "fragments:" + string.Join(",", f.Fragments.Select(x => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Padded(x.Bytes.Span)))))
                + ";bot:" + string.Join(",", f.BasicOffsetTable);
        return DicomVRInfo.IsBinary(e.VR) && e is not DicomSequence
            ? "padded:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Padded(e.Bytes.Span)))
            : null;
    }

    static byte[] Padded(ReadOnlySpan<byte> b)
    {
        var r = new byte[b.Length + (b.Length & 1)];
        b.CopyTo(r);
        return r;
    }
}
