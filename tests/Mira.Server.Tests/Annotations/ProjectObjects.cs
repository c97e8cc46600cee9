using System.Net;
using System.Text.Json.Nodes;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Segmentation;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Server.Tests.Annotations;

/// <summary>Objects for the project STOW-RS tests, in project <c>brain</c> of an <see cref="AnnotationServer"/>.</summary>
public static class ProjectObjects
{
    /// <summary>The project's MR series: its UID and its instances (as stored, through the project's WADO-RS).</summary>
    public static async Task<(string Series, List<DicomDataset> Images)> SeriesAsync(AnnotationServer server)
    {
        var first = JsonNode.Parse(await server.As("alice").GetStringAsync($"/api/projects/{AnnotationServer.Project}/dicomweb/instances?limit=1"))![0];
        var series = Dicomweb.Value(first, "0020000E")!;
        var r = await server.As("alice").GetAsync($"/api/projects/{AnnotationServer.Project}/dicomweb/studies/{server.Study}/series/{series}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (series, [.. (await Dicomweb.ReadParts(r)).Select(p => DicomFile.Read(p).Dataset)]);
    }

    /// <summary>An object of <paramref name="sopClass"/> in the project's study that references one of its images.</summary>
    public static async Task<byte[]> AnnotationAsync(AnnotationServer server, string sopClass, string? study = null, string? series = null, string label = "ET", bool placeholder = false)
    {
        var (s, images) = await SeriesAsync(server);
        var image = images[0].GetString(DicomTags.SOPInstanceUID)!;
        return Dicomweb.Make(study ?? server.Study, Dicomweb.Uid(), Dicomweb.Uid(), ds =>
        {
            ds.Set(DicomTags.SOPClassUID, sopClass);
            ds.Set(DicomTags.Modality, sopClass.Contains(".88.", StringComparison.Ordinal) ? "SR" : sopClass.EndsWith("91.1", StringComparison.Ordinal) ? "ANN" : "SEG");
            var reference = new DicomDataset()
                .Set(DicomTags.ReferencedSOPClassUID, "1.2.840.10008.5.1.4.1.1.4")
                .Set(DicomTags.ReferencedSOPInstanceUID, image);
            ds.Set(new DicomSequence(DicomTags.ReferencedSeriesSequence, [new DicomDataset()
                .Set(DicomTags.SeriesInstanceUID, series ?? s)
                .Set(new DicomSequence(DicomTags.ReferencedInstanceSequence, [reference]))]));
            if (placeholder)
            {
                DicomDataset Tissue() => new DicomDataset().Set(DicomTags.CodeValue, "T-D0050").Set(DicomTags.CodingSchemeDesignator, "SRT").Set(DicomTags.CodeMeaning, "Tissue");
                ds.Set(new DicomSequence(DicomTags.SegmentSequence, [new DicomDataset()
                    .Set(DicomTags.SegmentLabel, label)
                    .Set(new DicomSequence(DicomTags.SegmentedPropertyCategoryCodeSequence, [Tissue()]))
                    .Set(new DicomSequence(DicomTags.SegmentedPropertyTypeCodeSequence, [Tissue()]))]));
            }
        });
    }

    /// <summary>A real SEG of the project's MR series: a 10 × 10 × 3 box of <paramref name="label"/>, written with <paramref name="protocol"/>'s codes.</summary>
    public static async Task<byte[]> SegmentationAsync(AnnotationServer server, Protocol protocol, int label)
    {
        var (_, images) = await SeriesAsync(server);
        var grid = ImageGrid.FromSeries(images);
        var masks = new LabelMasks(grid.Columns, grid.Rows, grid.SliceCount);
        var mask = new bool[masks.Length];
        for (var z = 6; z < 9; z++) for (var y = 50; y < 60; y++) for (var x = 50; x < 60; x++) mask[(z * grid.Rows + y) * grid.Columns + x] = true;
        masks.Set(label, mask);
        return SegmentationWriter.ToPart10(SegmentationWriter.Write(new SegmentationRequest
        {
            Grid = grid, Protocol = protocol, Masks = masks, SeriesInstanceUid = Dicomweb.Uid(), SopInstanceUid = Dicomweb.Uid(),
        }));
    }

}
