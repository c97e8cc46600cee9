using System.Text.Json;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Segmentation;
using Mira.Conversion;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Annotations.Tests.Segmentation;

/// <summary>Reads written as DICOM Segmentations of an MR series and read back, checked with dciodvfy and pydicom.</summary>
public sealed class SegmentationWriterTests : IDisposable
{
    readonly MrSeries series = new();
    static Protocol Glioma => BuiltInProtocols.Find("glioma-brats")!;

    public void Dispose() => series.Dispose();

    SegmentationRequest Request(LabelMasks? masks, SegmentationType type = SegmentationType.Binary) => new()
    {
        Grid = series.Grid,
        Protocol = Glioma,
        Masks = masks,
        Type = type,
        SeriesInstanceUid = "2.25.1001",
        SopInstanceUid = "2.25.1002",
        Author = "Reader^One",
        ContentDateTime = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc),
    };

    string Save(ConvertedInstance seg, string name)
    {
        var path = series.PathOf(name);
        File.WriteAllBytes(path, SegmentationWriter.ToPart10(seg));
        return path;
    }

    /// <summary>
    /// pydicom's view of a SEG on the series: per segment label, the SHA-256 of its mask as uint8 [slice, row, column]
    /// (each frame placed by its Source Image's SOP Instance UID among the grid's, sorted) and its voxel count;
    /// FRACTIONAL frames as their raw values.
    /// </summary>
    const string PydicomView = """
        import sys, json, hashlib, pydicom, numpy as np
        seg = pydicom.dcmread(sys.argv[1])
        uids = sys.argv[2].split(',')
        arr = seg.pixel_array
        if arr.ndim == 2: arr = arr[None]
        labels = {int(s.SegmentNumber): str(s.SegmentLabel) for s in seg.SegmentSequence}
        vols = {}
        for f, item in enumerate(seg.PerFrameFunctionalGroupsSequence):
            k = uids.index(item.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID)
            if seg.SegmentationType == 'LABELMAP':
                for n in labels:
                    vols.setdefault(n, np.zeros((len(uids), seg.Rows, seg.Columns), np.uint8))[k] = arr[f] == n
            else:
                n = int(item.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
                vols.setdefault(n, np.zeros((len(uids), seg.Rows, seg.Columns), np.uint8))[k] = arr[f]
        out = {labels[n]: {'sha256': hashlib.sha256(v.tobytes()).hexdigest(), 'count': int((v != 0).sum()), 'sum': int(v.astype(np.int64).sum())} for n, v in vols.items()}
        print(json.dumps({'sop': seg.SOPClassUID, 'frames': int(seg.NumberOfFrames), 'segments': out}))
        """;

    JsonElement Pydicom(string path) =>
        JsonDocument.Parse(MrSeries.Python(PydicomView, path, string.Join(',', series.Grid.Slices.Select(s => s.SopInstanceUid)))).RootElement;

    [Fact]
    public void A_binary_seg_of_an_mr_series_passes_dciodvfy_pydicom_reads_our_voxels_and_it_reads_back_to_the_same_masks()
    {
        var read = series.Read();
        var seg = SegmentationWriter.Write(Request(read));
        var path = Save(seg, "binary.dcm");

        Assert.Empty(MrSeries.DciodvfyErrors(path));
        var view = Pydicom(path);
        Assert.Equal(DicomUids.SegmentationStorage, view.GetProperty("sop").GetString());
        var segments = view.GetProperty("segments");
        Assert.Equal(3, segments.EnumerateObject().Count());
        foreach (var label in Glioma.Segments.Where(l => read.Count(l.Value) > 0))
        {
            Assert.Equal(MrSeries.Digest(read[label.Value]), segments.GetProperty(label.Name).GetProperty("sha256").GetString());
            Assert.Equal(read.Count(label.Value), segments.GetProperty(label.Name).GetProperty("count").GetInt64());
        }
        // Empty frames are left out: NETC on 3 slices, SNFH on 4, ET on 1.
        Assert.Equal(8, view.GetProperty("frames").GetInt32());

        var back = SegmentationToMasks.Read(File.ReadAllBytes(path), series.Grid, Glioma);
        Assert.True(back.SameAs(read));
        Assert.Equal([1, 2, 3], back.Labels);
    }

    [Fact]
    public void Segments_are_the_protocol_labels_present_in_protocol_order_with_their_codes_colour_and_the_series_patient_and_study()
    {
        var read = series.Read();
        read.Set(1, new bool[read.Length]); // NETC empty: no segment
        var ds = SegmentationWriter.Write(Request(read)).Header;
        var items = ds.GetSequence(DicomTags.SegmentSequence)!.Items;
        Assert.Equal(2, items.Count);
        Assert.Equal(["SNFH", "ET"], items.Select(i => i.GetString(DicomTags.SegmentLabel)));
        Assert.Equal([1, 2], items.Select(i => i.GetInt32(DicomTags.SegmentNumber)));
        var snfh = Glioma.LabelByName("SNFH")!;
        Assert.Equal(snfh.DisplayName, items[0].GetString(DicomTags.SegmentDescription));
        Assert.True(items[0].TryGetFirstItem(DicomTags.SegmentedPropertyTypeCodeSequence, out var type));
        Assert.Equal(snfh.Type.Code, type.GetString(DicomTags.CodeValue));
        Assert.True(items[0].TryGetFirstItem(DicomTags.AnatomicRegionSequence, out var region));
        Assert.Equal("12738006", region.GetString(DicomTags.CodeValue));
        Assert.Equal("MANUAL", items[0].GetString(DicomTags.SegmentAlgorithmType));
        var lab = items[0].GetValues<ushort>(DicomTags.RecommendedDisplayCIELabValue);
        Assert.Equal(CieLab.DicomValues(0x4D, 0xAF, 0x4A), lab);
        Assert.Equal("Reader^One", ds.GetString(DicomTags.ContentCreatorName));
        var image = series.Headers[0];
        foreach (var tag in new[] { DicomTags.PatientID, DicomTags.PatientName, DicomTags.StudyInstanceUID, DicomTags.FrameOfReferenceUID })
            Assert.Equal(image.GetString(tag), ds.GetString(tag));
        Assert.True(ds.TryGetFirstItem(DicomTags.ReferencedSeriesSequence, out var referenced));
        Assert.Equal(series.Grid.SeriesInstanceUid, referenced.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(MrSeries.Slices, referenced.GetSequence(DicomTags.ReferencedInstanceSequence)!.Items.Count);
    }

    [Fact]
    public void Recommended_display_colours_are_d50_cielab_scaled_as_ps3_3_c_10_7_1_1_says()
    {
        // White is L* 100, a* = b* = 0 (0x8080); black L* 0.
        Assert.Equal([(ushort)65535, (ushort)0x8080, (ushort)0x8080], CieLab.DicomValues(255, 255, 255));
        Assert.Equal([(ushort)0, (ushort)0x8080, (ushort)0x8080], CieLab.DicomValues(0, 0, 0));
        // sRGB red in D50 Lab (ICC sRGB profile): L* 54.29, a* 80.80, b* 69.89 (Lindbloom's calculator, Bradford).
        var (l, a, b) = CieLab.FromSrgb(255, 0, 0);
        Assert.Equal(54.29, l, 0.05);
        Assert.Equal(80.80, a, 0.1);
        Assert.Equal(69.89, b, 0.1);
    }

    [Fact]
    public void Overlapping_labels_make_a_binary_seg_that_says_so_and_reads_back_with_the_overlap()
    {
        var read = series.Read();
        var et = read[1].ToArray(); // ET over the whole NETC block
        read.Set(3, et);
        Assert.True(read.Overlap());
        var seg = SegmentationWriter.Write(Request(read));
        Assert.Equal("YES", seg.Header.GetString(DicomTags.SegmentsOverlap));
        var path = Save(seg, "overlap.dcm");
        Assert.Empty(MrSeries.DciodvfyErrors(path));
        Assert.True(SegmentationToMasks.Read(File.ReadAllBytes(path), series.Grid, Glioma).SameAs(read));
    }

    [Fact]
    public void A_labelmap_seg_has_one_frame_per_slice_of_segment_numbers_and_round_trips()
    {
        var read = series.Read();
        var seg = SegmentationWriter.Write(Request(read, SegmentationType.LabelMap));
        Assert.Equal(SegmentationWriter.LabelMapSegmentationStorage, seg.SopClassUid);
        Assert.Equal("LABELMAP", seg.Header.GetString(DicomTags.SegmentationType));
        Assert.Equal(8, seg.Header.GetInt32(DicomTags.BitsAllocated));
        var path = Save(seg, "labelmap.dcm");
        // This dciodvfy predates the Label Map Segmentation IOD (Supplement 243) and does not know its SOP class: check
        // the same object as a Segmentation, where the only errors allowed are the two things Supplement 243 changed
        // (the LABELMAP enumerated value, and no Segment Identification Sequence since each pixel names its segment).
        var asSeg = new ConvertedInstance(seg.Header.Set(DicomTags.SOPClassUID, DicomUids.SegmentationStorage), seg.Syntax, seg.Pixels, "as Segmentation Storage");
        var errors = MrSeries.DciodvfyErrors(Save(asSeg, "labelmap-as-seg.dcm"));
        string[] supplement243 = ["Unrecognized enumerated value <LABELMAP> for value 1 of attribute <Segmentation Type>", "Missing attribute Type 1 Required Element=<SegmentIdentificationSequence>"];
        var others = errors.Where(e => !supplement243.Any(e.Contains)).ToList();
        Assert.True(others.Count == 0, string.Join("\n", others));
        Assert.Contains(errors, e => e.Contains(supplement243[0], StringComparison.Ordinal));
        seg.Header.Set(DicomTags.SOPClassUID, SegmentationWriter.LabelMapSegmentationStorage);
        var view = Pydicom(path);
        Assert.Equal(MrSeries.Slices, view.GetProperty("frames").GetInt32());
        foreach (var label in Glioma.Segments.Where(l => read.Count(l.Value) > 0))
            Assert.Equal(MrSeries.Digest(read[label.Value]), view.GetProperty("segments").GetProperty(label.Name).GetProperty("sha256").GetString());
        Assert.True(SegmentationToMasks.Read(File.ReadAllBytes(path), series.Grid, Glioma).SameAs(read));
    }

    [Fact]
    public void A_labelmap_of_overlapping_labels_is_refused_naming_them_and_the_voxel()
    {
        var read = series.Read();
        read.Set(3, read[2].ToArray());
        var e = Assert.Throws<AnnotationException>(() => SegmentationWriter.Write(Request(read, SegmentationType.LabelMap)));
        Assert.Contains("SNFH and ET overlap", e.Message, StringComparison.Ordinal);
        Assert.Contains("write BINARY", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fractional_seg_holds_probabilities_in_255_steps_passes_dciodvfy_and_reads_back_thresholded_at_one_half()
    {
        var length = series.Grid.SliceLength * series.Grid.SliceCount;
        var p = new float[length];
        for (var i = 0; i < length; i++) p[i] = i % 7 == 0 ? 0 : (i % 11) / 10f; // 0, 0.1 … 1.0
        var request = Request(null, SegmentationType.Fractional) with { Probabilities = new Dictionary<int, float[]> { [3] = p }, AlgorithmType = "AUTOMATIC", AlgorithmName = "test model" };
        var seg = SegmentationWriter.Write(request);
        Assert.Equal("PROBABILITY", seg.Header.GetString(DicomTags.SegmentationFractionalType));
        Assert.Equal(255, seg.Header.GetInt32(DicomTags.MaximumFractionalValue));
        var path = Save(seg, "fractional.dcm");
        Assert.Empty(MrSeries.DciodvfyErrors(path));
        var et = Pydicom(path).GetProperty("segments").GetProperty("ET");
        Assert.Equal(p.Sum(v => (long)Math.Round(v * 255, MidpointRounding.AwayFromZero)), et.GetProperty("sum").GetInt64());

        var back = SegmentationToMasks.Read(File.ReadAllBytes(path), series.Grid, Glioma);
        Assert.Equal([3], back.Labels);
        // 128 of 255 and above is foreground: 0.5 → 128 is, 0.4 → 102 is not.
        Assert.Equal(p.Select(v => Math.Round(v * 255, MidpointRounding.AwayFromZero) >= 128), back[3]);
    }

    [Fact]
    public void A_probability_outside_zero_to_one_is_refused()
    {
        var p = new float[series.Grid.SliceLength * series.Grid.SliceCount];
        p[17] = 1.5f;
        var request = Request(null, SegmentationType.Fractional) with { Probabilities = new Dictionary<int, float[]> { [2] = p } };
        var e = Assert.Throws<AnnotationException>(() => SegmentationWriter.Write(request));
        Assert.Contains("SNFH holds 1.5 at voxel 17", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_value_not_in_the_protocol_is_refused_naming_it_and_the_protocol()
    {
        var read = series.Read();
        var seven = new bool[read.Length];
        seven[5] = true;
        read.Set(7, seven);
        var e = Assert.Throws<AnnotationException>(() => SegmentationWriter.Write(Request(read)));
        Assert.Contains("label value 7", e.Message, StringComparison.Ordinal);
        Assert.Contains("glioma-brats", e.Message, StringComparison.Ordinal);
        Assert.Contains("4 RC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Masks_of_another_size_than_the_images_are_refused()
    {
        var wrong = new LabelMasks(MrSeries.Columns, MrSeries.Rows, MrSeries.Slices + 1);
        wrong.Set(1, Enumerable.Repeat(true, wrong.Length).ToArray());
        var e = Assert.Throws<AnnotationException>(() => SegmentationWriter.Write(Request(wrong)));
        Assert.Contains("20 x 16 x 7", e.Message, StringComparison.Ordinal);
        Assert.Contains("20 x 16 x 6", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_read_is_refused()
    {
        var e = Assert.Throws<AnnotationException>(() => SegmentationWriter.Write(Request(series.Grid.NewMasks().Set(2, new bool[series.Grid.SliceLength * MrSeries.Slices]))));
        Assert.Contains("no voxel", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Segments_map_to_protocol_labels_by_their_codes_not_by_number_or_text()
    {
        var read = series.Read();
        var ds = SegmentationWriter.Write(Request(read)).Header;
        // Another writer's numbering and wording: segments numbered 3, 2, 1 (not protocol order), listed in reverse, renamed.
        var items = ds.GetSequence(DicomTags.SegmentSequence)!.Items;
        foreach (var item in items)
            item.Set(DicomTags.SegmentLabel, "region").Set(Conversion.DicomAttributes.US(DicomTags.SegmentNumber, 4 - item.GetInt32(DicomTags.SegmentNumber)!.Value));
        foreach (var frame in ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)!.Items)
        {
            Assert.True(frame.TryGetFirstItem(DicomTags.SegmentIdentificationSequence, out var id));
            id.Set(Conversion.DicomAttributes.US(DicomTags.ReferencedSegmentNumber, 4 - id.GetInt32(DicomTags.ReferencedSegmentNumber)!.Value));
        }
        items.Reverse();
        var seg = new ConvertedInstance(ds, TransferSyntax.ExplicitVRLittleEndian, SegmentationWriter.Write(Request(read)).Pixels, "renamed");
        Assert.True(SegmentationToMasks.Read(SegmentationWriter.ToPart10(seg), series.Grid, Glioma).SameAs(read));
    }

    [Fact]
    public void A_seg_whose_codes_are_not_in_the_protocol_is_refused_with_the_conformance_problem()
    {
        var ds = SegmentationWriter.Write(Request(series.Read())).Header;
        var second = ds.GetSequence(DicomTags.SegmentSequence)!.Items[1];
        second.Set(DicomTags.SegmentLabel, "Tumour");
        second.Set(Conversion.DicomAttributes.Sequence(DicomTags.SegmentedPropertyTypeCodeSequence, Conversion.DicomAttributes.Code("123", "SCT", "X")));
        var problems = SegmentationConformance.Check(ds, Glioma, series.Grid);
        Assert.Equal(["segment 2 'Tumour' has type (123, SCT, \"X\") which is not a label of protocol glioma-brats (labels: NETC, SNFH, ET, RC)"], problems);
        var e = Assert.Throws<AnnotationException>(() => SegmentationToMasks.Read(ds, series.Grid, Glioma));
        Assert.Contains("segment 2 'Tumour' has type (123, SCT, \"X\")", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_seg_of_another_series_is_refused_saying_which_series_it_references()
    {
        var ds = SegmentationWriter.Write(Request(series.Read())).Header;
        Assert.True(ds.TryGetFirstItem(DicomTags.ReferencedSeriesSequence, out var referenced));
        referenced.Set(DicomTags.SeriesInstanceUID, "2.25.999");
        var problems = SegmentationConformance.Check(ds, Glioma, series.Grid);
        Assert.Contains($"references series 2.25.999, not the task's series {series.Grid.SeriesInstanceUid}", problems);
        Assert.Empty(SegmentationConformance.Check(ds, Glioma, null));
    }

    [Fact]
    public void A_seg_drawn_on_another_image_is_reported_frame_by_frame()
    {
        var ds = SegmentationWriter.Write(Request(series.Read())).Header;
        var first = ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)!.Items[0];
        Assert.True(first.TryGetFirstItem(DicomTags.DerivationImageSequence, out var derivation));
        Assert.True(derivation.TryGetFirstItem(DicomTags.SourceImageSequence, out var source));
        source.Set(DicomTags.ReferencedSOPInstanceUID, "2.25.4242");
        Assert.Contains($"frame 1 is derived from image 2.25.4242, which is not in the task's series {series.Grid.SeriesInstanceUid}", SegmentationConformance.Check(ds, Glioma, series.Grid));
    }
}

/// <summary>Segmentations of images that are not a stack of single-frame slices.</summary>
public sealed class SegmentationOfOtherImagesTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("mira-seg-other-").FullName;
    static Protocol Glioma => BuiltInProtocols.Find("glioma-brats")!;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void A_seg_of_a_multi_frame_mr_references_its_frames_passes_dciodvfy_and_reads_back()
    {
        var ds = DicomFile.Open(Testing.Corpus.Get("dicom/modality/MR/siemens_xa10_enhanced_6_1.dcm").FullPath, new DicomReadOptions { StopBeforePixelData = true }).Dataset;
        var grid = ImageGrid.FromSeries([ds]);
        var masks = grid.NewMasks();
        var et = new bool[masks.Length];
        for (var i = 2 * grid.SliceLength + 100; i < 2 * grid.SliceLength + 300; i++) et[i] = true;
        masks.Set(3, et);
        var seg = SegmentationWriter.Write(new SegmentationRequest { Grid = grid, Protocol = Glioma, Masks = masks, SeriesInstanceUid = "2.25.61", SopInstanceUid = "2.25.62" });
        var frame = seg.Header.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)!.Items.Single();
        Assert.True(frame.TryGetFirstItem(DicomTags.DerivationImageSequence, out var derivation));
        Assert.True(derivation.TryGetFirstItem(DicomTags.SourceImageSequence, out var source));
        Assert.Equal(3, source.GetInt32(DicomTags.ReferencedFrameNumber));
        var path = Path.Combine(folder, "mf.dcm");
        File.WriteAllBytes(path, SegmentationWriter.ToPart10(seg));
        Assert.Empty(MrSeries.DciodvfyErrors(path));
        Assert.True(SegmentationToMasks.Read(File.ReadAllBytes(path), grid, Glioma).SameAs(masks));
    }

    [Fact]
    public void A_binary_seg_of_a_photograph_has_no_patient_geometry_and_passes_dciodvfy()
    {
        var photo = new DicomDataset()
            .Set(DicomTags.SOPClassUID, DicomUids.VLPhotographicImageStorage).Set(DicomTags.SOPInstanceUID, "2.25.71")
            .Set(DicomTags.StudyInstanceUID, "2.25.72").Set(DicomTags.SeriesInstanceUID, "2.25.73").Set(DicomTags.PatientID, "P1")
            .Set(Conversion.DicomAttributes.US(DicomTags.Rows, 30)).Set(Conversion.DicomAttributes.US(DicomTags.Columns, 40));
        var grid = ImageGrid.FromSeries([photo]);
        var masks = grid.NewMasks();
        var m = new bool[masks.Length];
        m[45] = m[46] = true;
        var seg = SegmentationWriter.Write(new SegmentationRequest { Grid = grid, Protocol = Glioma, Masks = masks.Set(1, m), SeriesInstanceUid = "2.25.74", SopInstanceUid = "2.25.75" });
        Assert.False(seg.Header.Contains(DicomTags.FrameOfReferenceUID));
        Assert.True(seg.Header.TryGetFirstItem(DicomTags.SharedFunctionalGroupsSequence, out var shared));
        Assert.False(shared.Contains(DicomTags.PlaneOrientationSequence));
        var path = Path.Combine(folder, "photo.dcm");
        File.WriteAllBytes(path, SegmentationWriter.ToPart10(seg));
        var errors = MrSeries.DciodvfyErrors(path);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.True(SegmentationToMasks.Read(File.ReadAllBytes(path), grid, Glioma).SameAs(masks));
        Assert.Throws<AnnotationException>(() => SegmentationWriter.Write(new SegmentationRequest
        {
            Grid = grid, Protocol = Glioma, Masks = masks, Type = SegmentationType.LabelMap, SeriesInstanceUid = "2.25.74", SopInstanceUid = "2.25.75",
        }));
    }
}
