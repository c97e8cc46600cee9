using Mira.Conversion.Slides;
using Mira.Testing;

namespace Mira.Conversion.Tests.Slides;

[CollectionDefinition("slide-memory", DisableParallelization = true)]
public sealed class SlideMemoryCollection;

/// <summary>
/// Run alone (no other test allocates meanwhile), and measured from the heap this process already held before the
/// conversion (what earlier test classes keep, e.g. static caches, is not the conversion's).
/// </summary>
[Collection("slide-memory")]
public sealed class SlideMemoryTests
{
    [Fact]
    public void Converting_the_10000_by_5000_zstd_level_keeps_the_managed_heap_bounded()
    {
        const long bound = 64L << 20;
        var source = Corpus.Get("wsi/large_image/yb10kx5k.zstd.tiff").FullPath;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetGCMemoryInfo().HeapSizeBytes;
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
            peak = Math.Max(peak, GC.GetGCMemoryInfo().HeapSizeBytes - before);
        }
        Assert.Equal(50, count);
        Assert.True(peak < bound, $"the managed heap grew by {peak >> 20} MiB converting a level of {decodedBytes >> 20} MiB decoded");
    }
}
