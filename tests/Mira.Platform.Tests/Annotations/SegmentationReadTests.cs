using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Segmentation;
using Mira.Dicom;
using Mira.Platform.Annotations;

namespace Mira.Platform.Tests.Annotations;

/// <summary>Reads posted as DICOM SEG (what the viewer stores): taken by task or by study, refused when their codes are not the protocol's.</summary>
public sealed class SegmentationReadTests(AnnotationPlatform fixture) : IClassFixture<AnnotationPlatform>
{
    AnnotationService Service => fixture.Service;

    async Task<ImageGrid> GridAsync()
    {
        var archive = await fixture.Platform.Projects.Archives.GetAsync(AnnotationPlatform.ProjectId);
        var headers = new List<DicomDataset>();
        foreach (var si in await archive.Index.FindInstancesAsync(fixture.Study))
            if (si.SopClassUid == DicomUids.MRImageStorage) headers.Add((await StoredObjects.ReadAsync(archive.Blobs, si, default)).Dataset);
        return ImageGrid.FromSeries(headers);
    }

    static byte[] Seg(ImageGrid grid, Protocol protocol, int label, int offset)
    {
        var masks = grid.NewMasks();
        var mask = new bool[masks.Length];
        for (var i = 0; i < 400; i++) mask[masks.Length / 2 + offset + i] = true;
        masks.Set(label, mask);
        return SegmentationWriter.ToPart10(SegmentationWriter.Write(new SegmentationRequest
        {
            Grid = grid, Protocol = protocol, Masks = masks, SeriesInstanceUid = "2.25." + Random.Shared.NextInt64(1, long.MaxValue),
            SopInstanceUid = "2.25." + Random.Shared.NextInt64(1, long.MaxValue),
        }));
    }

    [Fact]
    public async Task A_seg_stored_for_a_study_becomes_the_read_of_the_readers_open_task_with_the_same_voxels()
    {
        var grid = await GridAsync();
        var glioma = BuiltInProtocols.Find("glioma-brats")!;
        var id = await Service.CreateTaskAsync(AnnotationPlatform.Steward, AnnotationPlatform.ProjectId,
            new TaskRequest(fixture.Study, null, null, "glioma-brats", ["erin", "dave"], "carol", "bob"));
        var seg = Seg(grid, glioma, 3, 0);
        var (task, outcome) = await Service.SubmitReadForStudyAsync(AnnotationPlatform.Person("erin"), AnnotationPlatform.ProjectId, fixture.Study,
            new ReadBody("application/dicom", seg, "ohif"));
        Assert.Equal((id, TaskStates.Open), (task, outcome.State));
        var version = Assert.Single((await Service.GetTaskAsync(AnnotationPlatform.Person("erin"), id)).Versions);
        Assert.Equal(("ohif", ContentKinds.Masks), (version.Tool, version.Kind));
        var content = await Service.ContentOfAsync(version);
        Assert.True(content.Masks!.SameAs(SegmentationToMasks.Read(seg, grid, glioma)));
        Assert.Equal(400, content.Masks.Count(3));

        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.SubmitReadForStudyAsync(AnnotationPlatform.Person("carol"),
            AnnotationPlatform.ProjectId, fixture.Study, new ReadBody("application/dicom", seg)));
        Assert.StartsWith("carol has no open task on study", e.Message);
    }

    [Fact]
    public async Task A_seg_coded_for_another_protocol_is_refused_with_the_segment_named_and_nothing_stored()
    {
        var grid = await GridAsync();
        var other = BuiltInProtocols.Find("petct-tumour-metabolism")!;
        var id = await Service.CreateTaskAsync(AnnotationPlatform.Steward, AnnotationPlatform.ProjectId,
            new TaskRequest(fixture.Study, null, null, "glioma-brats", ["erin", "dave"], "carol", "bob"));
        var archive = await fixture.Platform.Projects.Archives.GetAsync(AnnotationPlatform.ProjectId);
        var before = (await archive.Index.FindInstancesAsync(fixture.Study)).Count;
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.SubmitReadAsync(AnnotationPlatform.Person("erin"), id,
            new ReadBody("application/dicom", Seg(grid, other, other.Segments.First().Value, 7))));
        Assert.Equal(RefusalKind.Invalid, e.Kind);
        Assert.Contains(other.Segments.First().Type.Code, e.Message);
        Assert.Empty((await Service.GetTaskAsync(AnnotationPlatform.Steward, id)).Versions);
        Assert.Equal(before, (await archive.Index.FindInstancesAsync(fixture.Study)).Count);
    }
}
