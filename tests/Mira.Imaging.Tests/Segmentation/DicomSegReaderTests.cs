using System.Buffers.Binary;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging.Segmentation;
using Mira.Imaging.Volumes;
using Mira.Testing;

namespace Mira.Imaging.Tests.Segmentation;

/// <summary>
/// <see cref="DicomSegReader"/> on the corpus SEGs. Expected foreground is computed here from the raw Pixel Data
/// bytes (bit b of frame f is bit f·rows·cols + b of the value, PS3.5 §8.1.1) and each frame's Referenced Segment
/// Number and Image Position (Patient), not through the reader's decoding; grid sizes and counts were also checked
/// against seg_reference.py (pydicom + numpy) and are repeated in <see cref="Grid_and_counts_match_the_numpy_reference"/>.
/// </summary>
public sealed class DicomSegReaderTests
{
    const string Dir = "dicom/modality/SEG/";
    static readonly string[] PatientSegs =
    [
        "dcmqi_liver_seg.dcm", "dcmqi_partial_overlaps.dcm", "dcmqi_sr_example_seg.dcm",
        "highdicom_seg_image_ct_binary.dcm", "highdicom_seg_image_ct_binary_overlap.dcm", "highdicom_seg_image_ct_true_fractional.dcm",
    ];

    public static TheoryData<string> Files() => new(PatientSegs);

    static string PathOf(string name) => Corpus.Get(Dir + name).FullPath;

    /// <summary>One raw frame: its segment, position and foreground flags straight from the file.</summary>
    sealed record RawFrame(int Number, int Segment, double[] Position, bool[] Foreground);

    static List<RawFrame> RawFrames(string name, double fraction = 0.5)
    {
        var file = DicomFile.Open(PathOf(name));
        var ds = file.Dataset;
        var rows = ds.GetInt32(DicomTags.Rows)!.Value;
        var cols = ds.GetInt32(DicomTags.Columns)!.Value;
        var bits = ds.GetInt32(DicomTags.BitsAllocated)!.Value;
        var max = ds.GetDouble(DicomTags.MaximumFractionalValue);
        var raw = ds.Get(DicomTags.PixelData).Bytes.Span;
        var items = ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)!.Items;
        var plane = rows * cols;
        var list = new List<RawFrame>();
        for (var f = 0; f < items.Count; f++)
        {
            var fg = new bool[plane];
            for (var p = 0; p < plane; p++)
            {
                if (bits == 1)
                {
                    var bit = (long)f * plane + p;
                    fg[p] = (raw[(int)(bit / 8)] >> (int)(bit % 8) & 1) == 1;
                }
                else
                {
                    Assert.Equal(8, bits);
                    fg[p] = raw[f * plane + p] >= fraction * max!.Value;
                }
            }
            var seg = items[f].GetSequence(DicomTags.SegmentIdentificationSequence)!.Items[0].GetInt32(DicomTags.ReferencedSegmentNumber)!.Value;
            var pos = items[f].GetSequence(DicomTags.PlanePositionSequence)!.Items[0].GetDoubles(DicomTags.ImagePositionPatient);
            list.Add(new RawFrame(f + 1, seg, pos, fg));
        }
        return list;
    }

    static long Count(Volume v)
    {
        long n = 0;
        foreach (var b in v.Data) if (b != 0) n++;
        return n;
    }

    /// <summary>Voxel coordinates of a patient position on a grid (orthonormal direction).</summary>
    static double[] ToVoxel(VolumeGeometry g, double[] p)
    {
        var v = new double[3];
        for (var c = 0; c < 3; c++)
        {
            double t = 0;
            for (var r = 0; r < 3; r++) t += g.D(r, c) * (p[r] - g.Origin[r]);
            v[c] = t / g.Spacing[c];
        }
        return v;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_frame_lands_on_its_slice_with_exactly_its_own_pixels(string name)
    {
        var seg = DicomSegReader.Read(PathOf(name));
        var raw = RawFrames(name);
        Assert.Equal(raw.Count, seg.Frames.Count);
        var plane = seg.Columns * seg.Rows;
        foreach (var number in raw.Select(f => f.Segment).Distinct())
        {
            var mask = seg.Mask(number);
            Assert.Equal(seg.Size, mask.Size);
            Assert.True(mask.Geometry.ApproximatelyEquals(seg.Geometry));
            var expected = raw.Where(f => f.Segment == number).Sum(f => f.Foreground.LongCount(b => b));
            Assert.Equal(expected, Count(mask));
            Assert.Equal(expected, seg.ForegroundCount(number));
            // Each frame's own slice, found from its position on the grid, equals the raw frame pixel for pixel.
            var covered = new HashSet<int>();
            foreach (var f in raw.Where(f => f.Segment == number))
            {
                var at = ToVoxel(seg.Geometry, f.Position);
                Assert.Equal(0, at[0], 6);
                Assert.Equal(0, at[1], 6);
                var k = (int)Math.Round(at[2]);
                Assert.Equal(k, at[2], 4);
                Assert.InRange(k, 0, seg.SliceCount - 1);
                Assert.True(covered.Add(k));
                for (var p = 0; p < plane; p++)
                    Assert.Equal(f.Foreground[p], mask.Data[(long)k * plane + p] != 0);
            }
            // Slices with no frame of this segment are empty.
            for (var k = 0; k < seg.SliceCount; k++)
                if (!covered.Contains(k)) Assert.DoesNotContain(mask.Data.AsSpan(k * plane, plane).ToArray(), b => b != 0);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Geometry_comes_from_the_frame_positions_and_pixel_measures(string name)
    {
        var seg = DicomSegReader.Read(PathOf(name));
        var ds = DicomFile.Open(PathOf(name)).Dataset;
        var shared = ds.GetSequence(DicomTags.SharedFunctionalGroupsSequence)!.Items[0];
        var iop = shared.GetSequence(DicomTags.PlaneOrientationSequence)!.Items[0].GetDoubles(DicomTags.ImageOrientationPatient);
        var ps = shared.GetSequence(DicomTags.PixelMeasuresSequence)!.Items[0].GetDoubles(DicomTags.PixelSpacing);
        var g = seg.Geometry;
        Assert.Equal(ds.GetInt32(DicomTags.Columns), seg.Columns);
        Assert.Equal(ds.GetInt32(DicomTags.Rows), seg.Rows);
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal(iop[r], g.D(r, 0), 9);
            Assert.Equal(iop[3 + r], g.D(r, 1), 9);
        }
        Assert.True(g.IsOrthonormal());
        Assert.Equal(ps[1], g.Spacing[0], 9);
        Assert.Equal(ps[0], g.Spacing[1], 9);
        // The origin is the position of the frame lowest along the normal; the last slice holds the highest one.
        var raw = RawFrames(name);
        double Along(double[] p) => p[0] * g.D(0, 2) + p[1] * g.D(1, 2) + p[2] * g.D(2, 2);
        var lowest = raw.MinBy(f => Along(f.Position))!.Position;
        var highest = raw.MaxBy(f => Along(f.Position))!.Position;
        for (var a = 0; a < 3; a++) Assert.Equal(lowest[a], g.Origin[a], 4);
        var last = g.PatientPosition(0, 0, seg.SliceCount - 1);
        for (var a = 0; a < 3; a++) Assert.Equal(highest[a], last[a], 3);
        Assert.Empty(seg.Warnings);
    }

    /// <summary>Values printed by seg_reference.py (pydicom + numpy) for the corpus files.</summary>
    [Theory]
    [InlineData("dcmqi_liver_seg.dcm", 512, 512, 3, 1.0, "1:107098")]
    [InlineData("dcmqi_partial_overlaps.dcm", 512, 512, 3, 1.0, "1:9602 2:11888 3:10743 4:6693 5:4713")]
    [InlineData("dcmqi_sr_example_seg.dcm", 128, 128, 13, 3.375, "1:795")]
    [InlineData("highdicom_seg_image_ct_binary.dcm", 16, 16, 3, 1.25, "1:638")]
    [InlineData("highdicom_seg_image_ct_binary_overlap.dcm", 16, 16, 165, 1.25, "1:64 2:16")]
    [InlineData("highdicom_seg_image_ct_true_fractional.dcm", 16, 16, 3, 1.25, "1:638")]
    public void Grid_and_counts_match_the_numpy_reference(string name, int nx, int ny, int nz, double step, string counts)
    {
        var seg = DicomSegReader.Read(PathOf(name));
        Assert.Equal([nx, ny, nz], seg.Size);
        Assert.Equal(step, seg.Geometry.Spacing[2], 4);
        var expected = counts.Split(' ').Select(c => c.Split(':')).ToDictionary(c => int.Parse(c[0]), c => long.Parse(c[1]));
        Assert.Equal(expected.Keys.Order(), seg.Segments.Select(s => s.Number).Order());
        foreach (var (n, c) in expected) Assert.Equal(c, Count(seg.Mask(n)));
    }

    [Fact]
    public void Segment_descriptions_are_read()
    {
        var liver = DicomSegReader.Read(PathOf("dcmqi_liver_seg.dcm"));
        Assert.Equal(SegmentationKind.Binary, liver.Kind);
        var s = Assert.Single(liver.Segments);
        Assert.Equal((1, "Liver", "SEMIAUTOMATIC"), (s.Number, s.Label, s.AlgorithmType));
        Assert.Equal("Liver", s.PropertyType?.Meaning);
        Assert.NotNull(s.Category);

        var overlaps = DicomSegReader.Read(PathOf("dcmqi_partial_overlaps.dcm"));
        Assert.Equal(["GREEN", "ORANGE", "PURPLE", "LIGHT_BLUE", "DARK_BLUE"], overlaps.Segments.Select(x => x.Label));
        Assert.Equal(["Tissue", "Artery", "Capillary", "Edema", "Vein"], overlaps.Segments.Select(x => x.PropertyType!.Meaning));
        Assert.All(overlaps.Segments, x => Assert.Equal("MANUAL", x.AlgorithmType));

        var two = DicomSegReader.Read(PathOf("highdicom_seg_image_ct_binary_overlap.dcm"));
        Assert.Equal(["first segment", "second segment"], two.Segments.Select(x => x.Label));
        Assert.Equal(["Bone", "Spine"], two.Segments.Select(x => x.PropertyType!.Meaning));
        Assert.All(two.Segments, x => Assert.False(string.IsNullOrEmpty(x.PropertyType!.Value)));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.25)]
    [InlineData(0.51)]
    public void Fractional_frames_are_thresholded_at_a_fraction_of_the_maximum(double fraction)
    {
        var seg = DicomSegReader.Read(PathOf("highdicom_seg_image_ct_true_fractional.dcm"), new DicomSegReadOptions { FractionalThreshold = fraction });
        Assert.Equal(SegmentationKind.Fractional, seg.Kind);
        Assert.Equal(255, seg.MaximumFractionalValue);
        var expected = RawFrames("highdicom_seg_image_ct_true_fractional.dcm", fraction).Sum(f => f.Foreground.LongCount(b => b));
        Assert.Equal(expected, Count(seg.Mask(1)));
    }

    [Fact]
    public void Default_fractional_threshold_is_half_the_maximum_and_differs_from_any_non_zero()
    {
        var seg = DicomSegReader.Read(PathOf("highdicom_seg_image_ct_true_fractional.dcm"));
        var ds = DicomFile.Open(PathOf("highdicom_seg_image_ct_true_fractional.dcm")).Dataset;
        var raw = ds.Get(DicomTags.PixelData).Bytes.Span;
        long nonZero = 0, atLeastHalf = 0;
        foreach (var b in raw[..(16 * 16 * 3)]) { if (b != 0) nonZero++; if (b >= 127.5) atLeastHalf++; }
        Assert.Equal(atLeastHalf, Count(seg.Mask(1)));
        Assert.NotEqual(nonZero, atLeastHalf); // the file has values between 0 and half the maximum
    }

    [Theory]
    [InlineData("highdicom_seg_image_ct_binary_overlap.dcm")]
    [InlineData("dcmqi_partial_overlaps.dcm")]
    public void Overlapping_segments_stay_separate(string name)
    {
        var seg = DicomSegReader.Read(PathOf(name));
        Assert.True(seg.SegmentsOverlap());
        Assert.Throws<ImagingException>(seg.LabelVolume);
        var masks = seg.Segments.Select(s => seg.Mask(s.Number)).ToList();
        long shared = 0;
        for (var i = 0; i < masks[0].Data.Length; i++)
            if (masks.Count(m => m.Data[i] != 0) > 1) shared++;
        Assert.True(shared > 0);
        // The union counts shared voxels once; the masks each keep theirs.
        var union = Count(seg.Union());
        Assert.True(union < masks.Sum(Count));
        Assert.Equal(Enumerable.Range(0, masks[0].Data.Length).LongCount(i => masks.Any(m => m.Data[i] != 0)), union);
    }

    [Fact]
    public void Non_overlapping_segments_make_one_label_volume()
    {
        var seg = DicomSegReader.Read(PathOf("highdicom_seg_image_ct_binary.dcm"));
        Assert.False(seg.SegmentsOverlap());
        var labels = seg.LabelVolume();
        Assert.Equal(VoxelType.UInt8, labels.Type);
        Assert.Equal(seg.Mask(1).Data, labels.Data);
    }

    // ------------------------------------------------------------------ damaged SEGs, edited in memory

    static (DicomDataset Ds, TransferSyntax Syntax) Load(string name)
    {
        var f = DicomFile.Open(PathOf(name));
        return (f.Dataset, f.TransferSyntax);
    }

    static DicomDataset FrameItem(DicomDataset ds, int frame) => ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)!.Items[frame - 1];

    static string Refusal(DicomDataset ds, TransferSyntax ts) =>
        Assert.Throws<ImagingException>(() => DicomSegReader.Read(ds, ts, "edited.dcm")).Message;

    static void SetPosition(DicomDataset ds, int frame, params double[] p) =>
        FrameItem(ds, frame).GetSequence(DicomTags.PlanePositionSequence)!.Items[0]
            .Set(DicomTags.ImagePositionPatient, p.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray());

    [Fact]
    public void A_frame_without_position_is_refused_naming_frame_and_tag()
    {
        var (ds, ts) = Load("dcmqi_sr_example_seg.dcm");
        Assert.True(FrameItem(ds, 12).Remove(DicomTags.PlanePositionSequence));
        var msg = Refusal(ds, ts);
        Assert.Contains("frame 12: no Plane Position Sequence (0020,9113)", msg);
        Assert.StartsWith("edited.dcm: ", msg);
    }

    [Fact]
    public void A_frame_of_an_unknown_segment_is_refused()
    {
        var (ds, ts) = Load("highdicom_seg_image_ct_binary.dcm");
        var id = FrameItem(ds, 2).GetSequence(DicomTags.SegmentIdentificationSequence)!.Items[0];
        var nine = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(nine, 9);
        id.Set(new DicomElement(DicomTags.ReferencedSegmentNumber, DicomVR.US, nine));
        Assert.Contains("frame 2: Referenced Segment Number (0062,000B) 9 is not in the Segment Sequence (0062,0002)", Refusal(ds, ts));
        id.Remove(DicomTags.ReferencedSegmentNumber);
        Assert.Contains("frame 2: no Referenced Segment Number (0062,000B)", Refusal(ds, ts));
    }

    [Fact]
    public void Uneven_positions_are_refused_naming_the_frames()
    {
        var (ds, ts) = Load("highdicom_seg_image_ct_binary.dcm");
        SetPosition(ds, 2, -125, -128.100006, 103.019997 + 0.5); // gaps 0.5 and 2.0: 2.0 fits 4 steps of 0.5…
        SetPosition(ds, 3, -125, -128.100006, 103.019997 + 1.3); // …but 0.5 and 0.8 have no common step
        var msg = Refusal(ds, ts);
        Assert.Contains("uneven slice positions", msg);
        Assert.Contains("between frame 2 and frame 3", msg);
    }

    [Fact]
    public void Frames_missing_between_positions_leave_empty_slices()
    {
        // Frame 2 moved two slices up: positions 0, 3, 2 steps → slices 0, 3, 2; slice 1 stays empty.
        var (ds, ts) = Load("highdicom_seg_image_ct_binary.dcm");
        SetPosition(ds, 2, -125, -128.100006, 103.019997 + 3 * 1.25);
        var seg = DicomSegReader.Read(ds, ts, "edited.dcm");
        Assert.Equal(4, seg.SliceCount);
        Assert.Equal([0, 3, 2], seg.Frames.Select(f => f.SliceIndex));
        var raw = RawFrames("highdicom_seg_image_ct_binary.dcm");
        var mask = seg.Mask(1);
        Assert.Equal(raw[1].Foreground.LongCount(b => b), mask.Data.AsSpan(3 * 256, 256).ToArray().LongCount(b => b != 0));
        Assert.DoesNotContain(mask.Data.AsSpan(256, 256).ToArray(), b => b != 0);
    }

    [Fact]
    public void In_plane_shifts_and_duplicate_frames_are_refused()
    {
        var (ds, ts) = Load("highdicom_seg_image_ct_binary.dcm");
        SetPosition(ds, 3, -124, -128.100006, 105.519997);
        Assert.Contains("frame 3: Image Position (Patient) (0020,0032) (-124, -128.1, 105.52) lies 1 mm in-plane", Refusal(ds, ts));
        SetPosition(ds, 3, -125, -128.100006, 103.019997);
        Assert.Contains("frames 1 and 3 both hold segment 1", Refusal(ds, ts));
    }

    [Fact]
    public void Missing_orientation_or_spacing_is_refused()
    {
        var (ds, ts) = Load("highdicom_seg_image_ct_binary.dcm");
        ds.GetSequence(DicomTags.SharedFunctionalGroupsSequence)!.Items[0].Remove(DicomTags.PlaneOrientationSequence);
        Assert.Contains("frame 1: no Plane Orientation Sequence (0020,9116)", Refusal(ds, ts));
        (ds, ts) = Load("highdicom_seg_image_ct_binary.dcm");
        ds.GetSequence(DicomTags.SharedFunctionalGroupsSequence)!.Items[0].Remove(DicomTags.PixelMeasuresSequence);
        Assert.Contains("frame 1: no Pixel Measures Sequence (0028,9110)", Refusal(ds, ts));
    }

    [Fact]
    public void Slide_microscopy_and_non_segmentation_instances_are_refused()
    {
        foreach (var sm in new[] { "highdicom_seg_image_sm_dots_tiled_full.dcm", "highdicom_seg_image_sm_control_labelmap.dcm" })
            Assert.Contains("slide-microscopy", Assert.Throws<ImagingException>(() => DicomSegReader.Read(PathOf(sm))).Message);
        var ct = Corpus.Get("dicom/modality/CT/CT_small.dcm").FullPath;
        Assert.False(DicomSegReader.IsSegmentation(ct));
        Assert.Contains("not a Segmentation: SOP Class UID (0008,0016)", Assert.Throws<ImagingException>(() => DicomSegReader.Read(ct)).Message);
        Assert.True(DicomSegReader.IsSegmentation(PathOf("dcmqi_liver_seg.dcm")));
        Assert.True(DicomSegReader.IsSegmentation(PathOf("highdicom_seg_image_sm_control_labelmap.dcm")));
    }

    /// <summary>
    /// A label-map SEG built from the binary one: 8-bit pixels holding the segment number, no Segment Identification.
    /// The corpus has only a slide-microscopy label map, so the patient-frame one is made here.
    /// </summary>
    [Fact]
    public void Label_map_pixels_are_segment_numbers()
    {
        var (ds, ts) = Load("highdicom_seg_image_ct_binary.dcm");
        var raw = RawFrames("highdicom_seg_image_ct_binary.dcm");
        ds.Set(DicomTags.SOPClassUID, DicomSegReader.LabelMapSegmentationStorage);
        ds.Set(DicomTags.SegmentationType, "LABELMAP");
        foreach (var (tag, v) in new[] { (DicomTags.BitsAllocated, 8), (DicomTags.BitsStored, 8), (DicomTags.HighBit, 7) })
        {
            var b = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
            ds.Set(new DicomElement(tag, DicomVR.US, b));
        }
        for (var f = 1; f <= 3; f++) FrameItem(ds, f).Remove(DicomTags.SegmentIdentificationSequence);
        var pixels = raw.SelectMany(f => f.Foreground.Select(x => x ? (byte)1 : (byte)0)).ToArray();
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, pixels));
        var seg = DicomSegReader.Read(ds, ts, "labelmap.dcm");
        Assert.Equal(SegmentationKind.LabelMap, seg.Kind);
        Assert.Equal(638, Count(seg.Mask(1)));
        Assert.Equal(pixels.LongCount(b => b == 1), Count(seg.Mask(1)));

        pixels[5] = 3;
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, pixels));
        Assert.Contains("frame 1: pixel value 3 is not a Segment Number (0062,0004)", Refusal(ds, ts));
    }
}
