using Mira.Annotations.Reads;
using Mira.Annotations.Reports;
using Mira.Dicom;
using static Mira.Annotations.Tests.Reports.MeasurementReportWriterTests;

namespace Mira.Annotations.Tests.Reports;

public class MeasurementReportReaderTests
{
    static MeasurementReport RoundTrip(MeasurementReportRequest request) =>
        MeasurementReportReader.Read(ReferencedHeaders.Reread(MeasurementReportWriter.WriteBytes(request)), request.Protocol);

    [Fact]
    public void Fundus_grades_round_trip()
    {
        var request = FundusGrades();
        var back = RoundTrip(request);
        Assert.Equal(request.Answers!.ToJson(), back.Answers!.ToJson());
        Assert.Equal("Zhang^Wei", back.Author);
        Assert.True(back.Complete);
        Assert.False(back.Verified);
        Assert.Empty(back.Polygons);
    }

    [Fact]
    public void Slide_polygons_and_answers_round_trip_with_their_frames()
    {
        var request = SlidePolygons();
        var back = RoundTrip(request);
        Assert.Equal(request.Answers!.ToJson(), back.Answers!.ToJson());
        Assert.Equal(request.Polygons.Count, back.Polygons.Count);
        for (var i = 0; i < request.Polygons.Count; i++)
        {
            Assert.Equal(request.Polygons[i].Label, back.Polygons[i].Label);
            Assert.Equal(request.Polygons[i].SopInstanceUid, back.Polygons[i].SopInstanceUid);
            Assert.Equal(request.Polygons[i].Frame, back.Polygons[i].Frame);
            Assert.Equal(request.Polygons[i].Points, back.Polygons[i].Points);
        }
        Assert.Equal(5000 * 0.00025 * 0.00025, back.Measurements.Single(m => m.Region == "TUMOUR 1").Value, 12);
        Assert.Equal("mm2", back.Measurements[0].Unit.Code);
    }

    [Fact]
    public void Glioma_volumes_and_segment_references_round_trip()
    {
        var request = GliomaVolumes(out var masks);
        var back = RoundTrip(request);
        Assert.Equal(request.Answers!.ToJson(), back.Answers!.ToJson());
        Assert.Equal(["ET", "TC", "WT", "NETC", "SNFH"], back.Measurements.Select(m => m.Region));
        var et = back.Measurements.Single(m => m.Region == "ET");
        Assert.Equal(masks.Count(3) * 1.5 / 1000, et.Value, 12);
        Assert.Equal(3, et.Label);
        Assert.Equal(3, et.SegmentNumber);
        Assert.Equal(ReferencedHeaders.Study + ".91.1", et.SegmentationSopInstanceUid);
        var wt = back.Measurements.Single(m => m.Region == "WT");
        Assert.Equal(masks.Region([1, 2, 3]).Count(b => b) * 1.5 / 1000, wt.Value, 12);
        Assert.Null(wt.Label);
        Assert.Null(wt.SegmentNumber);
    }

    [Fact]
    public void A_report_read_against_another_protocol_is_refused_naming_the_item()
    {
        var sr = ReferencedHeaders.Reread(MeasurementReportWriter.WriteBytes(FundusGrades()));
        var e = Assert.Throws<AnnotationException>(() => MeasurementReportReader.Read(sr, Glioma));
        Assert.Contains("is not a field of protocol glioma-brats", e.Message);
    }

    [Fact]
    public void A_dataset_that_is_not_a_measurement_report_is_refused()
    {
        var sr = ReferencedHeaders.Reread(MeasurementReportWriter.WriteBytes(FundusGrades()));
        sr.Set(DicomAttributes_Code(sr));
        var e = Assert.Throws<AnnotationException>(() => MeasurementReportReader.Read(sr, Fundus));
        Assert.Contains("not a TID 1500 Imaging Measurement Report", e.Message);
        Assert.Throws<AnnotationException>(() => MeasurementReportReader.Read(ReferencedHeaders.Fundus(), Fundus));
    }

    static DicomElement DicomAttributes_Code(DicomDataset _) =>
        Mira.Conversion.DicomAttributes.Sequence(DicomTags.ConceptNameCodeSequence, Mira.Conversion.DicomAttributes.Code("18748-4", "LN", "Diagnostic imaging report"));

    [Fact]
    public void A_foreign_report_with_an_unknown_coded_value_is_refused_with_the_field_named()
    {
        var sr = ReferencedHeaders.Reread(MeasurementReportWriter.WriteBytes(FundusGrades()));
        var qualitative = sr.GetSequence(DicomTags.ContentSequence)!.Items.Single(i => i.GetSequence(DicomTags.ConceptNameCodeSequence)!.Items[0].GetString(DicomTags.CodeValue) == "C0034375");
        var grade = qualitative.GetSequence(DicomTags.ContentSequence)!.Items.First(i => i.GetSequence(DicomTags.ConceptCodeSequence)!.Items[0].GetString(DicomTags.CodeValue) == "icdrDr:2");
        grade.GetSequence(DicomTags.ConceptCodeSequence)!.Items[0].Set(DicomTags.CodeValue, "icdrDr:7");
        var e = Assert.Throws<AnnotationException>(() => MeasurementReportReader.Read(sr, Fundus));
        Assert.Contains("field 'icdrDr'", e.Message);
    }

    [Fact]
    public void A_report_whose_field_codes_are_another_writers_is_read_by_the_field_named_in_code_meaning_and_an_open_polygon_is_accepted()
    {
        var sr = ReferencedHeaders.Reread(MeasurementReportWriter.WriteBytes(MeasurementReportWriterTests.SlidePolygons()));
        var root = sr.GetSequence(DicomTags.ContentSequence)!.Items;
        static DicomDataset Concept(DicomDataset i) => i.GetSequence(DicomTags.ConceptNameCodeSequence)!.Items[0];
        var qualitative = root.Single(i => Concept(i).GetString(DicomTags.CodeValue) == "C0034375");
        foreach (var q in qualitative.GetSequence(DicomTags.ContentSequence)!.Items)
            Concept(q).Set(DicomTags.CodingSchemeDesignator, "99OTHER").Set(DicomTags.CodeValue, "X" + Concept(q).GetString(DicomTags.CodeMeaning));
        // A writer that uses the SCOORD3D name POLYGON and leaves the ring open.
        var measurements = root.Single(i => Concept(i).GetString(DicomTags.CodeValue) == "126010");
        var scoord = measurements.GetSequence(DicomTags.ContentSequence)!.Items[0].GetSequence(DicomTags.ContentSequence)!.Items.Single(i => i.GetString(DicomTags.ValueType) == "SCOORD");
        scoord.Set(DicomTags.GraphicType, "POLYGON").Set(Mira.Conversion.DicomAttributes.FL(DicomTags.GraphicData, 10, 10, 110, 10, 110, 60, 10, 60));
        var back = MeasurementReportReader.Read(sr, Oesophagus);
        Assert.Equal(MeasurementReportWriterTests.SlidePolygons().Answers!.ToJson(), back.Answers!.ToJson());
        Assert.Equal([new PointF2(10, 10), new(110, 10), new(110, 60), new(10, 60)], back.Polygons[0].Points);
        // An open POLYLINE is a line, not a region.
        scoord.Set(DicomTags.GraphicType, "POLYLINE");
        Assert.Contains("open polyline", Assert.Throws<AnnotationException>(() => MeasurementReportReader.Read(sr, Oesophagus)).Message);
    }

    [Fact]
    public void Bytes_that_are_not_DICOM_are_refused_as_a_report()
    {
        var e = Assert.Throws<AnnotationException>(() => MeasurementReportReader.Read(new byte[] { 1, 2, 3, 4 }, Fundus));
        Assert.Contains("not a readable DICOM file", e.Message);
    }
}
