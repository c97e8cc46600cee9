using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Segmentation;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Metrics;
using Mira.Testing;
using static Mira.Server.Tests.Annotations.AnnotationServer;

namespace Mira.Server.Tests.Annotations;

/// <summary>
/// The glioma protocol end to end through the API: a steward's de-identified MR copy, a task with two annotators, a
/// reviewer and an arbitrator, two NIfTI reads that disagree beyond the threshold, arbitration, review, and the
/// consensus exported as SEG, SR and NIfTI, checked against Mira.Metrics, plastimatch, dciodvfy, pydicom and nibabel.
/// </summary>
public sealed class GliomaEndToEndTests(AnnotationServer server) : IClassFixture<AnnotationServer>, IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("mira-glioma-").FullName;
    static readonly string[] Regions = ["ET", "TC", "WT"];
    static readonly Dictionary<string, int[]> RegionLabels = new() { ["ET"] = [3], ["TC"] = [1, 3], ["WT"] = [1, 2, 3] };

    public void Dispose()
    {
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    string PathOf(string name) => Path.Combine(folder, name);

    /// <summary>The project's MR series as Mira.Imaging builds it (the geometry mira convert gives it: dcm2niix's affine).</summary>
    async Task<(Volume Image, List<DicomDataset> Headers)> SeriesAsync()
    {
        var archive = await server.Archive.Projects.Archives.GetAsync(Project);
        var dir = PathOf("series");
        Directory.CreateDirectory(dir);
        var headers = new List<DicomDataset>();
        foreach (var si in (await archive.Index.FindInstancesAsync(server.Study)).Where(i => i.SopClassUid == DicomUids.MRImageStorage))
        {
            var path = Path.Combine(dir, si.SopInstanceUid + ".dcm");
            await using (var s = archive.Blobs.OpenRead(si.BlobKey))
            await using (var f = File.Create(path))
                await s.CopyToAsync(f);
            headers.Add(DicomFile.Open(path, new DicomReadOptions { StopBeforePixelData = true }).Dataset);
        }
        return (Assert.Single(DicomVolumeBuilder.FromPath(dir)).Volume, headers);
    }

    /// <summary>A BraTS read: ET a ball of radius 4, NETC the shell to 6, SNFH to 10, centred at (cx, 64, 8).</summary>
    static int Lesion(int i, int j, int k, int cx)
    {
        var d = Math.Sqrt((i - cx) * (i - cx) + (j - 64) * (j - 64) + 4 * (k - 8) * (k - 8));
        return d <= 4 ? 3 : d <= 6 ? 1 : d <= 10 ? 2 : 0;
    }

    static (string Path, int[] Map) LabelMap(string path, Volume image, int cx)
    {
        var v = Volume.Create([image.Nx, image.Ny, image.Nz], VoxelType.UInt8, image.Geometry);
        var map = new int[image.Nx * image.Ny * image.Nz];
        for (var k = 0; k < image.Nz; k++)
            for (var j = 0; j < image.Ny; j++)
                for (var i = 0; i < image.Nx; i++)
                {
                    var index = (int)v.Index(i, j, k);
                    map[index] = Lesion(i, j, k, cx);
                    v.SetValue(index, map[index]);
                }
        NiftiVolumes.WriteVolume(path, v);
        return (path, map);
    }

    /// <summary>A region of a label map file as Mira.Metrics reads it (each label's mask, united).</summary>
    static BinaryMask Region(string path, string region)
    {
        var masks = RegionLabels[region].Select(l => BinaryMask.Read(path, l)).ToArray();
        var union = masks[0].Voxels.ToArray();
        foreach (var m in masks.Skip(1)) for (var i = 0; i < union.Length; i++) union[i] |= m.Voxels[i];
        return new BinaryMask(masks[0].Nx, masks[0].Ny, masks[0].Nz, union, masks[0].Spacing[0], masks[0].Spacing[1], masks[0].Spacing[2]);
    }

    /// <summary>plastimatch's Dice of one region of two label maps (binary masks cut out by nibabel).</summary>
    string PlastimatchDice(string a, string b, string region)
    {
        var cut = new List<string>();
        foreach (var (input, name) in new[] { (a, "a"), (b, "b") })
        {
            var output = PathOf($"{name}-{region}.nii.gz");
            ExternalTool.Run("/usr/bin/python3", "-c",
                "import sys, numpy as np, nibabel as nib; img = nib.load(sys.argv[1]); labels = [int(x) for x in sys.argv[3].split(',')]; " +
                "nib.save(nib.Nifti1Image(np.isin(np.asarray(img.dataobj), labels).astype(np.uint8), img.affine), sys.argv[2])",
                input, output, string.Join(",", RegionLabels[region]));
            cut.Add(output);
        }
        var text = ExternalTool.Run(ExternalTool.Require("plastimatch", "plastimatch"), "dice", cut[0], cut[1]);
        return text.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("DICE", StringComparison.Ordinal)).Split(':', '=')[^1].Trim();
    }

    /// <summary>dciodvfy's "Error" lines for a file.</summary>
    static List<string> DciodvfyErrors(string path) =>
        [.. ExternalTool.Exec(ExternalTool.Require("dciodvfy", "dicom3tools"), [path]).Output.Split('\n').Where(l => l.Contains("Error", StringComparison.Ordinal)).Select(l => l.Trim())];

    static async Task<HttpResponseMessage> PostFileAsync(HttpClient client, string url, string path, string mediaType)
    {
        var content = new ByteArrayContent(await File.ReadAllBytesAsync(path));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return await client.PostAsync(url, content);
    }

    async Task<string> ExportAsync(string format, string name)
    {
        var r = Ok(await server.Steward.GetAsync($"/api/projects/{Project}/annotations/export?format={format}"));
        var zip = PathOf(name + ".zip");
        await File.WriteAllBytesAsync(zip, await r.Content.ReadAsByteArrayAsync());
        var dir = PathOf(name);
        ZipFile.ExtractToDirectory(zip, dir);
        return dir;
    }

    [Fact]
    public async Task Two_disagreeing_reads_go_to_arbitration_and_the_consensus_is_exported_as_seg_sr_and_nifti()
    {
        var (image, headers) = await SeriesAsync();
        var (alicePath, aliceMap) = LabelMap(PathOf("alice.nii.gz"), image, 64);
        var (bobPath, _) = LabelMap(PathOf("bob.nii.gz"), image, 68);
        var id = await server.CreateTaskAsync("glioma-brats", ["alice", "bob"], "carol", "dave");

        var first = await JsonOf(await PostFileAsync(server.As("alice"), $"/api/tasks/{id}/reads", alicePath, "application/gzip"), HttpStatusCode.Created);
        Assert.Equal((1, "open"), ((int)first["version"]!, (string)first["state"]!));
        var second = await JsonOf(await PostFileAsync(server.As("bob"), $"/api/tasks/{id}/reads?tool=itk-snap", bobPath, "application/octet-stream"), HttpStatusCode.Created);
        Assert.Equal((2, "arbitration"), ((int)second["version"]!, (string)second["state"]!));

        // The agreement is Mira.Metrics' Dice on the two files, region by region, and plastimatch's.
        var task = await JsonOf(await server.Steward.GetAsync($"/api/tasks/{id}"));
        var agreement = task["agreement"]!;
        Assert.Equal(("dice", 0.75, true), ((string)agreement["statistic"]!, (double)agreement["threshold"]!, (bool)agreement["disagree"]!));
        foreach (var region in Regions)
        {
            var dice = SegmentationMetrics.Compute(Region(alicePath, region), Region(bobPath, region)).Dice;
            Assert.Equal(dice, (double)agreement["values"]![region]!, 12);
            Assert.True(Math.Abs(double.Parse(PlastimatchDice(alicePath, bobPath, region), CultureInfo.InvariantCulture) - dice) <= 5e-6, $"{region}: plastimatch vs {dice}");
        }
        Assert.True((double)agreement["values"]!["ET"]! < 0.75);
        var reads = task["reads"]!.AsArray();
        Assert.Equal(["alice/annotator/api-nifti/masks", "bob/annotator/itk-snap/masks"], reads.Select(r => $"{r!["author"]}/{r["role"]}/{r["tool"]}/{r["kind"]}"));
        Assert.All(reads, r => Assert.Equal(2, r!["sopInstanceUids"]!.AsArray().Count)); // a SEG and its SR

        var chosen = await JsonOf(await server.As("dave").PostAsJsonAsync($"/api/tasks/{id}/arbitration", new { choose = 1 }), HttpStatusCode.Created);
        Assert.Equal((3, "review"), ((int)chosen["version"]!, (string)chosen["state"]!));
        Assert.Equal("done", (string)(await JsonOf(await server.As("carol").PostAsJsonAsync($"/api/tasks/{id}/review", new { accept = true })))["state"]!);

        // SEG: dciodvfy finds no error, pydicom reads it, and its masks are the chosen label map voxel for voxel.
        var seg = Assert.Single(Directory.GetFiles(await ExportAsync("seg", "seg"), "*.dcm", SearchOption.AllDirectories));
        Assert.Contains($"task-{id}/v3-consensus-seg-1.dcm", seg.Replace('\\', '/'));
        Assert.Empty(DciodvfyErrors(seg));
        var counts = ExternalTool.Run("/usr/bin/python3", "-c",
            "import sys, pydicom, numpy as np; ds = pydicom.dcmread(sys.argv[1]); px = ds.pixel_array.reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns); " +
            "seg = {s.SegmentNumber: s.SegmentedPropertyTypeCodeSequence[0].CodeValue for s in ds.SegmentSequence}; c = {}; " +
            "[c.__setitem__(seg[f.SegmentIdentificationSequence[0].ReferencedSegmentNumber], c.get(seg[f.SegmentIdentificationSequence[0].ReferencedSegmentNumber], 0) + int(px[i].sum())) for i, f in enumerate(ds.PerFrameFunctionalGroupsSequence)]; " +
            "print(' '.join(f'{k}={v}' for k, v in sorted(c.items())))", seg).Trim();
        var glioma = BuiltInProtocols.Find("glioma-brats")!;
        var expected = glioma.Segments.Where(l => aliceMap.Contains(l.Value)).OrderBy(l => l.Type.Code, StringComparer.Ordinal)
            .Select(l => $"{l.Type.Code}={aliceMap.Count(v => v == l.Value)}");
        Assert.Equal(string.Join(" ", expected), counts);
        var grid = ImageGrid.FromSeries(headers);
        var exported = SegmentationToMasks.Read(await File.ReadAllBytesAsync(seg), grid, glioma);
        Assert.Equal(aliceMap, exported.ToLabelMap());

        // SR: the consensus' TID 1500 report, valid and readable.
        var sr = Assert.Single(Directory.GetFiles(await ExportAsync("sr", "sr"), "*.dcm", SearchOption.AllDirectories));
        Assert.Empty(DciodvfyErrors(sr));
        Assert.Equal("1.2.840.10008.5.1.4.1.1.88.34", ExternalTool.Run("/usr/bin/python3", "-c", "import sys, pydicom; print(pydicom.dcmread(sys.argv[1]).SOPClassUID)", sr).Trim());

        // NIfTI: the affine of the input within 1e-4 mm and the same labels (nibabel).
        var nifti = Assert.Single(Directory.GetFiles(await ExportAsync("nifti", "nifti"), "*.nii.gz", SearchOption.AllDirectories));
        var check = ExternalTool.Run("/usr/bin/python3", "-c",
            "import sys, numpy as np, nibabel as nib; a = nib.load(sys.argv[1]); b = nib.load(sys.argv[2]); " +
            "print(float(np.abs(a.affine - b.affine).max()), bool((np.asarray(a.dataobj) == np.asarray(b.dataobj)).all()))", alicePath, nifti).Trim().Split(' ');
        Assert.True(double.Parse(check[0], CultureInfo.InvariantCulture) <= 1e-4, $"affine differs by {check[0]} mm");
        Assert.Equal("True", check[1]);

        // The manifest: every version of the task with its author, role and tool.
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(PathOf("seg"), "manifest.json")))!;
        var entry = manifest["tasks"]!.AsArray().Single(t => (long)t!["task"]! == id)!;
        Assert.Equal(("glioma-brats", 1, "done"), ((string)entry["protocol"]!, (int)entry["protocolVersion"]!, (string)entry["state"]!));
        Assert.Equal(["dave/consensus/choose:1"], entry["versions"]!.AsArray().Select(v => $"{v!["author"]}/{v["role"]}/{v["tool"]}"));
    }

    [Fact]
    public async Task A_gold_mask_scores_each_reader_by_the_mean_dice_computed_directly()
    {
        var (image, _) = await SeriesAsync();
        var (goldPath, _) = LabelMap(PathOf("gold.nii.gz"), image, 64);
        var (carolPath, _) = LabelMap(PathOf("carol.nii.gz"), image, 66);
        var id = await server.CreateTaskAsync("glioma-brats", ["carol", "bob"], "alice", "dave");
        Assert.Equal(HttpStatusCode.Forbidden, (await PostFileAsync(server.As("carol"), $"/api/tasks/{id}/versions?role=gold", goldPath, "application/gzip")).StatusCode);
        var gold = await JsonOf(await PostFileAsync(server.Steward, $"/api/tasks/{id}/versions?role=gold", goldPath, "application/gzip"), HttpStatusCode.Created);
        Assert.Equal((1, "open"), ((int)gold["version"]!, (string)gold["state"]!));
        Assert.Empty((await JsonOf(await server.As("carol").GetAsync($"/api/tasks/{id}")))["reads"]!.AsArray());
        await JsonOf(await PostFileAsync(server.As("carol"), $"/api/tasks/{id}/reads", carolPath, "application/gzip"), HttpStatusCode.Created);

        var report = await JsonOf(await server.Steward.GetAsync($"/api/projects/{Project}/annotators/carol/gold"));
        var scored = Assert.Single(report["cases"]!.AsArray(), c => (long)c!["task"]! == id)!;
        var expected = Regions.Average(region => SegmentationMetrics.Compute(Region(goldPath, region), Region(carolPath, region)).Dice);
        Assert.Equal(("dice", 2), ((string)scored["metric"]!, (int)scored["version"]!));
        Assert.Equal(expected, (double)scored["score"]!, 12);
        Assert.Equal(expected, (double)report["mean"]!, 12);
        Assert.Null((await JsonOf(await server.As("carol").GetAsync($"/api/tasks/{id}")))["gold"]);
    }

    [Fact]
    public async Task A_seg_whose_segment_codes_are_not_in_the_protocol_is_refused_and_nothing_is_stored()
    {
        var (_, headers) = await SeriesAsync();
        var grid = ImageGrid.FromSeries(headers);
        var other = BuiltInProtocols.Find("brain-mri-adult-ageing")!;
        var label = other.Segments.First(l => BuiltInProtocols.Find("glioma-brats")!.Segments.All(g => !g.Type.SameAs(l.Type.Scheme, l.Type.Code)));
        var masks = grid.NewMasks();
        var mask = new bool[masks.Length];
        for (var i = 0; i < 500; i++) mask[masks.Length / 2 + i] = true;
        masks.Set(label.Value, mask);
        var seg = SegmentationWriter.ToPart10(SegmentationWriter.Write(new SegmentationRequest
        {
            Grid = grid, Protocol = other, Masks = masks, SeriesInstanceUid = "2.25.1234567", SopInstanceUid = "2.25.7654321",
        }));
        var id = await server.CreateTaskAsync("glioma-brats", ["alice", "bob"], "carol", "dave");
        var archive = await server.Archive.Projects.Archives.GetAsync(Project);
        var before = (await archive.Index.FindInstancesAsync(server.Study)).Count;
        var detail = await Refused(await server.PostReadAsync("alice", id, "application/dicom", seg), HttpStatusCode.BadRequest);
        Assert.Contains(label.Type.Code, detail);
        Assert.Contains("glioma-brats", detail);
        Assert.Empty((await JsonOf(await server.Steward.GetAsync($"/api/tasks/{id}")))["reads"]!.AsArray());
        Assert.Equal(before, (await archive.Index.FindInstancesAsync(server.Study)).Count);
        Assert.Null(await archive.Index.FindInstanceAsync("2.25.7654321"));
    }
}
