using System.Globalization;
using System.Text.Json;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Reports;
using Mira.Dicom;

namespace Mira.Annotations.Tests.Reports;

public class MeasurementReportWriterTests
{
    internal static readonly Protocol Fundus = BuiltInProtocols.Find("fundus-dr-multidisease")!;
    internal static readonly Protocol Oesophagus = BuiltInProtocols.Find("oesophageal-pathology-wsi")!;
    internal static readonly Protocol Glioma = BuiltInProtocols.Find("glioma-brats")!;

    internal static FormAnswers Answers(Protocol p, string json, bool requireAll = true)
    {
        using var doc = JsonDocument.Parse(json);
        return FormAnswers.Parse(doc.RootElement, p, requireAll);
    }

    internal static MeasurementReportRequest Request(Protocol p, params DicomDataset[] images) => new()
    {
        Protocol = p,
        Author = "Zhang^Wei",
        SeriesInstanceUid = ReferencedHeaders.Study + ".90",
        SopInstanceUid = ReferencedHeaders.Study + ".90.1",
        ContentDateTime = new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.Zero),
        ReferencedInstances = images,
    };

    internal static MeasurementReportRequest FundusGrades() => Request(Fundus, ReferencedHeaders.Fundus()) with
    {
        Answers = Answers(Fundus, """{"laterality": "R", "gradability": "gradable", "icdrDr": 2, "icdrDme": "mild", "fieldCentre": "macula", "referableDr": true}"""),
    };

    internal static MeasurementReportRequest SlidePolygons()
    {
        var slide = ReferencedHeaders.Slide();
        var uid = slide.GetString(DicomTags.SOPInstanceUID)!;
        return Request(Oesophagus, slide) with
        {
            Answers = Answers(Oesophagus, """{"specimen": "ESD", "exhaustive": false, "histotype": "ESCC", "trg": "TRG 2"}"""),
            Polygons =
            [
                new PolygonAnnotation(1, uid, 2, [new(10, 10), new(110, 10), new(110, 60), new(10, 60)]),
                new PolygonAnnotation(7, uid, 3, [new(20.5, 30.25), new(200, 40), new(120, 250)]),
                new PolygonAnnotation(1, uid, 1, [new(0, 0), new(5, 0), new(5, 5)]),
            ],
        };
    }

    internal static MeasurementReportRequest GliomaVolumes(out LabelMasks masks)
    {
        var slices = ReferencedHeaders.MrSlices(4);
        var map = new int[8 * 8 * 4];
        for (var i = 0; i < map.Length; i++) map[i] = i % 7 == 0 ? 1 : i % 5 == 0 ? 2 : i % 11 == 0 ? 3 : 0;
        masks = LabelMasks.FromLabelMap(8, 8, 4, map);
        return Request(Glioma, slices) with
        {
            Answers = Answers(Glioma, """{"timepoint": "pre-op", "whoCnsGrade": 4, "diagnosis": "gbm-IDHwt"}"""),
            Volumes = new RegionVolumes(masks, 1.5) { SegmentationSopInstanceUid = ReferencedHeaders.Study + ".91.1", SegmentationSeriesInstanceUid = ReferencedHeaders.Study + ".91" },
        };
    }

    [Fact]
    public void A_fundus_grading_report_passes_dciodvfy_and_pydicom_reads_its_grades()
    {
        var bytes = MeasurementReportWriter.WriteBytes(FundusGrades());
        ReferencedHeaders.AssertDciodvfyClean(bytes);
        var tree = ReferencedHeaders.PydicomTree(bytes);
        Assert.Equal("0||CONTAINER|DCM:126000|", tree[0]);
        Assert.Contains("1|HAS OBS CONTEXT|PNAME|DCM:121008|Zhang^Wei", tree);
        Assert.Contains("2|CONTAINS|CODE|99MIRA:FDA|99MIRA:icdrDr:2", tree.Select(l => l.Replace(SrCodes.Field(Fundus, Fundus.FieldByName("icdrDr")!).Code, "FDA")));
    }
}
