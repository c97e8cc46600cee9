using Mira.Annotations.Reads;

namespace Mira.Annotations.Tests.Segmentation;

/// <summary>
/// Referenced Frame Number 1 on a single-frame source image (as OHIF 3.13's SEGs give it for every frame) names that
/// image (PS3.3 §10.3: the attribute is only required for multi-frame images); any other frame number of it does not.
/// </summary>
public sealed class ImageGridFrameReferenceTests : IDisposable
{
    readonly MrSeries series = new();

    public void Dispose() => series.Dispose();

    [Fact]
    public void Frame_1_of_a_single_frame_image_is_that_image_and_frame_2_is_nothing()
    {
        var grid = series.Grid;
        var uid = grid.Slices[3].SopInstanceUid;
        Assert.Equal(3, grid.SliceOf(uid));
        Assert.Equal(3, grid.SliceOf(uid, 1));
        Assert.Equal(-1, grid.SliceOf(uid, 2));
        Assert.Equal(-1, grid.SliceOf("2.25.1", 1));
    }
}
