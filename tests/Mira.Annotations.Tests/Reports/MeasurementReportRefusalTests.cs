using Mira.Annotations.Reads;
using Mira.Annotations.Reports;
using Mira.Dicom;
using static Mira.Annotations.Tests.Reports.MeasurementReportWriterTests;

namespace Mira.Annotations.Tests.Reports;

public class MeasurementReportRefusalTests
{
    static string Refused(MeasurementReportRequest request) => Assert.Throws<AnnotationException>(() => MeasurementReportWriter.WriteBytes(request)).Message;

    [Fact]
    public void An_empty_report_is_refused()
    {
        Assert.Contains("empty", Refused(Request(Fundus, ReferencedHeaders.Fundus())));
        Assert.Contains("empty", Refused(Request(Glioma, ReferencedHeaders.MrSlices(2)) with { Volumes = new RegionVolumes(new LabelMasks(8, 8, 2), 1) }));
    }

    [Fact]
    public void Answers_to_another_protocols_form_are_refused()
    {
        var glioma = Answers(Glioma, """{"timepoint": "pre-op"}""");
        Assert.Contains("field 'timepoint' is not in protocol fundus-dr-multidisease", Refused(FundusGrades() with { Answers = glioma }));
    }

    [Fact]
    public void A_mask_label_not_in_the_protocol_is_refused()
    {
        var masks = new LabelMasks(8, 8, 2).Set(9, new bool[128]);
        Assert.Contains("mask label value 9 is not a label of protocol glioma-brats",
            Refused(Request(Glioma, ReferencedHeaders.MrSlices(2)) with { Volumes = new RegionVolumes(masks, 1) }));
    }

    [Fact]
    public void Polygons_with_too_few_points_unknown_labels_or_on_unreferenced_images_are_refused()
    {
        var ok = SlidePolygons();
        var uid = ok.Polygons[0].SopInstanceUid;
        Assert.Contains("2 point(s)", Refused(ok with { Polygons = [new PolygonAnnotation(1, uid, 1, [new(1, 1), new(2, 2)])] }));
        Assert.Contains("label value 42 is not a label", Refused(ok with { Polygons = [ok.Polygons[0] with { Label = 42 }] }));
        Assert.Contains("label value 0 is not a label", Refused(ok with { Polygons = [ok.Polygons[0] with { Label = 0 }] }));
        Assert.Contains("is not among the report's referenced instances", Refused(ok with { Polygons = [ok.Polygons[0] with { SopInstanceUid = "1.2.3.4" }] }));
        Assert.Contains("frame 5", Refused(ok with { Polygons = [ok.Polygons[0] with { Frame = 5 }] }));
        Assert.Contains("outside the 256 x 256 image", Refused(ok with { Polygons = [ok.Polygons[0] with { Points = [new(1, 1), new(300, 1), new(2, 9)] }] }));
        // The fovea is a point in the fundus protocol, never a polygon.
        var fundus = FundusGrades();
        var photo = fundus.ReferencedInstances[0].GetString(DicomTags.SOPInstanceUID)!;
        Assert.Contains("label FOVEA is drawn as point", Refused(fundus with { Polygons = [new PolygonAnnotation(10, photo, 1, [new(1, 1), new(9, 1), new(5, 5)])] }));
    }

    [Fact]
    public void Reports_without_images_or_mixing_studies_or_verified_while_partial_are_refused()
    {
        Assert.Contains("references no image", Refused(FundusGrades() with { ReferencedInstances = [] }));
        var other = ReferencedHeaders.Fundus(2).Set(DicomTags.StudyInstanceUID, "1.2.3.9");
        Assert.Contains("2 studies", Refused(FundusGrades() with { ReferencedInstances = [ReferencedHeaders.Fundus(), other] }));
        Assert.Contains("is COMPLETE", Refused(FundusGrades() with { Complete = false, VerifiedBy = new ReportVerifier("Li^Na", "", DateTimeOffset.UnixEpoch) }));
        Assert.Contains("no author", Refused(FundusGrades() with { Author = " " }));
        Assert.Contains("needs a valid Series Instance UID", Refused(GliomaVolumes(out _) with { Volumes = GliomaVolumes(out _).Volumes! with { SegmentationSeriesInstanceUid = null } }));
    }
}
