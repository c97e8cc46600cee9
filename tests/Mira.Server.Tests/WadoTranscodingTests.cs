using Mira.Dicom.Codecs;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Server.Dicomweb;
using Mira.Testing;
using static Mira.Server.Tests.Dicomweb;
using static Mira.Server.Tests.MultipartReading;

namespace Mira.Server.Tests;

/// <summary>WADO-RS retrieve with <c>transfer-syntax</c> in the Accept header (PS3.18 §8.7.3.5.2, §10.4.1.1.1).</summary>
public sealed class WadoTranscodingTests(TestArchive server) : IClassFixture<TestArchive>
{
    const string ExplicitLE = "1.2.840.10008.1.2.1";
    const string AskExplicitLE = "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1";

    HttpClient Client => server.Bearer(server.StewardToken);

    async Task<HttpResponseMessage> Get(string path, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await Client.SendAsync(request);
    }

    /// <summary>Element by element (group lengths aside): same tags, VRs where both are known, values, items.</summary>
    static void AssertSameValues(DicomDataset expected, DicomDataset actual, string where)
    {
        var e = expected.Where(x => !x.Tag.IsGroupLength).ToList();
        var a = actual.Where(x => !x.Tag.IsGroupLength).ToList();
        Assert.Equal(e.Select(x => x.Tag), a.Select(x => x.Tag));
        for (var i = 0; i < e.Count; i++)
        {
            var (x, y) = (e[i], a[i]);
            var at = $"{where}{x.Tag.ToJsonKey()}";
            if (x.VR != DicomVR.UN && y.VR != DicomVR.UN) Assert.True(x.VR == y.VR, $"{at}: VR {x.VR} became {y.VR}");
            if (x is DicomSequence sx)
            {
                var sy = Assert.IsType<DicomSequence>(y);
                Assert.Equal(sx.Items.Count, sy.Items.Count);
                for (var k = 0; k < sx.Items.Count; k++) AssertSameValues(sx.Items[k], sy.Items[k], $"{at}/{k}/");
                continue;
            }
            var (bx, by) = (x.Bytes.ToArray(), y.Bytes.ToArray());
            // An odd-length value gains one padding byte when written (PS3.5 §7.1.1).
            if (bx.Length % 2 == 1 && by.Length == bx.Length + 1) by = by[..^1];
            Assert.True(bx.AsSpan().SequenceEqual(by), $"{at}: value differs ({bx.Length} vs {by.Length} bytes)");
        }
    }

    /// <summary>The oracle's arrays are colour-by-pixel; planar (Planar Configuration 1, PS3.3 C.7.6.3.1.3) samples are interleaved to compare.</summary>
    static byte[] ColourByPixel(DicomDataset ds, byte[] samples)
    {
        if (ds.GetInt32(DicomTags.PlanarConfiguration) != 1 || ds.GetInt32(DicomTags.BitsAllocated) != 8) return samples;
        var spp = ds.GetInt32(DicomTags.SamplesPerPixel)!.Value;
        var plane = ds.GetInt32(DicomTags.Rows)!.Value * ds.GetInt32(DicomTags.Columns)!.Value;
        var frames = samples.Length / (plane * spp);
        var result = new byte[frames * plane * spp];
        for (var f = 0; f < frames; f++)
            for (var c = 0; c < spp; c++)
                for (var p = 0; p < plane; p++)
                    result[(f * plane + p) * spp + c] = samples[(f * spp + c) * plane + p];
        return result;
    }

    [Theory]
    [InlineData("dicom/transfer-syntax/pydicom/MR_small_bigendian.dcm", "dicom/transfer-syntax/pydicom/MR_small.dcm")]
    [InlineData("dicom/transfer-syntax/dcm_qa_ts/3_explicit_be.dcm", "dicom/transfer-syntax/dcm_qa_ts/1_explicit_le.dcm")]
    [InlineData("dicom/transfer-syntax/dcm_qa_ts/2_implicit_le.dcm", "dicom/transfer-syntax/dcm_qa_ts/1_explicit_le.dcm")]
    [InlineData("dicom/transfer-syntax/cornerstone/CT1_UNC.explicit_big_endian.dcm", null)]
    [InlineData("dicom/transfer-syntax/pydicom/ExplVR_BigEnd.dcm", null)] // 8-bit RGB
    [InlineData("dicom/modality/RT/rtdose.dcm", null)] // implicit VR, 32 bits allocated
    [InlineData("dicom/transfer-syntax/pydicom/image_dfl.dcm", null)] // deflated
    [InlineData("dicom/transfer-syntax/cornerstone/report_dfl.dcm", null)] // deflated SR, no pixels
    public async Task Native_syntaxes_are_transcoded_to_explicit_vr_little_endian_on_request(string path, string? sameImageInExplicitLE)
    {
        var stored = await StoredCorpusFile.StoreAsync(server, path);
        var r = await Get(stored.InstancePath, AskExplicitLE);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var (type, parts) = await ReadAll(r);
        Assert.Equal(ExplicitLE, Parameter(type, "transfer-syntax"));
        var part = Assert.Single(parts);
        Assert.Equal($"application/dicom; transfer-syntax={ExplicitLE}", part.ContentType);

        var transcoded = DicomFile.Read(part.Content, DicomReadOptions.Untrusted);
        Assert.Equal(ExplicitLE, transcoded.FileMetaInformation.GetString(DicomTags.TransferSyntaxUID));
        Assert.Empty(transcoded.Warnings);
        Assert.Equal(stored.Sop, transcoded.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
        AssertSameValues(stored.File.Dataset, transcoded.Dataset, "");

        if (transcoded.Dataset.Find(DicomTags.PixelData) is not { } pixels) return;
        var samples = pixels.Bytes.ToArray();
        // Independent references: the same image stored in Explicit VR Little Endian, and the oracle's decoded array.
        if (sameImageInExplicitLE is not null)
            Assert.Equal(DicomFile.Open(Corpus.Get(sameImageInExplicitLE).FullPath).Dataset.Find(DicomTags.PixelData)!.Bytes.ToArray(), samples);
        var oracle = Corpus.Summary[path]["pixel_sha256_pydicom"];
        if (oracle.Length > 0) Assert.Equal(oracle, Convert.ToHexStringLower(SHA256.HashData(ColourByPixel(transcoded.Dataset, samples))));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("multipart/related; type=\"application/dicom\"; transfer-syntax=*")]
    [InlineData("multipart/related; type=\"application/dicom\"")]
    [InlineData("*/*")]
    public async Task Without_a_transfer_syntax_or_with_star_the_stored_bytes_come_back(string? accept)
    {
        var stored = await StoredCorpusFile.StoreAsync(server, "dicom/modality/RT/rtplan.dcm");
        var r = accept is null ? await Client.GetAsync(stored.InstancePath) : await Get(stored.InstancePath, accept);
        var part = Assert.Single((await ReadAll(r)).Parts);
        Assert.Equal("application/dicom; transfer-syntax=1.2.840.10008.1.2", part.ContentType);
        Assert.Equal(stored.Bytes, part.Content);
    }

    [Fact]
    public async Task Asking_for_the_stored_syntax_returns_the_stored_bytes()
    {
        var stored = await StoredCorpusFile.StoreAsync(server, "dicom/modality/CT/CT_small.dcm");
        var part = Assert.Single((await ReadAll(await Get(stored.InstancePath, AskExplicitLE))).Parts);
        Assert.Equal(stored.Bytes, part.Content);
    }

    [Fact]
    public async Task Compressed_instances_asked_for_in_a_native_syntax_are_decoded_to_the_oracle_pixels()
    {
        const string path = "dicom/transfer-syntax/pydicom/JPEG2000.dcm";
        var stored = await StoredCorpusFile.StoreAsync(server, path);
        var part = Assert.Single((await ReadAll(await Get(stored.InstancePath, AskExplicitLE))).Parts);
        var file = DicomFile.Read(part.Content);
        Assert.Equal(ExplicitLE, file.TransferSyntax.Uid);
        Assert.Equal(stored.Sop, file.Dataset.GetString(DicomTags.SOPInstanceUID));
        var pixels = Mira.Dicom.Codecs.PixelData.Open(file).DecodeAll();
        Assert.Equal(Mira.Testing.PixelOracles.Get(path)!.Pydicom.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pixels)));
    }

    [Fact]
    public async Task Instances_asked_for_in_a_syntax_that_cannot_be_produced_are_406_naming_instance_and_syntax()
    {
        const string lossyJpeg = "1.2.840.10008.1.2.4.50"; // lossy encoding is never done on retrieve
        var stored = await StoredCorpusFile.StoreAsync(server, "dicom/transfer-syntax/pydicom/JPEG2000.dcm");
        var ask = $"multipart/related; type=\"application/dicom\"; transfer-syntax={lossyJpeg}";
        var r = await Get($"/dicomweb/studies/{stored.Study}", ask);
        Assert.Equal(HttpStatusCode.NotAcceptable, r.StatusCode);
        var detail = JsonNode.Parse(await r.Content.ReadAsStringAsync())!["detail"]!.ToString();
        Assert.Contains(stored.Sop, detail);
        Assert.Contains(lossyJpeg, detail);
        Assert.Contains("1.2.840.10008.1.2.4.91", detail);
        // A second, acceptable range is taken instead.
        var fallback = await Get(stored.InstancePath, ask + ", multipart/related; type=\"application/dicom\"; transfer-syntax=*; q=0.5");
        Assert.Equal(stored.Bytes, Assert.Single((await ReadAll(fallback)).Parts).Content);
    }
}

/// <summary>The negotiation pieces without a server: Accept parsing, frame encoding choice through a converter, bit re-packing.</summary>
public sealed class WadoNegotiationTests
{
    static readonly TransferSyntax Jpeg = TransferSyntax.Lookup("1.2.840.10008.1.2.4.50");

    /// <summary>A converter as a codec registry would be: it can decode JPEG Baseline to Explicit VR Little Endian.</summary>
    sealed class DecodingConverter : ITransferSyntaxConverter
    {
        readonly NativeTransferSyntaxConverter native = new();

        public bool CanConvert(TransferSyntax from, TransferSyntax to) =>
            native.CanConvert(from, to) || (from.Uid == Jpeg.Uid && to.Uid == TransferSyntax.ExplicitVRLittleEndian.Uid);

        public DicomDataset Convert(DicomDataset dataset, TransferSyntax from, TransferSyntax to) => throw new NotImplementedException();
    }

    [Fact]
    public void Accept_ranges_are_ordered_by_weight_and_read_the_multipart_type()
    {
        var ranges = AcceptedMediaType.Parse("multipart/related; type=\"image/jpeg\"; q=0.5, multipart/related; type=application/octet-stream; transfer-syntax=*, image/*;q=0");
        Assert.Equal(2, ranges.Count);
        Assert.Equal(new AcceptedMediaType("application/octet-stream", "*", 1), ranges[0]);
        Assert.Equal(new AcceptedMediaType("image/jpeg", null, 0.5), ranges[1]);
        Assert.True(Assert.Single(AcceptedMediaType.Parse("")).IsWildcard);
        Assert.True(new AcceptedMediaType("image/*", null, 1).Matches("image/jls"));
    }

    [Fact]
    public void Uncompressed_frames_of_a_compressed_instance_need_a_converter_that_can_decode()
    {
        var octet = AcceptedMediaType.Parse("multipart/related; type=\"application/octet-stream\"");
        Assert.Null(WadoBulkDataEndpoints.Choose(octet, Jpeg, new NativeTransferSyntaxConverter()));
        var decoded = WadoBulkDataEndpoints.Choose(octet, Jpeg, new DecodingConverter());
        Assert.Equal(new WadoBulkDataEndpoints.FrameEncoding("application/octet-stream", TransferSyntax.ExplicitVRLittleEndian), decoded);
        Assert.Equal(new WadoBulkDataEndpoints.FrameEncoding("image/jpeg", Jpeg),
            WadoBulkDataEndpoints.Choose(AcceptedMediaType.Parse("*/*"), Jpeg, new DecodingConverter()));
    }

    [Fact]
    public void Native_converter_converts_between_native_syntaxes_only()
    {
        var c = new NativeTransferSyntaxConverter();
        Assert.True(c.CanConvert(TransferSyntax.ExplicitVRBigEndian, TransferSyntax.ExplicitVRLittleEndian));
        Assert.True(c.CanConvert(TransferSyntax.DeflatedExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian));
        Assert.True(c.CanConvert(Jpeg, Jpeg));
        Assert.False(c.CanConvert(Jpeg, TransferSyntax.ExplicitVRLittleEndian));
        Assert.False(c.CanConvert(TransferSyntax.ExplicitVRLittleEndian, Jpeg));
    }

    [Fact]
    public void Big_endian_32_bit_pixel_data_read_as_16_bit_words_gets_its_words_reversed()
    {
        // 0x11223344 written big endian is 11 22 33 44; read as OW words it became 22 11 44 33.
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.BitsAllocated, DicomVR.US, new byte[] { 32, 0 }));
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[] { 0x22, 0x11, 0x44, 0x33 }));
        var converted = new NativeTransferSyntaxConverter().Convert(ds, TransferSyntax.ExplicitVRBigEndian, TransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal(new byte[] { 0x44, 0x33, 0x22, 0x11 }, converted.Find(DicomTags.PixelData)!.Bytes.ToArray());
    }

    [Fact]
    public void Bits_are_extracted_from_any_bit_offset_least_significant_first()
    {
        // Bits (LSB first): byte0 = 1011_0110 → bits 0..7 = 0,1,1,0,1,1,0,1; byte1 = 0000_0011 → bits 8.. = 1,1,0…
        byte[] data = [0b1011_0110, 0b0000_0011];
        Assert.Equal(new byte[] { 0b0001_1011 }, PixelFrames.ExtractBits(data, 1, 5)); // bits 1..5 = 1,1,0,1,1
        Assert.Equal(new byte[] { 0b0011_1011, 0 }, PixelFrames.ExtractBits(data, 4, 9)); // bits 4..12 = 1,1,0,1,1,1,0,0,0
        Assert.Equal(new[] { 3, 1 }, PixelFrames.ParseList("3,1,3", out _)); // repeats dropped, first occurrences in order (issue 14 item 5)
        Assert.Null(PixelFrames.ParseList("1,2,3", out var tooLong, maxEntries: 2));
        Assert.Contains("at most 2", tooLong);
        Assert.Null(PixelFrames.ParseList("1,", out var error));
        Assert.NotNull(error);
    }
}
