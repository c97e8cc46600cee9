using System.Net;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Server.Dicomweb;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// WADO-RS frames of a large tiled object (a whole-slide level: one fragment per tile) come from where the tiles lie in
/// the blob, not from a load of the object; the answer is the same as the general path's.
/// </summary>
public sealed class WadoLargeTiledFramesTests(TestArchive server) : IClassFixture<TestArchive>
{
    const string JpegBaseline = "1.2.840.10008.1.2.4.50";

    /// <summary>A JPEG-syntax multi-frame object over <see cref="StoredFrameIndex.MinimumBlobSize"/>: 120 "tiles" of 80 KiB, each distinct.</summary>
    static (byte[] File, byte[][] Tiles, string Study, string Series, string Sop) LargeTiledObject()
    {
        var (study, series, sop) = (Uid(), Uid(), Uid());
        var random = new Random(16);
        var tiles = Enumerable.Range(0, 120).Select(i =>
        {
            var t = new byte[80 * 1024 + (i % 2)]; // some odd lengths: fragments are padded to even
            random.NextBytes(t);
            (t[0], t[1], t[^2], t[^1]) = (0xFF, 0xD8, 0xFF, 0xD9);
            return t;
        }).ToArray();
        var ds = DicomFile.Read(Make(study, series, sop)).Dataset;
        ds.Set(DicomTags.NumberOfFrames, tiles.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ds.Set(new DicomElement(DicomTags.Rows, DicomVR.US, BitConverter.GetBytes((ushort)256)));
        ds.Set(new DicomElement(DicomTags.Columns, DicomVR.US, BitConverter.GetBytes((ushort)256)));
        ds.Set(new DicomElement(DicomTags.BitsAllocated, DicomVR.US, BitConverter.GetBytes((ushort)8)));
        ds.Set(new DicomElement(DicomTags.BitsStored, DicomVR.US, BitConverter.GetBytes((ushort)8)));
        ds.Set(new DicomElement(DicomTags.HighBit, DicomVR.US, BitConverter.GetBytes((ushort)7)));
        ds.Set(new DicomElement(DicomTags.SamplesPerPixel, DicomVR.US, BitConverter.GetBytes((ushort)1)));
        ds.Set(new DicomElement(DicomTags.PixelRepresentation, DicomVR.US, BitConverter.GetBytes((ushort)0)));
        ds.Set(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [], tiles.Select(t => new DicomFragment(t))));
        return (DicomFileWriter.ToBytes(ds, TransferSyntax.Lookup(JpegBaseline)), tiles, study, series, sop);
    }

    [Fact]
    public async Task Frames_of_a_large_tiled_object_are_its_tiles_read_where_they_lie()
    {
        var (file, tiles, study, series, sop) = LargeTiledObject();
        Assert.True(file.Length > StoredFrameIndex.MinimumBlobSize);
        Assert.Equal(HttpStatusCode.OK, (await Stow(server.Admin, "/dicomweb/studies", file)).StatusCode);
        var client = server.Bearer(server.StewardToken);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study}/series/{series}/instances/{sop}/frames/120,1,57");
        request.Headers.TryAddWithoutValidation("Accept", $"multipart/related; type=\"image/jpeg\"; transfer-syntax={JpegBaseline}");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (_, received) = await MultipartReading.ReadAll(response);
        Assert.Equal(3, received.Count);
        Assert.All(received, p => Assert.StartsWith("image/jpeg; transfer-syntax=" + JpegBaseline, p.ContentType));
        var parts = received.Select(p => p.Content).ToList();
        int[] asked = [120, 1, 57];
        for (var i = 0; i < 3; i++)
        {
            var tile = tiles[asked[i] - 1];
            Assert.Equal(tile, parts[i].AsSpan(0, tile.Length).ToArray());
            Assert.True(parts[i].Length - tile.Length is 0 or 1, "only the even-length padding may follow");
        }

        var outside = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study}/series/{series}/instances/{sop}/frames/121");
        outside.Headers.TryAddWithoutValidation("Accept", $"multipart/related; type=\"image/jpeg\"; transfer-syntax={JpegBaseline}");
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(outside)).StatusCode);
    }
}
