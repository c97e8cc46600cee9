using System.Diagnostics;
using Mira.Dicom.Codecs.JpegLs;
using Mira.Dicom.IO;
using static Mira.Dicom.Codecs.Tests.JpegLs.JpegLsTestImages;

namespace Mira.Dicom.Codecs.Tests.JpegLs;

/// <summary>
/// Interoperability with dcmtk (dcmcjpls / dcmdjpls, which must be on the PATH): Mira's encoder read by dcmdjpls,
/// and dcmcjpls' output (every interleave mode, near-lossless, custom thresholds) read by Mira.
/// </summary>
public sealed class JpegLsDcmtkTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mira-jpegls-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static void Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} (dcmtk) is needed for this test and is not on the PATH", e);
        }
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(60_000))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish");
            }
            Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}{stdout.Result}");
        }
    }

    static DicomDataset Dataset(PixelFormat f)
    {
        static DicomElement Us(DicomTag tag, int v) => new(tag, DicomVR.US, BitConverter.GetBytes((ushort)v));
        var ds = new DicomDataset();
        ds.Set(DicomTags.SOPClassUID, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.7");
        ds.Set(DicomTags.SOPInstanceUID, DicomVR.UI, "2.25." + new UInt128((ulong)Random.Shared.NextInt64(), (ulong)Random.Shared.NextInt64()));
        ds.Set(DicomTags.Modality, DicomVR.CS, "OT");
        ds.Set(Us(DicomTags.SamplesPerPixel, f.SamplesPerPixel));
        ds.Set(DicomTags.PhotometricInterpretation, DicomVR.CS, f.PhotometricInterpretation);
        if (f.SamplesPerPixel > 1) ds.Set(Us(DicomTags.PlanarConfiguration, 0));
        if (f.NumberOfFrames > 1) ds.Set(DicomTags.NumberOfFrames, DicomVR.IS, f.NumberOfFrames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ds.Set(Us(DicomTags.Rows, f.Rows));
        ds.Set(Us(DicomTags.Columns, f.Columns));
        ds.Set(Us(DicomTags.BitsAllocated, f.BitsAllocated));
        ds.Set(Us(DicomTags.BitsStored, f.BitsStored));
        ds.Set(Us(DicomTags.HighBit, f.HighBit));
        ds.Set(Us(DicomTags.PixelRepresentation, f.PixelRepresentation));
        return ds;
    }

    string WriteNative(PixelFormat f, byte[] pixels, string name)
    {
        var ds = Dataset(f);
        var padded = pixels.Length % 2 == 0 ? pixels : [.. pixels, 0];
        ds.Set(new DicomElement(DicomTags.PixelData, f.BitsAllocated == 8 ? DicomVR.OB : DicomVR.OW, padded));
        var path = Path.Combine(dir, name);
        DicomFileWriter.Save(path, ds, TransferSyntax.ExplicitVRLittleEndian);
        return path;
    }

    string WriteEncapsulated(PixelFormat f, IReadOnlyList<byte[]> frames, string uid, string name)
    {
        var ds = Dataset(f);
        var offsets = new uint[frames.Count];
        uint at = 0;
        for (var i = 0; i < frames.Count; i++)
        {
            offsets[i] = at;
            at += (uint)frames[i].Length + 8;
        }
        ds.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, offsets, frames.Select(b => new DicomFragment(b))));
        var path = Path.Combine(dir, name);
        DicomFileWriter.Save(path, ds, TransferSyntax.Lookup(uid));
        return path;
    }

    static byte[] NativePixels(string path, long length)
    {
        var ds = DicomFile.Open(path).Dataset;
        var px = ds.Find(DicomTags.PixelData) ?? throw new InvalidOperationException("no Pixel Data in " + path);
        return px.Bytes.Span[..(int)length].ToArray();
    }

    public static TheoryData<string, int, int, int, int, int, JpegLsInterleaveMode, int, bool> MiraEncodes => new()
    {
        // name, width, height, samples, bits, NEAR, interleave, restart interval, preset thresholds.
        // Not here, because dcmdjpls 3.6.7 (CharLS 1.x) cannot read them: precision 2 to 5 bits ("unsupported
        // compression parameters") and restart markers ("does not support this JPEG-LS image"). The round-trip
        // properties cover them.
        { "mono8", 61, 37, 1, 8, 0, JpegLsInterleaveMode.None, 0, false },
        { "mono12", 64, 40, 1, 12, 0, JpegLsInterleaveMode.None, 0, false },
        { "mono16", 33, 29, 1, 16, 0, JpegLsInterleaveMode.None, 0, false },
        { "mono6", 20, 9, 1, 6, 0, JpegLsInterleaveMode.None, 0, false },
        { "mono7", 20, 9, 1, 7, 0, JpegLsInterleaveMode.None, 0, false },
        { "mono6-preset", 20, 9, 1, 6, 0, JpegLsInterleaveMode.None, 0, true },
        { "mono7-preset", 20, 9, 1, 7, 0, JpegLsInterleaveMode.None, 0, true },
        { "mono10-near3", 50, 31, 1, 10, 3, JpegLsInterleaveMode.None, 0, false },
        { "mono16-near7", 40, 20, 1, 16, 7, JpegLsInterleaveMode.None, 0, false },
        { "rgb-sample", 45, 23, 3, 8, 0, JpegLsInterleaveMode.Sample, 0, false },
        { "rgb-line", 45, 23, 3, 8, 0, JpegLsInterleaveMode.Line, 0, false },
        { "rgb-none", 45, 23, 3, 8, 0, JpegLsInterleaveMode.None, 0, false },
        { "rgb-sample-near2", 45, 23, 3, 8, 2, JpegLsInterleaveMode.Sample, 0, false },
        { "rgb16-sample", 19, 17, 3, 16, 0, JpegLsInterleaveMode.Sample, 0, false },
        { "mono12-preset", 64, 40, 1, 12, 0, JpegLsInterleaveMode.None, 0, true },
    };

    [Theory]
    [MemberData(nameof(MiraEncodes))]
    public void Mira_encoded_files_decode_with_dcmdjpls(string name, int width, int height, int samples, int bits, int near,
        JpegLsInterleaveMode ilv, int restart, bool preset)
    {
        var f = Format(width, height, samples, bits) with { NumberOfFrames = 3 };
        var options = new JpegLsOptions
        {
            NearLossless = near,
            Interleave = ilv,
            RestartInterval = restart,
            Preset = preset ? new JpegLsPresetParameters(0, 4, 9, 30, 40) : null,
        };
        var codec = new JpegLsCodec(options);
        var styles = new[] { Style.Mixed, Style.Smooth, Style.Noise };
        var sources = styles.Select((s, i) => Create(f, s, i + bits)).ToArray();
        var encoded = sources.Select(s => codec.Encode(s, f)).ToArray();
        var input = WriteEncapsulated(f, encoded, codec.EncodedTransferSyntaxUid, name + ".jls.dcm");
        var output = Path.Combine(dir, name + ".raw.dcm");
        Run("dcmdjpls", input, output);
        var theirs = NativePixels(output, f.FrameLength * 3);
        for (var i = 0; i < 3; i++)
        {
            var ours = new byte[f.FrameLength];
            codec.Decode(encoded[i], f, ours);
            var theirFrame = theirs.AsSpan((int)(i * f.FrameLength), (int)f.FrameLength).ToArray();
            Assert.Equal(ours, theirFrame);
            if (near == 0) Assert.Equal(sources[i], ours);
            else Assert.InRange(MaxAbsDifference(sources[i], ours, f), 0, near);
        }
    }

    public static TheoryData<string, string> DcmtkEncodes()
    {
        var images = new[] { "mono8", "mono12", "mono16", "signed16", "rgb8" };
        var optionSets = new[] { "", "+is", "+in", "+il", "+en", "+en +md 5", "+en +is +md 1", "+t1 5 +t2 11 +t3 40 +rs 32", "+pc" };
        var data = new TheoryData<string, string>();
        foreach (var img in images)
            foreach (var o in optionSets)
                if ((img == "rgb8" || !o.Contains("+i", StringComparison.Ordinal) || o == "+in")
                    && !(img == "signed16" && o.Contains("+en", StringComparison.Ordinal))) // dcmcjpls refuses signed near-lossless
                    data.Add(img, o);
        return data;
    }

    static (PixelFormat Format, byte[] Pixels) Image(string name) => name switch
    {
        "mono8" => Make(Format(57, 41, 1, 8)),
        "mono12" => Make(Format(64, 48, 1, 12)),
        "mono16" => Make(Format(37, 33, 1, 16)),
        "signed16" => Make(Format(40, 30, 1, 16, signed: true)),
        "rgb8" => Make(Format(48, 32, 3, 8)),
        _ => throw new ArgumentException(name),
    };

    static (PixelFormat, byte[]) Make(PixelFormat f) => (f, Create(f, Style.Mixed, f.BitsStored * 7 + f.SamplesPerPixel));

    [Theory]
    [MemberData(nameof(DcmtkEncodes))]
    public void Dcmcjpls_encoded_files_decode_with_Mira(string image, string dcmcjplsOptions)
    {
        var (f, pixels) = Image(image);
        var native = WriteNative(f, pixels, image + ".dcm");
        var jls = Path.Combine(dir, image + ".jls.dcm");
        Run("dcmcjpls", [.. dcmcjplsOptions.Split(' ', StringSplitOptions.RemoveEmptyEntries), native, jls]);
        var back = Path.Combine(dir, image + ".back.dcm");
        Run("dcmdjpls", jls, back);
        var reference = NativePixels(back, f.FrameLength);

        var file = DicomFile.Open(jls);
        var format = PixelFormat.From(file.Dataset);
        var frames = file.Dataset.GetEncapsulatedFrames()!;
        Assert.Single(frames);
        var ours = new byte[format.FrameLength];
        new JpegLsCodec().Decode(frames[0].Span, format, ours);
        Assert.Equal(reference, ours);
        var lossy = dcmcjplsOptions.Contains("+en", StringComparison.Ordinal);
        if (!lossy) Assert.Equal(pixels, ours);
    }
}
