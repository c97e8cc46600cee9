using System.Text;
using System.Text.Json.Nodes;
using Mira.Annotations.Coco;
using Mira.Annotations.Reads;
using Mira.Annotations.Tests.Reports;
using Mira.Dicom;
using static Mira.Annotations.Tests.Reports.MeasurementReportWriterTests;

namespace Mira.Annotations.Tests.Coco;

public class CocoTests
{
    static readonly CocoProvenance Who = new("Zhang^Wei", "3", new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.Zero));

    static (DicomDataset[] Images, PolygonAnnotation[] Polygons) Slides()
    {
        DicomDataset[] images = [ReferencedHeaders.Slide(1), ReferencedHeaders.Slide(2)];
        var a = images[0].GetString(DicomTags.SOPInstanceUID)!;
        var b = images[1].GetString(DicomTags.SOPInstanceUID)!;
        return (images,
        [
            new PolygonAnnotation(1, a, 2, [new(10, 10), new(110, 10), new(110, 60), new(10, 60)]),
            new PolygonAnnotation(7, a, 1, [new(20.5, 30.25), new(200.125, 40), new(120, 250)]),
            new PolygonAnnotation(12, b, 4, [new(0.1, 0.2), new(255.9, 3), new(128, 255.5), new(64, 100)]),
        ]);
    }

    static CocoRead Import(string json, IReadOnlyList<DicomDataset> images, IReadOnlyDictionary<string, string>? names = null) =>
        CocoImport.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), Oesophagus, images, names);

    static string Refused(string json, IReadOnlyList<DicomDataset> images) => Assert.Throws<AnnotationException>(() => Import(json, images)).Message;

    [Fact]
    public void Slide_polygons_round_trip_through_COCO_with_frames_and_provenance()
    {
        var (images, polygons) = Slides();
        var json = CocoExport.ToJson(Oesophagus, images, polygons, Who);
        var back = Import(json, images);
        Assert.Equal("Zhang^Wei", back.Author);
        Assert.Equal("3", back.Version);
        Assert.Equal(polygons.Length, back.Polygons.Count);
        for (var i = 0; i < polygons.Length; i++)
        {
            Assert.Equal(polygons[i].Label, back.Polygons[i].Label);
            Assert.Equal(polygons[i].SopInstanceUid, back.Polygons[i].SopInstanceUid);
            Assert.Equal(polygons[i].Frame, back.Polygons[i].Frame);
            Assert.Equal(polygons[i].Points, back.Polygons[i].Points);
        }
    }

    [Fact]
    public void The_export_is_COCO_categories_are_protocol_labels_and_annotations_carry_bbox_area_and_attributes()
    {
        var (images, polygons) = Slides();
        var root = JsonNode.Parse(CocoExport.ToJson(Oesophagus, images, polygons, Who))!;
        var imgs = root["images"]!.AsArray();
        Assert.Equal(2, imgs.Count);
        Assert.Equal(256, (int)imgs[0]!["width"]!);
        Assert.Equal(images[0].GetString(DicomTags.SOPInstanceUID) + ".dcm", (string)imgs[0]!["file_name"]!);
        Assert.Equal(images[1].GetString(DicomTags.SOPInstanceUID), (string)imgs[1]!["mira_sop_instance_uid"]!);
        var cats = root["categories"]!.AsArray();
        Assert.Equal(Oesophagus.Segments.Select(l => l.Value), cats.Select(c => (int)c!["id"]!));
        Assert.Equal("TUMOUR", (string)cats[0]!["name"]!);
        var first = root["annotations"]!.AsArray()[0]!;
        Assert.Equal(1, (int)first["image_id"]!);
        Assert.Equal(1, (int)first["category_id"]!);
        Assert.Equal([10.0, 10, 110, 10, 110, 60, 10, 60], first["segmentation"]![0]!.AsArray().Select(v => (double)v!));
        Assert.Equal([10.0, 10, 100, 50], first["bbox"]!.AsArray().Select(v => (double)v!));
        Assert.Equal(5000, (double)first["area"]!);
        Assert.Equal(0, (int)first["iscrowd"]!);
        Assert.Equal("Zhang^Wei", (string)first["attributes"]!["author"]!);
        Assert.Equal("3", (string)first["attributes"]!["version"]!);
        Assert.Equal(2, (int)first["attributes"]!["frame"]!);
        Assert.Equal(2, (int)root["annotations"]!.AsArray()[2]!["image_id"]!);
    }

    const string Foreign = """
        {"images": [{"id": 7, "file_name": "slides/case01.png", "width": 256, "height": 256}],
         "categories": [{"id": 3, "name": "TUMOUR"}, {"id": 4, "name": "Stroma"}],
         "annotations": [{"id": 1, "image_id": 7, "category_id": 3, "segmentation": [[1, 1, 50, 1, 50, 40], [60, 60, 90, 60, 90, 90, 60, 90]], "area": 0, "bbox": [0, 0, 0, 0], "iscrowd": 0}]}
        """;

    [Fact]
    public void A_foreign_COCO_file_is_mapped_by_file_name_and_category_name_and_each_polygon_part_is_a_polygon()
    {
        var (images, _) = Slides();
        var uid = images[0].GetString(DicomTags.SOPInstanceUID)!;
        var json = Foreign.Replace("\"Stroma\"", "\"STROMA\"");
        var read = Import(json, images, new Dictionary<string, string> { ["case01.png"] = uid });
        Assert.Equal(2, read.Polygons.Count);
        Assert.All(read.Polygons, p => Assert.Equal(1, p.Label));
        Assert.All(read.Polygons, p => Assert.Equal(uid, p.SopInstanceUid));
        Assert.Equal(4, read.Polygons[1].Points.Count);
        Assert.Null(read.Author);
    }

    [Fact]
    public void Categories_that_are_not_protocol_labels_are_refused()
    {
        var (images, _) = Slides();
        var json = Foreign.Replace("slides/case01.png", images[0].GetString(DicomTags.SOPInstanceUID) + ".png");
        Assert.Contains("category 4 'Stroma' is not a label of protocol oesophageal-pathology-wsi", Refused(json, images));
        Assert.Contains("category 4 'cat' is not a label", Refused(json.Replace("\"Stroma\"", "\"cat\""), images));
    }

    [Fact]
    public void RLE_crowd_and_malformed_segmentations_are_refused_with_the_annotation_named()
    {
        var (images, _) = Slides();
        var json = Foreign.Replace("slides/case01.png", images[0].GetString(DicomTags.SOPInstanceUID) + ".dcm").Replace("\"Stroma\"", "\"STROMA\"");
        var seg = "[[1, 1, 50, 1, 50, 40], [60, 60, 90, 60, 90, 90, 60, 90]]";
        Assert.Contains("annotation 1: an RLE segmentation", Refused(json.Replace(seg, """{"counts": [0, 5, 10], "size": [256, 256]}"""), images));
        Assert.Contains("annotation 1: a crowd region", Refused(json.Replace("\"iscrowd\": 0", "\"iscrowd\": 1"), images));
        Assert.Contains("2 point(s)", Refused(json.Replace(seg, "[[1, 1, 5, 5]]"), images));
        Assert.Contains("not x, y pairs", Refused(json.Replace(seg, "[[1, 1, 5, 5, 7]]"), images));
        Assert.Contains("outside the 256 x 256 image", Refused(json.Replace(seg, "[[1, 1, 500, 5, 7, 9]]"), images));
        Assert.Contains("is 512 x 256 but instance", Refused(json.Replace("\"width\": 256", "\"width\": 512"), images));
        Assert.Contains("matches none of the given instances", Refused(Foreign, images));
        Assert.Contains("category_id 9", Refused(json.Replace("\"category_id\": 3", "\"category_id\": 9"), images));
        Assert.Contains("not JSON", Refused("{\"images\": [", images));
        Assert.Contains("is not a frame number", Refused(json.Replace("\"iscrowd\": 0", "\"iscrowd\": 0, \"attributes\": {\"frame\": 1.5}"), images));
    }

    [Fact]
    public void Files_over_64_MiB_or_over_a_million_points_are_refused()
    {
        var (images, _) = Slides();
        var big = new MemoryStream(new byte[CocoImport.MaxBytes + 1]);
        Assert.Contains("larger than 64 MiB", Assert.Throws<AnnotationException>(() => CocoImport.Read(big, Oesophagus, images)).Message);
        var uid = images[0].GetString(DicomTags.SOPInstanceUID)!;
        var ring = string.Join(", ", Enumerable.Repeat("1, 1", 100_001));
        var annotations = string.Join(", ", Enumerable.Range(1, 10).Select(i => $$"""{"id": {{i}}, "image_id": 1, "category_id": 1, "segmentation": [[{{ring}}]], "iscrowd": 0}"""));
        var json = $$"""{"images": [{"id": 1, "file_name": "{{uid}}", "width": 256, "height": 256}], "categories": [{"id": 1, "name": "TUMOUR"}], "annotations": [{{annotations}}]}""";
        Assert.Contains("more than 1000000 polygon points", Refused(json, images));
    }

    [Fact]
    public void Export_refuses_labels_outside_the_protocol_and_polygons_on_other_images_before_writing()
    {
        var (images, polygons) = Slides();
        var output = new MemoryStream();
        Assert.Contains("label value 40", Assert.Throws<AnnotationException>(() => CocoExport.Write(output, Oesophagus, images, [polygons[0] with { Label = 40 }], Who)).Message);
        Assert.Contains("not among the exported images", Assert.Throws<AnnotationException>(() => CocoExport.Write(output, Oesophagus, [images[1]], polygons, Who)).Message);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void Polygon_reads_from_COCO_rasterise_to_masks_whose_area_matches_the_polygon()
    {
        var (images, polygons) = Slides();
        var back = Import(CocoExport.ToJson(Oesophagus, images, polygons, Who), images);
        var mask = PolygonRaster.Fill(back.Polygons[0], 256, 256);
        Assert.Equal(back.Polygons[0].Area, mask.Count(b => b));
    }

    [Fact]
    public void Fundus_photograph_polygons_round_trip_through_COCO_under_their_export_file_names()
    {
        DicomDataset[] photos = [ReferencedHeaders.Fundus(1), ReferencedHeaders.Fundus(2)];
        var uids = photos.Select(p => p.GetString(DicomTags.SOPInstanceUID)!).ToArray();
        PolygonAnnotation[] polygons =
        [
            new(2, uids[1], 1, [new(3, 4), new(30, 4.5), new(12.25, 40)]),
            new(8, uids[0], 1, [new(40, 10), new(60, 10), new(60, 30), new(40, 30)]),
        ];
        var names = new Dictionary<string, string> { [uids[0]] = "images/left.png", [uids[1]] = "images/right.png" };
        var json = CocoExport.ToJson(Fundus, photos, polygons, Who, names);
        // Imported as a foreign tool would give it back: no Mira UIDs, file names only.
        var foreign = JsonNode.Parse(json)!;
        foreach (var image in foreign["images"]!.AsArray()) image!.AsObject().Remove("mira_sop_instance_uid");
        var back = CocoImport.Read(new MemoryStream(Encoding.UTF8.GetBytes(foreign.ToJsonString())), Fundus, photos,
            new Dictionary<string, string> { ["left.png"] = uids[0], ["right.png"] = uids[1] });
        Assert.Equal(polygons.Select(p => (p.Label, p.SopInstanceUid, p.Frame)), back.Polygons.Select(p => (p.Label, p.SopInstanceUid, p.Frame)));
        Assert.Equal(polygons[0].Points, back.Polygons[0].Points);
        Assert.Equal(polygons[1].Points, back.Polygons[1].Points);
    }
}
