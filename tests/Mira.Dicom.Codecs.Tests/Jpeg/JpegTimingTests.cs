using System.Diagnostics;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.IO;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Dicom.Codecs.Tests.Jpeg;

/// <summary>Decode times of a few corpus frames, printed for information (benchmarks proper live under bench/).</summary>
public class JpegTimingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("dicom/transfer-syntax/pylibjpeg-data/JPEGLossless_1s_1f_u_16_12.dcm")]
    [InlineData("dicom/modality/SC/deid_cookie_image1.dcm")]
    [InlineData("dicom/transfer-syntax/cornerstone/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm")]
    public void Decode_time_is_reported(string corpusPath)
    {
        var file = DicomFile.Open(Corpus.Get(corpusPath).FullPath);
        var format = PixelFormat.From(file.Dataset);
        var frame = file.Dataset.GetEncapsulatedFrames()![0];
        var codec = new JpegCodec();
        var dest = new byte[format.FrameLength];
        codec.Decode(frame.Span, format, dest);
        // CPU time of the process as well as wall time: the build machines are shared and often loaded.
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        const int runs = 5;
        for (var i = 0; i < runs; i++) codec.Decode(frame.Span, format, dest);
        var ms = sw.Elapsed.TotalMilliseconds / runs;
        process.Refresh();
        var cpuMs = (process.TotalProcessorTime - cpu0).TotalMilliseconds / runs;
        output.WriteLine($"{corpusPath}: {format.Columns}x{format.Rows}x{format.SamplesPerPixel}, {ms:F1} ms/frame wall, {cpuMs:F1} ms/frame CPU");
        Assert.True(ms > 0);
    }
}
