using Mira.Metrics.Classification;
using Mira.Metrics.Detection;

namespace Mira.Metrics.Tests;

/// <summary>FROC (CAMELYON16 score) and detection AP at IoU thresholds on hand-computed cases.</summary>
public class DetectionTests
{
    [Fact]
    public void FrocCamelyonScoreByHand()
    {
        // Image 1: lesions 0 and 1; image 2: lesion 0 (hit twice); 3 lesions, 2 images. In descending score the
        // points are (FP/image, sensitivity): 0.95 → (0, 1/3), 0.9 → (0.5, 1/3), 0.8 → (0.5, 2/3), 0.7 → (1, 2/3),
        // 0.6 → (1, 1), 0.3 → (1.5, 1), 0.2 → (2, 1) (0.5 only re-hits a found lesion: no point). At ¼: last point ≤ ¼ is (0, 1/3), towards
        // (0.5, 1/3): 1/3. At ½: (0.5, 2/3) towards (1, 2/3): 2/3. At 1, 2, 4, 8: 1. Score (1/3 + 2/3 + 4)/6 = 5/6.
        FrocImage[] images =
        [
            new(2, [new(0.9, null), new(0.8, 0), new(0.6, 1), new(0.3, null)]),
            new(1, [new(0.95, 0), new(0.7, null), new(0.5, 0), new(0.2, null)]),
        ];
        var r = Froc.Compute(images);
        Assert.Equal(8, r.Curve.Count); // (0, 0) and 7 thresholds
        Assert.Equal([1.0 / 3, 2.0 / 3, 1, 1, 1, 1], r.Sensitivities);
        Assert.Equal(5.0 / 6, r.AverageSensitivity, 15);
        Assert.Equal(new FrocPoint(0.8, 0.5, 2.0 / 3), r.Curve[3]);
    }

    [Fact]
    public void FrocInterpolatesAlongATiedStep()
    {
        // A lesion hit and a false positive at the same score: the curve goes (0, 0) → (1, 1) in one step, so the
        // sensitivity at ¼ and ½ FP/image is interpolated: (¼ + ½ + 1 + 1 + 1 + 1)/6. An ignored candidate counts neither way,
        // and a lesion-free image with a false positive halves the FP rate.
        var one = Froc.Compute([new FrocImage(1, [new(0.9, 0), new(0.9, null), new(0.95, null, Ignored: true)])]);
        Assert.Equal([0.25, 0.5, 1, 1, 1, 1], one.Sensitivities);
        Assert.Equal(4.75 / 6, one.AverageSensitivity, 15);
        var two = Froc.Compute([new FrocImage(1, [new(0.9, 0), new(0.9, null)]), new FrocImage(0, [])]);
        Assert.Equal([0.5, 1, 1, 1, 1, 1], two.Sensitivities);
    }

    static Box B(double x0, double y0, double x1, double y1) => new([x0, y0], [x1, y1]);

    [Fact]
    public void ApAtIouThresholdsByHand()
    {
        // Image 1: G1, G2; A = G1 (IoU 1), B overlaps the taken G1 (0.82), C covers half of G2 (IoU 0.5).
        // Image 2: G3; D covers 3/4 of it (IoU 0.75), E touches nothing.
        DetectionImage[] images =
        [
            new([B(0, 0, 10, 10), B(20, 20, 30, 30)], [new(B(0, 0, 10, 10), 0.9), new(B(1, 0, 11, 10), 0.8), new(B(20, 20, 30, 25), 0.7)]),
            new([B(0, 0, 4, 4)], [new(B(0, 0, 4, 3), 0.6), new(B(50, 50, 60, 60), 0.95)]),
        ];
        // IoU ≥ 0.5, ranked E✗ A✓ B✗ C✓ D✓, 3 references: AP = ⅓·½ + ⅓·2/4 + ⅓·3/5 = 8/15.
        var at50 = DetectionAp.Compute(images, 0.5);
        Assert.Equal(8.0 / 15, at50.AveragePrecision, 15);
        Assert.Equal((3, 2, 3), (at50.TruePositives, at50.FalsePositives, at50.References));
        // IoU ≥ 0.75: C misses; AP = ⅓·½ + ⅓·2/5 = 0.3.
        var at75 = DetectionAp.Compute(images, 0.75);
        Assert.Equal(0.3, at75.AveragePrecision, 15);
        var (_, mean) = DetectionAp.Compute(images, [0.5, 0.75]);
        Assert.Equal((8.0 / 15 + 0.3) / 2, mean, 15);
        // With every reference found, detection AP is the classification AP of the hit flags; with some missed it is
        // scaled by found/all (recall's denominator).
        Assert.Equal(AveragePrecision.Compute([0, 1, 0, 1, 1], [0.95, 0.9, 0.8, 0.7, 0.6]), at50.AveragePrecision, 15);
        Assert.Equal(AveragePrecision.Compute([0, 1, 0, 0, 1], [0.95, 0.9, 0.8, 0.7, 0.6]) * 2 / 3, at75.AveragePrecision, 15);
    }

    [Fact]
    public void IoUOf3DBoxes()
    {
        var a = new Box([0, 0, 0], [2, 2, 2]);
        var b = new Box([1, 1, 1], [3, 3, 3]);
        Assert.Equal(1.0 / 15, a.IoU(b), 15); // 1 / (8 + 8 − 1)
        Assert.Equal(0, a.IoU(new Box([5, 5, 5], [6, 6, 6])));
    }
}
