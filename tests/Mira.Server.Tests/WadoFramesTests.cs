using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Testing;
using static Mira.Server.Tests.Dicomweb;
using static Mira.Server.Tests.MultipartReading;

namespace Mira.Server.Tests;

/// <summary>Corpus files stored through STOW-RS, read back locally, and their locations in the archive.</summary>
public sealed record StoredCorpusFile(DicomFile File, byte[] Bytes, string Study, string Series, string Sop)
{
    public string InstancePath => $"/dicomweb/studies/{Study}/series/{Series}/instances/{Sop}";

    public static async Task<StoredCorpusFile> StoreAsync(TestArchive server, string path)
    {
        var bytes = System.IO.File.ReadAllBytes(Corpus.Get(path).FullPath);
        var r = await Stow(server.Admin, "/dicomweb/studies", bytes);
        Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{path}: STOW {r.StatusCode}");
        var file = DicomFile.Read(bytes);
        var ds = file.Dataset;
        return new StoredCorpusFile(file, bytes, ds.GetString(DicomTags.StudyInstanceUID)!, ds.GetString(DicomTags.SeriesInstanceUID)!,
            ds.GetString(DicomTags.SOPInstanceUID)!);
    }
}

/// <summary>WADO-RS frames (PS3.18 §10.4.1.1.4) of native, bit-packed, big-endian and encapsulated corpus files.</summary>
public sealed class WadoFramesTests(TestArchive server) : IClassFixture<TestArchive>
{
    const string ExplicitLE = "1.2.840.10008.1.2.1";

    HttpClient Client => server.Bearer(server.StewardToken);

    async Task<HttpResponseMessage> Get(string path, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        return await Client.SendAsync(request);
    }

    static byte[] PixelBytes(DicomFile f) => f.Dataset.Find(DicomTags.PixelData)!.Bytes.ToArray();

    [Theory]
    [InlineData("dicom/modality/MR/emri_small.dcm", "1,3,10")]
    [InlineData("dicom/modality/RT/rtdose.dcm", "15,1,7")] // implicit VR, 32 bits allocated
    [InlineData("dicom/modality/SM/highdicom_sm_image.dcm", "25,2")] // RGB, 3 samples per pixel
    public async Task Native_frames_are_slices_of_the_pixel_data_as_octet_stream(string path, string list)
    {
        var stored = await StoredCorpusFile.StoreAsync(server, path);
        var ds = stored.File.Dataset;
        var pixels = PixelBytes(stored.File);
        var frames = ds.GetInt32(DicomTags.NumberOfFrames)!.Value;
        var frameLength = ds.GetInt32(DicomTags.Rows)!.Value * ds.GetInt32(DicomTags.Columns)!.Value
                          * ds.GetInt32(DicomTags.SamplesPerPixel)!.Value * ds.GetInt32(DicomTags.BitsAllocated)!.Value / 8;
        Assert.Equal(pixels.Length, frames * frameLength);

        var r = await Get($"{stored.InstancePath}/frames/{list}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var (type, parts) = await ReadAll(r);
        Assert.Equal("application/octet-stream", Parameter(type, "type"));
        Assert.Equal(ExplicitLE, Parameter(type, "transfer-syntax"));
        var numbers = list.Split(',').Select(int.Parse).ToArray();
        Assert.Equal(numbers.Length, parts.Count);
        for (var i = 0; i < numbers.Length; i++)
        {
            Assert.Equal($"application/octet-stream; transfer-syntax={ExplicitLE}", parts[i].ContentType);
            Assert.Equal(pixels.AsSpan((numbers[i] - 1) * frameLength, frameLength).ToArray(), parts[i].Content);
            Assert.EndsWith($"{stored.InstancePath}/frames/{numbers[i]}", parts[i].Location);
        }
    }

    [Fact]
    public async Task Bit_packed_frames_not_on_byte_boundaries_are_repacked_to_start_at_bit_zero()
    {
        // 510 × 510 one-bit pixels = 260100 bits per frame: frames 2 and 3 start 4 bits into a byte (PS3.5 §8.1.1).
        const string path = "dicom/edge/liver_nonbyte_aligned.dcm";
        var stored = await StoredCorpusFile.StoreAsync(server, path);
        const int pixelsPerFrame = 510 * 510;
        var (_, parts) = await ReadAll(await Get($"{stored.InstancePath}/frames/1,2,3"));
        Assert.Equal(3, parts.Count);
        var unpacked = new byte[3 * pixelsPerFrame];
        for (var f = 0; f < 3; f++)
        {
            Assert.Equal((pixelsPerFrame + 7) / 8, parts[f].Content.Length);
            Assert.Equal(0, parts[f].Content[^1] >> (pixelsPerFrame % 8)); // unused bits of the last byte are zero
            for (var p = 0; p < pixelsPerFrame; p++) unpacked[f * pixelsPerFrame + p] = (byte)((parts[f].Content[p >> 3] >> (p & 7)) & 1);
        }
        // The oracle's decoded array (pydicom, one byte per pixel) of the whole file.
        Assert.Equal(Corpus.Summary[path]["pixel_sha256_pydicom"], Convert.ToHexStringLower(SHA256.HashData(unpacked)));
        // Frame 2 alone equals the same frame taken from a request for all three.
        var (_, second) = await ReadAll(await Get($"{stored.InstancePath}/frames/2"));
        Assert.Equal(parts[1].Content, Assert.Single(second).Content);
    }

    [Fact]
    public async Task Big_endian_frames_come_back_little_endian()
    {
        var bigEndian = await StoredCorpusFile.StoreAsync(server, "dicom/transfer-syntax/pydicom/MR_small_bigendian.dcm");
        var littleEndian = DicomFile.Open(Corpus.Get("dicom/transfer-syntax/pydicom/MR_small.dcm").FullPath);
        var (type, parts) = await ReadAll(await Get($"{bigEndian.InstancePath}/frames/1"));
        Assert.Equal(ExplicitLE, Parameter(type, "transfer-syntax"));
        Assert.Equal(PixelBytes(littleEndian), Assert.Single(parts).Content);
    }

    /// <summary>The fragments of encapsulated Pixel Data joined, read independently of the frame splitting.</summary>
    static byte[] AllFragments(DicomFile f) =>
        ((DicomFragmentSequence)f.Dataset.Find(DicomTags.PixelData)!).Fragments.SelectMany(x => x.Bytes.ToArray()).ToArray();

    static bool IsJpeg(byte[] frame)
    {
        var end = frame.Length;
        while (end > 0 && frame[end - 1] == 0) end--; // fragments are padded to even length
        return frame.Length > 4 && frame[0] == 0xFF && frame[1] == 0xD8 && frame[end - 2] == 0xFF && frame[end - 1] == 0xD9;
    }

    [Theory]
    [InlineData("dicom/modality/US/examples_ybr_color.dcm")] // 30 frames, one fragment each, Basic Offset Table
    [InlineData("dicom/transfer-syntax/cornerstone/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm")] // 8 frames in 44 fragments, no BOT
    public async Task Encapsulated_frames_are_the_compressed_bytes_as_image_jpeg(string path)
    {
        var stored = await StoredCorpusFile.StoreAsync(server, path);
        var count = stored.File.Dataset.GetInt32(DicomTags.NumberOfFrames)!.Value;
        var all = string.Join(',', Enumerable.Range(1, count));
        var r = await Get($"{stored.InstancePath}/frames/{all}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var (type, parts) = await ReadAll(r);
        Assert.Equal("image/jpeg", Parameter(type, "type"));
        Assert.Equal("1.2.840.10008.1.2.4.50", Parameter(type, "transfer-syntax"));
        Assert.Equal(count, parts.Count);
        Assert.All(parts, p => Assert.Equal("image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50", p.ContentType));
        Assert.All(parts, p => Assert.True(IsJpeg(p.Content), "each frame is one whole JPEG stream"));
        Assert.Equal(AllFragments(stored.File), parts.SelectMany(p => p.Content).ToArray());

        // The same bytes as application/octet-stream in the stored syntax, when that (or any syntax) is asked for.
        foreach (var accept in new[] { "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*",
                     "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.4.50" })
        {
            var (octetType, octet) = await ReadAll(await Get($"{stored.InstancePath}/frames/2,1", accept));
            Assert.Equal("application/octet-stream", Parameter(octetType, "type"));
            Assert.Equal("application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.50", octet[0].ContentType);
            Assert.Equal(parts[1].Content, octet[0].Content);
            Assert.Equal(parts[0].Content, octet[1].Content);
        }
        // image/jpeg asked for explicitly, also among others by weight.
        Assert.Equal(HttpStatusCode.OK, (await Get($"{stored.InstancePath}/frames/1", "multipart/related; type=\"image/jpeg\"")).StatusCode);
        var weighted = await Get($"{stored.InstancePath}/frames/1", "multipart/related; type=\"image/jxl\", multipart/related; type=\"image/jpeg\"; q=0.5");
        Assert.Equal("image/jpeg", Parameter((await ReadAll(weighted)).Type, "type"));
    }

    [Theory]
    [InlineData("multipart/related; type=\"image/jxl\"")] // no JPEG XL codec
    [InlineData("multipart/related; type=\"image/jpeg\"; transfer-syntax=1.2.840.10008.1.2.4.51")] // lossy encoding is never done
    [InlineData("multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.2")] // frames are little endian
    public async Task Frames_in_a_syntax_that_cannot_be_produced_are_406_naming_the_instance(string accept)
    {
        var stored = await StoredCorpusFile.StoreAsync(server, "dicom/transfer-syntax/pydicom/SC_rgb_jpeg_dcmtk.dcm");
        var r = await Get($"{stored.InstancePath}/frames/1", accept);
        Assert.Equal(HttpStatusCode.NotAcceptable, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var detail = JsonNode.Parse(await r.Content.ReadAsStringAsync())!["detail"]!.ToString();
        Assert.Contains(stored.Sop, detail);
        Assert.Contains("1.2.840.10008.1.2.4.50", detail);
    }

    [Theory]
    [InlineData("dicom/transfer-syntax/pydicom/SC_rgb_jpeg_dcmtk.dcm")]
    [InlineData("dicom/transfer-syntax/pydicom-data/JPEG-LL.dcm")]
    [InlineData("dicom/transfer-syntax/dcm_qa_ts/7_jpegls_lossless_gdcm.dcm")]
    [InlineData("dicom/transfer-syntax/dcm_qa_ts/4_rle.dcm")]
    public async Task Compressed_frames_asked_for_uncompressed_are_decoded_to_the_oracle_pixels(string path)
    {
        var stored = await StoredCorpusFile.StoreAsync(server, path);
        var r = await Get($"{stored.InstancePath}/frames/1", "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var (type, parts) = await ReadAll(r);
        Assert.Equal("1.2.840.10008.1.2.1", Parameter(type, "transfer-syntax"));
        var oracle = Mira.Testing.PixelOracles.Get(path)!.Pydicom;
        Assert.Equal(oracle.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Assert.Single(parts).Content)));
    }

    [Fact]
    public async Task Frame_numbers_out_of_range_are_404_and_malformed_lists_400()
    {
        var stored = await StoredCorpusFile.StoreAsync(server, "dicom/modality/MR/emri_small.dcm");
        var r = await Get($"{stored.InstancePath}/frames/2,11");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        var detail = JsonNode.Parse(await r.Content.ReadAsStringAsync())!["detail"]!.ToString();
        Assert.Contains("frame 11", detail);
        Assert.Contains("10 frame", detail);
        foreach (var bad in new[] { "0", "a", "1,,2", "-1", "1.5", "2147483648" })
            Assert.Equal(HttpStatusCode.BadRequest, (await Get($"{stored.InstancePath}/frames/{bad}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get($"/dicomweb/studies/{stored.Study}/series/{stored.Series}/instances/{Uid()}/frames/1")).StatusCode);
        var noPixels = await StoredCorpusFile.StoreAsync(server, "dicom/modality/SR/highdicom_sr_document.dcm");
        Assert.Equal(HttpStatusCode.NotFound, (await Get($"{noPixels.InstancePath}/frames/1")).StatusCode);
    }
}
