using Mira.Platform.Deployment.Ood;

namespace Mira.Platform.Tests.Deployment.Ood;

/// <summary>
/// The guard on synthetic CT and MR series: a training profile of three CT series (slice thickness 1.0, 2.0 and
/// 2.5 mm, 120 kV, manufacturer Acme, kernel B30f), and studies that match it or differ in one thing.
/// </summary>
public class OodScorerTests
{
    static readonly SeriesSpec Base = new();

    internal static AcquisitionFeatures Features(SeriesSpec s)
    {
        var reader = new SeriesFeatureReader();
        var n = 0;
        foreach (var f in SyntheticSeries.Files(s)) reader.Add(f, $"{s.Key} {++n}");
        return reader.Finish();
    }

    internal static TrainingProfile Profile() => TrainingProfile.Build(
    [
        Features(Base with { Key = "t1", Seed = 1, SliceThickness = 1.0 }),
        Features(Base with { Key = "t2", Seed = 2, SliceThickness = 2.0 }),
        Features(Base with { Key = "t3", Seed = 3, SliceThickness = 2.5, FirstZ = 10 }),
    ], "test:ct");

    static readonly TrainingProfile profile = Profile();

    static OodResult Score(SeriesSpec s, OodOptions? options = null) => OodScorer.Score(profile, Features(s), options);

    [Fact]
    public void A_series_of_the_training_acquisition_scores_low_and_is_not_flagged()
    {
        var r = Score(Base with { Key = "same", Seed = 11, SliceThickness = 1.5, FirstZ = -30 });
        Assert.False(r.OutsideValidatedRange);
        Assert.Equal(0, r.Score);
        Assert.Empty(r.Reasons);
        Assert.True(r.HistogramJensenShannon < 0.1, $"distance {r.HistogramJensenShannon}");
        Assert.Contains(r.Components, c => c.Parameter == OodParameters.Kvp && c.Score == 0);
        Assert.Contains(r.Components, c => c.Parameter == OodParameters.ExtentZ && c.Score == 0);
    }

    [Fact]
    public void Another_slice_thickness_is_flagged_with_the_range()
    {
        var r = Score(Base with { Key = "thick", Seed = 12, SliceThickness = 5.0 });
        Assert.True(r.OutsideValidatedRange);
        Assert.Equal(1, r.Score);
        Assert.Equal(["slice thickness 5.0 mm is outside the training range 1.0–2.5 mm"], r.Reasons);
    }

    [Fact]
    public void A_small_excess_is_a_reason_below_the_threshold()
    {
        var r = Score(Base with { Key = "thin", Seed = 13, SliceThickness = 2.6 });
        Assert.False(r.OutsideValidatedRange);
        Assert.Equal(0.1 / 1.5, r.Score, 9);
        Assert.Equal(["slice thickness 2.6 mm is outside the training range 1.0–2.5 mm"], r.Reasons);
        Assert.True(OodScorer.Score(profile, Features(Base with { Key = "thin", Seed = 13, SliceThickness = 2.6 }), new OodOptions { Threshold = 0.05 }).OutsideValidatedRange);
    }

    [Fact]
    public void Another_kvp_is_flagged()
    {
        var r = Score(Base with { Key = "kvp", Seed = 14, Kvp = 80 });
        Assert.True(r.OutsideValidatedRange);
        Assert.Equal(["kVp 80.0 kV is outside the training range 120.0 kV"], r.Reasons);
    }

    [Fact]
    public void An_unseen_manufacturer_is_flagged()
    {
        var r = Score(Base with { Key = "maker", Seed = 15, Manufacturer = "Other Corp" });
        Assert.True(r.OutsideValidatedRange);
        Assert.Equal(1, r.Score);
        Assert.Equal(["manufacturer 'Other Corp' was not in the training release ('Acme')"], r.Reasons);
    }

    [Fact]
    public void Intensities_shifted_by_300_HU_are_flagged_by_the_histogram()
    {
        var r = Score(Base with { Key = "shift", Seed = 16, Shift = 300 });
        Assert.True(r.OutsideValidatedRange);
        var reason = Assert.Single(r.Reasons);
        Assert.StartsWith("intensity histogram distance ", reason);
        Assert.Contains("> 0.10 (Jensen–Shannon to the training mean", reason);
        Assert.InRange(r.HistogramWasserstein1!.Value, 270, 330); // the mean moved by 300 HU, measured on 64-HU bins
        Assert.EndsWith($"intensities moved by about {Math.Round(r.HistogramWasserstein1.Value):0} HU)", reason);
        Assert.Equal(1, r.HistogramJensenShannon!.Value, 9); // air, tissue and bone all left their bins: no bin in common
    }

    [Fact]
    public void Another_modality_is_flagged_and_nothing_else_is_compared()
    {
        var r = Score(Base with { Key = "mr", Seed = 17, Modality = "MR" });
        Assert.True(r.OutsideValidatedRange);
        Assert.Equal(1, r.Score);
        Assert.Equal(["modality 'MR' was not in the training release (CT)"], r.Reasons);
        Assert.Null(r.HistogramJensenShannon);
    }

    [Fact]
    public void Other_geometry_is_flagged_by_voxel_size_and_extent()
    {
        var r = Score(Base with { Key = "fov", Seed = 18, PixelSpacing = 4.0 });
        Assert.True(r.OutsideValidatedRange);
        Assert.Contains("voxel size x (between columns) 4.0 mm is outside the training range 8.0 mm", r.Reasons);
        Assert.Contains("extent x 128.0 mm is outside the training range 256.0 mm", r.Reasons);
    }

    [Fact]
    public void What_the_series_does_not_record_is_listed_as_not_compared()
    {
        var r = Score(Base with { Key = "nokernel", Seed = 19, Kernel = null });
        Assert.False(r.OutsideValidatedRange);
        Assert.Contains("convolution kernel: the series does not record it", r.NotCompared);
        var ignored = Score(Base with { Key = "kvp2", Seed = 20, Kvp = 80 }, new OodOptions { Ignored = new HashSet<string> { OodParameters.Kvp } });
        Assert.False(ignored.OutsideValidatedRange);
    }

    [Fact]
    public void Features_do_not_depend_on_the_order_instances_arrive_in()
    {
        var s = Base with { Key = "order", Seed = 21 };
        var forward = Features(s);
        var reader = new SeriesFeatureReader();
        foreach (var f in SyntheticSeries.Files(s).Reverse()) reader.Add(f, "reversed");
        var backward = reader.Finish();
        Assert.Equal(forward.Histogram, backward.Histogram);
        Assert.Equal(forward.Numeric, backward.Numeric);
        Assert.Equal(6, forward.Numeric[OodParameters.Slices].Min);
        Assert.Equal(2.0, forward.Numeric[OodParameters.VoxelSizeZ].Min, 9);
        Assert.Equal(12.0, forward.Numeric[OodParameters.ExtentZ].Min, 9);
        Assert.Equal(6L * 32 * 32, forward.Voxels);
        Assert.Equal(1, forward.Histogram!.Sum(), 12);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(Score(s)), System.Text.Json.JsonSerializer.Serialize(Score(s))); // deterministic
    }

    [Fact]
    public void A_study_is_read_on_its_profiles_bins_and_its_result_recorded_as_JSON()
    {
        HistogramSpec coarse = new(-1000, 1000, 20, "HU");
        TrainingProfile Coarse(params SeriesSpec[] specs) => TrainingProfile.Build(specs.Select(s =>
        {
            var reader = new SeriesFeatureReader(_ => coarse);
            foreach (var f in SyntheticSeries.Files(s)) reader.Add(f, s.Key);
            return reader.Finish();
        }), "test:coarse");
        var custom = Coarse(Base with { Key = "c1", Seed = 51 }, Base with { Key = "c2", Seed = 52 });
        Assert.Equal(20, custom.Modalities["CT"].MeanHistogram.Count);
        var study = Base with { Key = "c3", Seed = 53, Kvp = 140 };
        var r = OodScorer.Score(custom, SyntheticSeries.Files(study).Select((f, i) => (f, $"image {i + 1}")));
        Assert.True(r.OutsideValidatedRange);
        Assert.Equal(["kVp 140.0 kV is outside the training range 120.0 kV"], r.Reasons);
        var json = System.Text.Json.Nodes.JsonNode.Parse(OodScorer.ToJson(r))!;
        Assert.True((bool)json["outsideValidatedRange"]!);
        Assert.Equal("test:coarse", (string)json["profileSource"]!);
        // Features binned otherwise are refused, not compared bin by bin.
        var e = Assert.Throws<OodException>(() => OodScorer.Score(custom, Features(study)));
        Assert.Contains("read it with the profile's spec", e.Message);
    }

    [Fact]
    public void A_compressed_copy_has_the_features_of_the_original()
    {
        var s = Base with { Key = "rle", Seed = 61 };
        var rle = Mira.Dicom.TransferSyntax.Lookup("1.2.840.10008.1.2.5");
        var reader = new SeriesFeatureReader();
        foreach (var f in SyntheticSeries.Files(s))
        {
            var encoded = Mira.Dicom.Codecs.PixelDataTranscoder.Transcode(Mira.Dicom.Codecs.PixelData.Open(f), rle);
            var file = Mira.Dicom.IO.DicomFile.Read(Mira.Dicom.IO.DicomFileWriter.ToBytes(encoded, rle));
            Assert.Equal(rle, file.TransferSyntax);
            reader.Add(file, "rle");
        }
        var compressed = reader.Finish();
        var original = Features(s);
        Assert.Equal(original.Histogram, compressed.Histogram);
        Assert.Equal(original.Numeric, compressed.Numeric);
    }

    [Fact]
    public void Signed_stored_values_and_the_rescale_give_the_same_modality_units()
    {
        var s = Base with { Key = "signed", Seed = 71 };
        var hu = Features(s with { StoredAsHu = true });
        Assert.Equal(Features(s).Histogram, hu.Histogram);
        Assert.True(hu.Histogram![0] > 0.3, "air (−1000 HU, stored negative) is in the first bin");
    }

    [Fact]
    public void Keeps_nothing_of_an_instance_once_it_is_counted()
    {
        var reader = new SeriesFeatureReader();
        var read = AddAndForget(reader, Base with { Key = "memory", Seed = 81 });
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.All(read, w => Assert.False(w.IsAlive, "an instance (and its pixels) is still held by the reader"));
        Assert.Equal(6, reader.Finish().Images);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static List<WeakReference> AddAndForget(SeriesFeatureReader reader, SeriesSpec s)
    {
        var weak = new List<WeakReference>();
        foreach (var f in SyntheticSeries.Files(s))
        {
            reader.Add(f, s.Key);
            weak.Add(new WeakReference(f));
        }
        return weak;
    }

    [Fact]
    public void Refuses_a_series_mixed_with_another_series_instance()
    {
        var reader = new SeriesFeatureReader();
        reader.Add(SyntheticSeries.Files(Base with { Key = "x" })[0], "x 1");
        var e = Assert.Throws<OodException>(() => reader.Add(SyntheticSeries.Files(Base with { Key = "y" })[0], "y 1"));
        Assert.Contains("y 1: belongs to series", e.Message);
        Assert.Throws<OodException>(() => new SeriesFeatureReader().Finish());
    }
}
