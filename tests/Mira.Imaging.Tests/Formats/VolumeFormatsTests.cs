using System.IO.Compression;
using Mira.Imaging.Formats;
using Mira.Imaging.MetaImage;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Testing;

namespace Mira.Imaging.Tests.Formats;

/// <summary>Volume files are read in the format their content shows, whatever their names.</summary>
public sealed class VolumeFormatsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mira-formats-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Volume Sample()
    {
        var v = Volume.Create([5, 4, 3], VoxelType.Int16, VolumeGeometry.Identity(0.5, 0.75, 2));
        for (var i = 0; i < v.VoxelCount; i++) v.SetValue(i, i * 3 - 20);
        return v;
    }

    string Path(string name) => System.IO.Path.Combine(dir, name);

    /// <summary>Writes in one format, then renames the file to <paramref name="name"/>.</summary>
    string Renamed(string written, string name, Action<string> write)
    {
        write(Path(written));
        File.Move(Path(written), Path(name));
        return Path(name);
    }

    [Fact]
    public void A_NIfTI_file_named_mha_is_read_as_NIfTI()
    {
        var path = Renamed("v.nii", "v.mha", p => NiftiVolumes.WriteVolume(p, Sample()));
        var format = VolumeFormats.Default.Require(path);
        Assert.Equal("NIfTI-1", format.Name);
        var v = VolumeFormats.Default.Read(path);
        Assert.Equal(Sample().Data, v.Data);
        Assert.Equal(Sample().Size, v.Size);
    }

    [Fact]
    public void NIfTI_2_and_gzip_NIfTI_are_told_by_content()
    {
        var two = Renamed("v2.nii", "v2.img", p => NiftiVolumes.WriteVolume(p, Sample(), version: 2));
        Assert.Equal("NIfTI-2", VolumeFormats.Default.Require(two).Name);
        var gz = Renamed("g.nii.gz", "g.mhd", p => NiftiVolumes.WriteVolume(p, Sample()));
        var probe = VolumeProbe.FromPath(gz);
        Assert.True(probe.IsGzip);
        Assert.Equal("NIfTI-1", VolumeFormats.Default.Detect(probe)!.Name);
        Assert.Equal(Sample().Data, VolumeFormats.Default.Read(gz).Data);
    }

    [Fact]
    public void A_MetaImage_file_named_nii_is_read_as_MetaImage()
    {
        var path = Renamed("m.mha", "m.nii", p => MetaImageFile.Write(p, Sample()));
        Assert.IsType<MetaImageVolumeFormat>(VolumeFormats.Default.Require(path));
        Assert.Equal(Sample().Data, VolumeFormats.Default.Read(path).Data);
    }

    [Fact]
    public void DICOM_files_and_folders_are_told_by_content()
    {
        var source = Corpus.Get("dicom/transfer-syntax/dcm_qa_ts/1_explicit_le.dcm").FullPath;
        var renamed = Path("slices.nii");
        File.Copy(source, renamed);
        Assert.IsType<DicomVolumeFormat>(VolumeFormats.Default.Require(renamed));
        var folder = Directory.CreateDirectory(Path("series")).FullName;
        File.Copy(source, System.IO.Path.Combine(folder, "IM0001"));
        Assert.IsType<DicomVolumeFormat>(VolumeFormats.Default.Require(folder));
        var v = VolumeFormats.Default.Read(folder);
        Assert.Equal(DicomVolumeBuilder.FromPath(source)[0].Volume.Data, v.Data);
    }

    [Fact]
    public void An_unknown_file_is_refused_naming_it()
    {
        File.WriteAllText(Path("notes.nii"), "just some text, not a volume\n");
        var e = Assert.Throws<ImagingException>(() => VolumeFormats.Default.Read(Path("notes.nii")));
        Assert.StartsWith(Path("notes.nii") + ": not a volume file", e.Message);
        Assert.Contains("NIfTI-1", e.Message);
        Assert.Contains("MetaImage", e.Message);
        File.WriteAllBytes(Path("empty.mha"), []);
        Assert.Contains("empty.mha: not a volume file", Assert.Throws<ImagingException>(() => VolumeFormats.Default.Read(Path("empty.mha"))).Message);
        Assert.Contains("the file is empty", Assert.Throws<ImagingException>(() => VolumeFormats.Default.Read(Path("empty.mha"))).Message);
        Assert.Contains("missing.nii: no such file", Assert.Throws<ImagingException>(() => VolumeFormats.Default.Read(Path("missing.nii"))).Message);
    }

    [Fact]
    public void Gzip_of_something_else_is_not_NIfTI()
    {
        using (var f = File.Create(Path("text.nii.gz")))
        using (var gz = new GZipStream(f, CompressionLevel.Fastest))
            gz.Write("ObjectType = Image\nNDims = 3\n"u8);
        var e = Assert.Throws<ImagingException>(() => VolumeFormats.Default.Read(Path("text.nii.gz")));
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void An_ANALYZE_header_without_the_NIfTI_magic_is_not_NIfTI()
    {
        NiftiVolumes.WriteVolume(Path("a.nii"), Sample());
        var bytes = File.ReadAllBytes(Path("a.nii"));
        bytes[344] = 0; // magic "n+1" gone: an ANALYZE 7.5 header
        Assert.Null(VolumeFormats.Default.Detect(bytes));
    }

    [Fact]
    public void Bytes_and_streams_are_detected_without_a_name()
    {
        NiftiVolumes.WriteVolume(Path("b.nii"), Sample());
        var bytes = File.ReadAllBytes(Path("b.nii"));
        Assert.Equal("NIfTI-1", VolumeFormats.Default.Detect(bytes)!.Name);
        using var stream = new MemoryStream(bytes);
        Assert.Equal("NIfTI-1", VolumeFormats.Default.Detect(stream)!.Name);
        Assert.Equal(0, stream.Position); // a seekable stream is left where it was
        Assert.Null(VolumeFormats.Default.Detect("hello"u8));
    }

    sealed class PgmFormat : IVolumeFormat
    {
        public string Name => "PGM";
        public bool Probe(VolumeProbe probe) => probe.Content.Span.StartsWith("P5"u8);
        public Volume Read(string path, VolumeReadOptions options) => Volume.Create([1, 1, 1], VoxelType.UInt8);
    }

    [Fact]
    public void A_new_format_is_one_class_registered_in_its_own_registry()
    {
        File.WriteAllBytes(Path("x.mha"), "P5\n1 1\n255\n\0"u8.ToArray());
        var formats = VolumeFormats.CreateBuiltIn();
        formats.Register(new PgmFormat());
        Assert.Equal("PGM", formats.Require(Path("x.mha")).Name);
        Assert.Null(VolumeFormats.Default.Detect(Path("x.mha")));
        Assert.Equal(["PGM", "NIfTI-1", "NIfTI-2", "MetaImage", "DICOM"], formats.All.Select(f => f.Name));
    }
}
