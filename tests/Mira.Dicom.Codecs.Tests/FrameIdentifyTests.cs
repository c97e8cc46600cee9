using System.Globalization;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.Codecs.JpegLs;
using Mira.Dicom.Codecs.Rle;
using Mira.Dicom.IO;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Dicom.Codecs.Tests;

/// <summary><see cref="CodecRegistry.Identify"/>: frame headers read without decoding, against the corpus oracle and hand-made streams.</summary>
public sealed class FrameIdentifyTests(ITestOutputHelper output)
{
    static readonly string[] HeaderSyntaxes =
    [
        "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70",
        "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91",
        "1.2.840.10008.1.2.4.201", RleCodec.Uid,
    ];

    /// <summary>Corpus files whose headers contradict their data set or syntax, each with the problem expected (checked by hand).</summary>
    static readonly Dictionary<string, string> KnownProblems = new()
    {
        // JP2 files in Pixel Data (GDCM decodes them; PS3.5 §A.4.4 asks for the codestream alone).
        ["dicom/transfer-syntax/pylibjpeg-data/MAROTECH_CT_JP2Lossy.dcm"] = "is a JP2 file",
        ["dicom/edge/GDCMJ2K_TextGBR.dcm"] = "is a JP2 file",
    };

    /// <summary>Corpus files whose header cannot be read, with the refusal expected (as the OpenJPEG module refuses them).</summary>
    static readonly Dictionary<string, string> Unreadable = new()
    {
        // A sequence delimiter inside the codestream: pydicom decodes around it, GDCM refuses, SIZ is garbage.
        ["dicom/edge/JPEG2000-embedded-sequence-delimiter.dcm"] = "SIZ describes a 3722445056×1024 image",
    };

    /// <summary>Corpus files in a syntax whose frames have a header, that Mira reads and the oracle parsed (dcmtk or pydicom).</summary>
    static IEnumerable<string> HeaderFiles() =>
        Corpus.DicomFiles.Where(f => Corpus.Summary.TryGetValue(f.Path, out var row) && HeaderSyntaxes.Contains(row.TransferSyntax)
                                     && (row.DcmtkParses || row.PydicomParses) && int.TryParse(row["Rows"], CultureInfo.InvariantCulture, out _))
            .Select(f => f.Path);

    public static TheoryData<string> Paths() => [.. HeaderFiles()];

    static int Oracle(string path, string column) => int.Parse(Corpus.Summary[path][column], CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Paths))]
    public void The_first_frame_header_agrees_with_the_oracle(string path)
    {
        var pixels = PixelData.Open(DicomFile.Open(Corpus.Get(path).FullPath), CodecRegistry.CreateManaged());
        if (Unreadable.TryGetValue(path, out var refusal))
        {
            Assert.Contains(refusal, Assert.Throws<DicomCodecException>(() => pixels.IdentifyFrame(0)).Message);
            return;
        }
        var id = pixels.IdentifyFrame(0);
        output.WriteLine($"{path}: {id}");
        if (id.Width is not null) Assert.Equal(Oracle(path, "Columns"), id.Width);
        if (id.Height is not null) Assert.Equal(Oracle(path, "Rows"), id.Height);
        if (id.Components is not null) Assert.Equal(Oracle(path, "SamplesPerPixel"), id.Components);
        if (id.BitDepth is not null) Assert.InRange(id.BitDepth.Value, 1, Oracle(path, "BitsAllocated"));
        // The decoded array pydicom made has the header's rows and columns (its shape starts with them for one frame).
        if (PixelOracles.Get(path)?.Pydicom is { Shape: { } shape } && pixels.FrameCount == 1 && id.Width is not null)
            Assert.Equal([Oracle(path, "Rows"), Oracle(path, "Columns")], shape[..2]);
        if (KnownProblems.TryGetValue(path, out var problem)) Assert.Contains(problem, id.Problem);
        else Assert.Null(id.Problem);
    }

    [Fact]
    public void Every_header_syntax_of_the_corpus_is_identified()
    {
        var seen = HeaderFiles().Select(p => Corpus.Summary[p].TransferSyntax).ToHashSet();
        Assert.Superset(seen, HeaderSyntaxes.ToHashSet());
    }

    [Fact]
    public void A_JPEG_2000_header_is_read_without_the_OpenJPEG_module()
    {
        var registry = CodecRegistry.CreateManaged();
        var path = HeaderFiles().First(p => Corpus.Summary[p].TransferSyntax == "1.2.840.10008.1.2.4.90");
        var pixels = PixelData.Open(DicomFile.Open(Corpus.Get(path).FullPath), registry);
        Assert.Null(registry.Find("1.2.840.10008.1.2.4.90"));
        var id = pixels.IdentifyFrame(0);
        Assert.StartsWith("JPEG 2000 codestream", id.Encoding);
        Assert.True(id.IsLossless);
    }

    static PixelFormat Gray(int columns, int rows, int bits) => new(rows, columns, 1, bits <= 8 ? 8 : 16, bits, bits - 1, 0, 0, "MONOCHROME2", 1);

    static byte[] Ramp(PixelFormat f)
    {
        var frame = new byte[f.FrameLength];
        for (var i = 0; i < frame.Length; i++) frame[i] = (byte)(i * 7 % (f.BitsStored >= 8 ? 256 : 1 << f.BitsStored));
        return frame;
    }

    [Fact]
    public void A_lossless_JPEG_header_gives_size_precision_and_predictor()
    {
        var f = Gray(13, 7, 12);
        var id = CodecRegistry.Default.Identify(new JpegCodec().Encode(Ramp(f), f), TransferSyntax.Lookup(JpegCodec.LosslessSV1), f);
        Assert.Equal((13, 7, 1, 12, true), (id.Width, id.Height, id.Components, id.BitDepth, id.IsLossless));
        Assert.Equal("JPEG lossless (SOF3), predictor 1", id.Encoding);
        Assert.Null(id.Problem);
    }

    [Fact]
    public void A_lossless_stream_under_the_baseline_syntax_is_a_problem()
    {
        var f = Gray(8, 8, 8);
        var id = CodecRegistry.Default.Identify(new JpegCodec().Encode(Ramp(f), f), TransferSyntax.Lookup(JpegCodec.Baseline), f);
        Assert.Contains("JPEG lossless (SOF3)", id.Problem);
        Assert.Contains("process 1", id.Problem);
    }

    [Fact]
    public void A_header_that_contradicts_the_data_set_names_both()
    {
        var f = Gray(13, 7, 8);
        var wrong = f with { Rows = 9, Columns = 11, SamplesPerPixel = 3 };
        var id = CodecRegistry.Default.Identify(new JpegCodec().Encode(Ramp(f), f), TransferSyntax.Lookup(JpegCodec.Lossless), wrong);
        Assert.Contains("the header says 13×7, the data set 11 columns × 9 rows", id.Problem);
        Assert.Contains("1 component(s), the data set 3 sample(s) per pixel", id.Problem);
        Assert.Null(CodecRegistry.Default.Identify(new JpegCodec().Encode(Ramp(f), f), TransferSyntax.Lookup(JpegCodec.Lossless)).Problem);
    }

    [Fact]
    public void A_near_lossless_JPEG_LS_stream_is_lossy_and_refused_by_the_lossless_syntax()
    {
        var f = Gray(16, 5, 10);
        var near = new JpegLsCodec(JpegLsOptions.Default with { NearLossless = 2 }).Encode(Ramp(f), f);
        var asNear = CodecRegistry.Default.Identify(near, TransferSyntax.Lookup(JpegLsCodec.NearLosslessUid), f);
        Assert.Equal(("JPEG-LS (SOF55), NEAR 2", 16, 5, 10, false), (asNear.Encoding, asNear.Width, asNear.Height, asNear.BitDepth, asNear.IsLossless));
        Assert.Null(asNear.Problem);
        Assert.Contains("lossy", CodecRegistry.Default.Identify(near, TransferSyntax.Lookup(JpegLsCodec.LosslessUid), f).Problem);
        Assert.True(CodecRegistry.Default.Identify(new JpegLsCodec().Encode(Ramp(f), f), TransferSyntax.Lookup(JpegLsCodec.LosslessUid), f).IsLossless);
    }

    [Fact]
    public void A_stream_of_another_family_is_recognised_by_its_content()
    {
        var f = Gray(8, 8, 8);
        var id = CodecRegistry.Default.Identify(new JpegLsCodec().Encode(Ramp(f), f), TransferSyntax.Lookup(JpegCodec.Baseline), f);
        Assert.StartsWith("JPEG-LS (SOF55)", id.Encoding);
        Assert.Contains("in Pixel Data of transfer syntax 1.2.840.10008.1.2.4.50", id.Problem);
    }

    [Fact]
    public void An_RLE_header_gives_its_segments_and_is_checked_against_the_samples()
    {
        var f = Gray(6, 4, 16);
        var encoded = new RleCodec().Encode(Ramp(f), f);
        var id = CodecRegistry.Default.Identify(encoded, TransferSyntax.Lookup(RleCodec.Uid), f);
        Assert.Equal((2, true, (int?)null), (id.Segments!.Value, id.IsLossless, id.Width));
        Assert.Null(id.Problem);
        var rgb = f with { SamplesPerPixel = 3, PhotometricInterpretation = "RGB" };
        Assert.Contains("declares 2 segment(s); 3 sample(s) of 16 bits need 6", CodecRegistry.Default.Identify(encoded, TransferSyntax.Lookup(RleCodec.Uid), rgb).Problem);
    }

    [Fact]
    public void Unreadable_headers_and_headerless_syntaxes_are_refused()
    {
        var registry = CodecRegistry.Default;
        Assert.Throws<DicomCodecException>(() => registry.Identify(new byte[10], TransferSyntax.Lookup(RleCodec.Uid)));
        Assert.Throws<DicomCodecException>(() => registry.Identify([0xFF, 0xD8, 0xFF, 0xD9], TransferSyntax.Lookup(JpegCodec.Baseline)));
        Assert.Contains("neither a JPEG", Assert.Throws<DicomCodecException>(() => registry.Identify([1, 2, 3, 4], TransferSyntax.Lookup(JpegCodec.Baseline))).Message);
        Assert.Contains("native", Assert.Throws<DicomCodecException>(() => registry.Identify([1, 2], TransferSyntax.ExplicitVRLittleEndian)).Message);
        Assert.Contains("no frame header", Assert.Throws<DicomCodecException>(() => registry.Identify([1, 2], TransferSyntax.Lookup("1.2.840.10008.1.2.8.1"))).Message);
    }
}
