using Mira.Conversion.Slides;
using Mira.Testing;

namespace Mira.Conversion.Tests.Slides;

[CollectionDefinition("slide-memory", DisableParallelization = true)]
public sealed class SlideMemoryCollection;

/// <summary>Run alone (no other test allocates meanwhile), so the managed heap measured is the conversion's.</summary>
[Collection("slide-memory")]
public sealed class SlideMemoryTests
{
    [Fact]
    public void Converting_the_10000_by_5000_zstd_level_keeps_the_managed_heap_bounded()
    {
        const long bound = 64L << 20;
        var source = Corpus.Get("wsi/large_image/yb10kx5k.zstd.tiff").FullPath;
        var baseLevel = new SlideConverter().Convert(source, SlideTestKit.Request()).First();
        var frames = (EncapsulatedFrames)baseLevel.Pixels;
        var decodedBytes = 10000L * 5000 * 3;
        var peak = 0L;
        var count = 0;
        foreach (var frame in frames.Frames)
        {
            Assert.True(frame.Length > 0);
            count++;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            peak = Math.Max(peak, GC.GetGCMemoryInfo().HeapSizeBytes);
        }
        Assert.Equal(50, count);
        Assert.True(peak < bound, $"the managed heap reached {peak >> 20} MiB converting a level of {decodedBytes >> 20} MiB decoded");
    }
}
