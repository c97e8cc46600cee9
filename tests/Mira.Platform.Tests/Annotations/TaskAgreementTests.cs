using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Metrics;
using Mira.Metrics.Agreement;
using Mira.Platform.Annotations;

namespace Mira.Platform.Tests.Annotations;

/// <summary>Agreement of one case's reads and the consensus of agreeing reads, against the definitions computed here by hand.</summary>
public sealed class TaskAgreementTests
{
    static readonly Protocol Glioma = BuiltInProtocols.Find("glioma-brats")!;
    const int C = 12, R = 10, S = 4;

    /// <summary>A random BraTS label map (0 background, 1 NETC, 2 SNFH, 3 ET) with a lesion around a centre.</summary>
    static int[] LabelMap(int seed, int shift)
    {
        var rng = new Random(seed);
        var map = new int[C * R * S];
        for (var k = 0; k < S; k++)
            for (var r = 0; r < R; r++)
                for (var c = 0; c < C; c++)
                {
                    var d = Math.Abs(c - 6 - shift) + Math.Abs(r - 5) + Math.Abs(k - 2);
                    map[c + C * (r + R * k)] = d <= 1 ? 3 : d <= 2 ? 1 : d <= 4 ? 2 : rng.NextDouble() < 0.02 ? 2 : 0;
                }
        return map;
    }

    static AnnotationContent Read(int[] map) => AnnotationContent.Of(LabelMasks.FromLabelMap(C, R, S, map), [0.9, 0.9, 3]);

    /// <summary>Dice straight from the definition: 2|A ∩ B| / (|A| + |B|) over the voxels whose label is in the region.</summary>
    static double Dice(int[] a, int[] b, int[] region)
    {
        int na = a.Count(region.Contains), nb = b.Count(region.Contains), both = a.Zip(b).Count(p => region.Contains(p.First) && region.Contains(p.Second));
        return na + nb == 0 ? 1 : 2.0 * both / (na + nb);
    }

    [Fact]
    public void Dice_per_derived_region_is_the_pairwise_minimum_and_decides_arbitration()
    {
        int[][] maps = [LabelMap(1, 0), LabelMap(2, 1), LabelMap(3, 0)];
        var agreement = TaskAgreement.Compute(Glioma, [.. maps.Select(Read)]);
        Assert.Equal((AgreementStatistic.Dice, 0.75), (agreement.Statistic, agreement.Threshold));
        Assert.Equal(["ET", "TC", "WT"], agreement.Values.Keys);
        foreach (var (name, region) in new[] { ("ET", new[] { 3 }), ("TC", new[] { 1, 3 }), ("WT", new[] { 1, 2, 3 }) })
        {
            var expected = new[] { Dice(maps[0], maps[1], region), Dice(maps[0], maps[2], region), Dice(maps[1], maps[2], region) }.Min();
            Assert.Equal(expected, agreement.Values[name], 12);
        }
        Assert.Equal(agreement.Values.Values.Any(v => v < 0.75), agreement.Disagree);
        Assert.True(agreement.Disagree); // the shifted read's small ET overlaps the others' poorly
        Assert.DoesNotContain(TaskAgreement.Compute(Glioma, [Read(maps[0]), Read(maps[2])]).Values, v => v.Value < 0.75);
    }

    [Fact]
    public void The_consensus_of_three_readers_is_stapled_per_label_and_of_two_their_strict_majority()
    {
        int[][] maps = [LabelMap(1, 0), LabelMap(2, 1), LabelMap(3, 0)];
        var (consensus, method) = TaskAgreement.Consensus(Glioma, [.. maps.Select(Read)]);
        Assert.Equal("staple", method);
        foreach (var label in new[] { 1, 2, 3 })
        {
            var staple = Staple.Compute([.. maps.Select(m => new BinaryMask(C, R, S, [.. m.Select(v => v == label)]))]);
            Assert.Equal(staple.Consensus.Voxels, consensus.Masks![label]);
        }
        var (pair, pairMethod) = TaskAgreement.Consensus(Glioma, [Read(maps[0]), Read(maps[1])]);
        Assert.Equal("majority", pairMethod);
        Assert.Equal(maps[0].Zip(maps[1]).Select(p => p.First == 3 && p.Second == 3), pair.Masks![3]);
        var (same, sameMethod) = TaskAgreement.Consensus(Glioma, [Read(maps[0]), Read(maps[0])]);
        Assert.Equal("identical", sameMethod);
        Assert.True(same.Masks!.SameAs(LabelMasks.FromLabelMap(C, R, S, maps[0])));
    }

    [Fact]
    public void Stored_masks_read_back_voxel_for_voxel_with_their_spacing()
    {
        var read = Read(LabelMap(7, 2));
        var back = AnnotationContent.FromBytes(ContentKinds.Masks, read.ToBytes(), Glioma);
        Assert.True(back.Masks!.SameAs(read.Masks!));
        Assert.Equal([0.9, 0.9, 3], back.Spacing);
    }

    [Fact]
    public void A_gold_mask_score_is_the_mean_dice_over_the_workflow_targets()
    {
        int[] gold = LabelMap(1, 0), read = LabelMap(4, 1);
        var (metric, score) = AnnotationService.GoldScoreOf(Glioma, Read(gold), Read(read));
        Assert.Equal("dice", metric);
        var expected = (Dice(gold, read, [3]) + Dice(gold, read, [1, 3]) + Dice(gold, read, [1, 2, 3])) / 3;
        Assert.Equal(expected, score, 12);
    }

    [Fact]
    public void Unweighted_kappa_protocols_disagree_on_any_different_answer()
    {
        var tbs = BuiltInProtocols.Find("cervical-cytology-tbs")!;
        var field = tbs.FieldByName(tbs.Workflow.AppliesTo[0])!;
        FormAnswers Answer(string v) => FormAnswers.FromValues(new Dictionary<string, IReadOnlyList<string>> { [field.Name] = [v] }, tbs);
        var a = AnnotationContent.Of(Answer(field.Values[0].Value));
        var b = AnnotationContent.Of(Answer(field.Values[1].Value));
        Assert.False(TaskAgreement.Compute(tbs, [a, a]).Disagree);
        var different = TaskAgreement.Compute(tbs, [a, b]);
        Assert.True(different.Disagree);
        Assert.Equal(0, different.Values[field.Name]);
    }

    [Fact]
    public void Surface_dice_is_the_pairwise_minimum_of_the_normalised_surface_distance_at_the_workflow_tolerance()
    {
        var protocol = ProtocolReader.Read(Glioma.Json, new ProtocolWorkflow(AgreementStatistic.SurfaceDice, ["WT"], 0.9, ToleranceMm: 2));
        int[][] maps = [LabelMap(1, 0), LabelMap(2, 1), LabelMap(3, 2)];
        var agreement = TaskAgreement.Compute(protocol, [.. maps.Select(Read)]);
        BinaryMask Wt(int[] m) => new(C, R, S, [.. m.Select(v => v is 1 or 2 or 3)], 0.9, 0.9, 3);
        var expected = new[] { (0, 1), (0, 2), (1, 2) }.Min(p => SegmentationMetrics.Compute(Wt(maps[p.Item1]), Wt(maps[p.Item2]), 2).SurfaceDice);
        Assert.Equal(TaskAgreement.SurfaceDiceMeasure, agreement.Measure);
        Assert.Equal(expected, agreement.Values["WT"], 12);
        Assert.Equal(expected < 0.9, agreement.Disagree);
    }

    [Fact]
    public void Icc_protocols_compare_region_volumes_by_their_largest_relative_difference()
    {
        var protocol = ProtocolReader.Read(Glioma.Json, new ProtocolWorkflow(AgreementStatistic.Icc, ["regionVolume"], 0.2));
        int[][] maps = [LabelMap(1, 0), LabelMap(5, 0)];
        double Volume(int[] m, int[] labels) => m.Count(labels.Contains) * 0.9 * 0.9 * 3 / 1000;
        var regions = new[] { new[] { 3 }, [1, 3], [1, 2, 3], [1], [2] };
        var expected = regions.Max(l => Math.Abs(Volume(maps[0], l) - Volume(maps[1], l)) / ((Volume(maps[0], l) + Volume(maps[1], l)) / 2));
        var agreement = TaskAgreement.Compute(protocol, [.. maps.Select(Read)]);
        Assert.Equal(TaskAgreement.RelativeDifferenceMeasure, agreement.Measure);
        Assert.Equal(expected, agreement.Values["regionVolume"], 12);
        Assert.Equal(expected > 0.2, agreement.Disagree);
        Assert.False(TaskAgreement.Compute(protocol, [Read(maps[0]), Read(maps[0])]).Disagree);
    }
}
