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
        Answers = Answers(Fundus, """{"laterality": "R", "gradability": "gradable", "icdrDr": 2, "icdrDme": "mild", "fieldCentre": "macula", "referableDr": true, "odirLabels": ["D", "G"]}"""),
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

    [Fact]
    public void A_slide_polygon_report_passes_dciodvfy_and_pydicom_reads_closed_polylines_on_their_frames()
    {
        var request = SlidePolygons();
        var bytes = MeasurementReportWriter.WriteBytes(request);
        ReferencedHeaders.AssertDciodvfyClean(bytes);
        var tree = ReferencedHeaders.PydicomTree(bytes);
        var slide = request.ReferencedInstances[0].GetString(DicomTags.SOPInstanceUID);
        // The first polygon: a closed POLYLINE (first point repeated) selected from frame 2 of the slide.
        Assert.Contains("3|CONTAINS|SCOORD|DCM:111030|POLYLINE 10 10 110 10 110 60 10 60 10 10", tree);
        Assert.Contains($"4|SELECTED FROM|IMAGE|-|{slide} frame 2", tree);
        Assert.Contains("3|CONTAINS|CODE|DCM:121071|SCT:1187425009", tree);
        Assert.Contains("3|HAS CONCEPT MOD|CODE|SCT:363698007|SCT:32849002", tree);
        // 100 x 50 px of 0.25 µm: 5000 px² x 6.25e-8 mm² = 3.125e-4 mm².
        Assert.Contains("3|CONTAINS|NUM|SCT:42798000|0.0003125 mm2", tree);
        Assert.Equal(3, tree.Count(l => l.Contains("|SCOORD|", StringComparison.Ordinal)));
        // The histotype's own code (SCT Squamous cell carcinoma) and a text answer.
        Assert.Contains(tree, l => l.StartsWith("2|CONTAINS|CODE|99MIRA:", StringComparison.Ordinal) && l.EndsWith("|SCT:1162767002", StringComparison.Ordinal));
        Assert.Contains(tree, l => l.StartsWith("2|CONTAINS|TEXT|99MIRA:", StringComparison.Ordinal) && l.EndsWith("|TRG 2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_glioma_volume_report_passes_dciodvfy_and_its_volumes_are_voxel_counts_times_voxel_volume()
    {
        var request = GliomaVolumes(out var masks);
        var bytes = MeasurementReportWriter.WriteBytes(request);
        ReferencedHeaders.AssertDciodvfyClean(bytes);
        var tree = ReferencedHeaders.PydicomTree(bytes);
        string Ml(long voxels) => (voxels * 1.5 / 1000).ToString("G6", CultureInfo.InvariantCulture) + " mL";
        var tc = masks.Region([1, 3]).Count(b => b);
        var wt = masks.Region([1, 2, 3]).Count(b => b);
        Assert.Contains("3|CONTAINS|NUM|SCT:118565006|" + Ml(masks.Count(3)), tree);
        Assert.Contains("3|CONTAINS|NUM|SCT:118565006|" + Ml(tc), tree);
        Assert.Contains("3|CONTAINS|NUM|SCT:118565006|" + Ml(wt), tree);
        Assert.Contains("3|CONTAINS|NUM|SCT:118565006|" + Ml(masks.Count(1)), tree);
        Assert.Contains("3|CONTAINS|NUM|SCT:118565006|" + Ml(masks.Count(2)), tree);
        // Label segments referenced in the SEG (numbered 1..3 in label order); derived regions reference none.
        var seg = ReferencedHeaders.Study + ".91.1";
        Assert.Contains($"3|CONTAINS|IMAGE|DCM:121191|{seg} segment 3", tree);
        Assert.Contains($"3|CONTAINS|IMAGE|DCM:121191|{seg} segment 1", tree);
        Assert.Equal(3, tree.Count(l => l.Contains("|DCM:121191|", StringComparison.Ordinal)));
        // The SEG is evidence beside the images (dciodvfy checks every referenced instance is listed).
        var evidence = ReferencedHeaders.Reread(bytes).GetSequence(DicomTags.CurrentRequestedProcedureEvidenceSequence)!.Items[0]
            .GetSequence(DicomTags.ReferencedSeriesSequence)!.Items.Select(s => s.GetString(DicomTags.SeriesInstanceUID)!).ToArray();
        Assert.Equal([ReferencedHeaders.Study + ".4", ReferencedHeaders.Study + ".91"], evidence);
        // The WHO grade (an enum with integer values) is coded, the timepoint too.
        Assert.Contains(tree, l => l.EndsWith("|99MIRA:whoCnsGrade:4", StringComparison.Ordinal));
    }

    [Fact]
    public void Patient_and_study_come_from_the_referenced_images_and_a_verified_consensus_names_its_verifier()
    {
        var request = FundusGrades() with
        {
            VerifiedBy = new ReportVerifier("Li^Na", "Mira reading centre", new DateTimeOffset(2024, 3, 2, 8, 0, 0, TimeSpan.Zero)),
            AuthorRole = new CodedConcept("DCM", "121097", "Recording", "dicom-ps3.16"),
        };
        var bytes = MeasurementReportWriter.WriteBytes(request);
        ReferencedHeaders.AssertDciodvfyClean(bytes);
        var ds = ReferencedHeaders.Reread(bytes);
        Assert.Equal("Test^Patient", ds.GetString(DicomTags.PatientName));
        Assert.Equal("MIRA-P1", ds.GetString(DicomTags.PatientID));
        Assert.Equal(ReferencedHeaders.Study, ds.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal("ACC1", ds.GetString(DicomTags.AccessionNumber));
        Assert.Equal(DicomUids.Comprehensive3DSRStorage, ds.GetString(DicomTags.SOPClassUID));
        Assert.Equal("VERIFIED", ds.GetString(DicomTags.VerificationFlag));
        Assert.Equal("COMPLETE", ds.GetString(DicomTags.CompletionFlag));
        Assert.Equal("Li^Na", ds.GetSequence(DicomTags.VerifyingObserverSequence)!.Items[0].GetString(DicomTags.VerifyingObserverName));
        Assert.Equal("20240301", ds.GetString(DicomTags.ContentDate));
        var tree = ReferencedHeaders.PydicomTree(bytes);
        Assert.Contains("1|HAS OBS CONTEXT|CODE|DCM:121011|DCM:121097", tree);
        Assert.Contains($"3|CONTAINS|IMAGE|-|{ReferencedHeaders.Study}.2.1", tree);
    }

    [Fact]
    public void A_field_code_that_does_not_fit_16_characters_is_a_stable_digest_with_the_field_name_as_meaning()
    {
        var field = Fundus.FieldByName("icdrDr")!;
        var code = SrCodes.Field(Fundus, field);
        Assert.True(code.Code.Length <= 16);
        Assert.StartsWith("F", code.Code);
        Assert.Equal("icdrDr", code.Meaning);
        Assert.Equal(code, SrCodes.Field(BuiltInProtocols.Find("fundus-dr-multidisease")!, field));
        Assert.NotEqual(code.Code, SrCodes.Field(Fundus, Fundus.FieldByName("icdrDme")!).Code);
        Assert.Equal("glioma-brats:idh", SrCodes.Field(Glioma, Glioma.FieldByName("idh")!).Code);
    }

    [Fact]
    public void A_report_on_a_photograph_converted_by_Mira_passes_dciodvfy_and_round_trips_its_polygon()
    {
        var pixels = new byte[96 * 64 * 3];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7);
        var request = new Mira.Conversion.ConversionRequest { Subject = Mira.Conversion.ConversionSubject.Placeholder("fundus"), PhotoKind = Mira.Conversion.PhotoKind.VisibleLight };
        var photo = Mira.Conversion.Photos.PhotoObjects.FromNative(pixels, 64, 96, 3, 8, "synthetic fundus", new string('a', 64), "PNG", request);
        var header = photo.Header;
        var uid = header.GetString(DicomTags.SOPInstanceUID)!;
        var report = Request(Fundus, header) with
        {
            Answers = Answers(Fundus, """{"laterality": "L", "gradability": "gradable", "icdrDr": 4}"""),
            Polygons = [new PolygonAnnotation(6, uid, 1, [new(10, 10), new(40.5, 12), new(30, 50.25)])],
        };
        var bytes = MeasurementReportWriter.WriteBytes(report);
        ReferencedHeaders.AssertDciodvfyClean(bytes);
        var sr = ReferencedHeaders.Reread(bytes);
        Assert.Equal(header.GetString(DicomTags.StudyInstanceUID), sr.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal(header.GetString(DicomTags.PatientID), sr.GetString(DicomTags.PatientID));
        var back = MeasurementReportReader.Read(sr, Fundus);
        Assert.Equal(report.Polygons[0].Points, back.Polygons.Single().Points);
        Assert.Equal(6, back.Polygons.Single().Label);
        // No pixel spacing on the photograph: the area is in pixels².
        Assert.Equal("{px2}", back.Measurements.Single().Unit.Code);
        Assert.Equal(report.Polygons[0].Area, back.Measurements.Single().Value, 6);
    }

    [Fact]
    public void A_patient_name_in_an_images_GB18030_is_copied_as_text_into_the_UTF8_report()
    {
        var image = ReferencedHeaders.Fundus();
        image.Set(DicomTags.SpecificCharacterSet, "GB18030");
        var gb = System.Text.Encoding.GetEncoding("GB18030");
        image.Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, gb.GetBytes("Zhang^San=张^三")));
        Assert.Equal("Zhang^San=张^三", image.GetString(DicomTags.PatientName));
        var bytes = MeasurementReportWriter.WriteBytes(FundusGrades() with { ReferencedInstances = [image] });
        ReferencedHeaders.AssertDciodvfyClean(bytes);
        Assert.Equal("Zhang^San=张^三", ReferencedHeaders.Reread(bytes).GetString(DicomTags.PatientName));
    }

    [Fact]
    public void Number_answers_are_NUM_items_with_UCUM_units_in_a_form_measurement_group_and_round_trip()
    {
        var ageing = BuiltInProtocols.Find("brain-mri-adult-ageing")!;
        var request = Request(ageing, ReferencedHeaders.MrSlices(2)) with
        {
            Answers = Answers(ageing, """{"ageYears": 71.5, "brainAgeYears": 68.25}""", requireAll: false),
        };
        var bytes = MeasurementReportWriter.WriteBytes(request);
        ReferencedHeaders.AssertDciodvfyClean(bytes);
        var tree = ReferencedHeaders.PydicomTree(bytes);
        Assert.Contains("3|CONTAINS|TEXT|DCM:112039|form", tree);
        Assert.Contains(tree, l => l.StartsWith("3|CONTAINS|NUM|99MIRA:", StringComparison.Ordinal) && l.EndsWith("|71.5 a", StringComparison.Ordinal));
        Assert.Contains(tree, l => l.StartsWith("3|CONTAINS|NUM|99MIRA:", StringComparison.Ordinal) && l.EndsWith("|68.25 a", StringComparison.Ordinal));
        var back = MeasurementReportReader.Read(bytes, ageing);
        Assert.Equal("71.5", back.Answers!["ageYears"]);
        Assert.Equal("68.25", back.Answers!["brainAgeYears"]);
        Assert.Empty(back.Measurements);
    }
}
