using System.Text.Json;

namespace Mira.Metrics.Tests;

public class SegmentationReportTests
{
    static SegmentationResult TwoAgainstOne()
    {
        var a = new bool[27];
        var b = new bool[27];
        a[13] = a[14] = b[13] = true;
        return SegmentationMetrics.Compute(new BinaryMask(3, 3, 3, a), new BinaryMask(3, 3, 3, b));
    }

    [Fact]
    public void JsonHasEveryFieldAndRoundTrips()
    {
        var r = TwoAgainstOne();
        using var doc = JsonDocument.Parse(SegmentationReport.ToJson(r));
        var e = doc.RootElement;
        Assert.Equal(r.Dice, e.GetProperty("dice").GetDouble());
        Assert.Equal(r.Hd95PooledMm, e.GetProperty("hd95_pooled_mm").GetDouble());
        Assert.Equal(r.Hd95MaxOfDirectedMm, e.GetProperty("hd95_max_of_directed_mm").GetDouble());
        Assert.Equal(2, e.GetProperty("reference_voxels").GetInt64());
        Assert.Equal(SegmentationReport.Fields(r).Count, e.EnumerateObject().Count());
    }

    [Fact]
    public void UndefinedValuesAreJsonNullAndSpelledOutInText()
    {
        var empty = new BinaryMask(2, 2, 2, new bool[8]);
        var one = new BinaryMask(2, 2, 2, [true, false, false, false, false, false, false, false]);
        var r = SegmentationMetrics.Compute(empty, one);
        using var doc = JsonDocument.Parse(SegmentationReport.ToJson(r));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("hausdorff_mm").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("relative_volume_difference").ValueKind);
        var text = SegmentationReport.ToText(r);
        Assert.Contains("hausdorff_mm\tinf\n", text);
        Assert.Contains("relative_volume_difference\tnan\n", text);
        Assert.StartsWith("dice\t0\n", text);
    }
}
