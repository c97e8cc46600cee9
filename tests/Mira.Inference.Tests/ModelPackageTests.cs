using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Mira.Inference.Packages;
using Mira.Inference.Tests.Fixtures;

namespace Mira.Inference.Tests;

public class ModelPackageTests
{
    static readonly byte[] Onnx = Encoding.ASCII.GetBytes("not parsed by the package reader");

    static MemoryStream Zip(params (string Name, byte[] Content)[] entries)
    {
        var m = new MemoryStream();
        using (var z = new ZipArchive(m, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var s = z.CreateEntry(name, CompressionLevel.Optimal).Open();
                s.Write(content);
            }
        m.Position = 0;
        return m;
    }

    static (string, byte[]) ManifestEntry() => ("mira-model.json", Encoding.UTF8.GetBytes(TestPackages.Manifest()));

    [Fact]
    public void A_folder_and_a_zip_of_the_same_files_have_the_same_hash()
    {
        var notes = ("README.md", Encoding.UTF8.GetBytes("notes"));
        var folder = TestPackages.Folder(TestPackages.Manifest(), Onnx, notes);
        var fromFolder = ModelPackage.Open(folder);
        var zipPath = Path.Combine(Path.GetTempPath(), $"mira-{Guid.NewGuid():N}.zip");
        using (var zip = Zip(notes, ("model.onnx", Onnx), ManifestEntry())) File.WriteAllBytes(zipPath, zip.ToArray());
        var fromZip = ModelPackage.Open(zipPath);
        Assert.Equal(fromFolder.Sha256, fromZip.Sha256);
        Assert.Equal(["README.md", "mira-model.json", "model.onnx"], fromZip.Files.Select(f => f.Name));
        Assert.Equal(Onnx, fromZip.OnnxBytes);
        Assert.Equal("test-model", fromZip.Manifest.Name);
    }

    [Fact]
    public void The_hash_is_sha256_of_the_sorted_sha256sum_listing()
    {
        var package = ModelPackage.Open(TestPackages.Folder(TestPackages.Manifest(), Onnx));
        var manifest = Encoding.UTF8.GetBytes(TestPackages.Manifest());
        string Hex(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));
        var listing = $"{Hex(manifest)}  mira-model.json\n{Hex(Onnx)}  model.onnx\n";
        Assert.Equal(Hex(Encoding.UTF8.GetBytes(listing)), package.Sha256);
    }

    [Fact]
    public void A_changed_byte_changes_the_hash()
    {
        var a = ModelPackage.Open(TestPackages.Folder(TestPackages.Manifest(), Onnx)).Sha256;
        var b = ModelPackage.Open(TestPackages.Folder(TestPackages.Manifest(), [.. Onnx, 0])).Sha256;
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Refuses_a_zip_bomb_before_it_fills_memory()
    {
        var bomb = new byte[64 << 20]; // zeros: compresses about a thousandfold
        using var zip = Zip(ManifestEntry(), ("model.onnx", bomb));
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Read(zip));
        Assert.Contains("zip bomb", e.Message);
    }

    [Fact]
    public void Refuses_entries_that_decompress_past_the_package_limit()
    {
        using var zip = Zip(ManifestEntry(), ("model.onnx", RandomNumberGenerator.GetBytes(4096)));
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Read(zip, new ModelPackageLimits { MaxPackageBytes = 4000 }));
        Assert.Contains("4000", e.Message);
    }

    sealed class Unseekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void Reads_an_unseekable_upload_stream_within_the_limit_and_refuses_one_past_it()
    {
        using var zip = Zip(ManifestEntry(), ("model.onnx", Onnx));
        var size = zip.Length;
        Assert.Equal("test-model", ModelPackage.Read(new Unseekable(zip)).Manifest.Name);
        zip.Position = 0;
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Read(new Unseekable(zip), new ModelPackageLimits { MaxPackageBytes = size - 1 }));
        Assert.Contains($"limit of {size - 1} bytes", e.Message);
    }

    [Theory]
    [InlineData("../model.onnx")]
    [InlineData("/etc/model.onnx")]
    [InlineData("sub/model.onnx")]
    [InlineData("..\\model.onnx")]
    public void Refuses_path_traversal_and_sub_folders_in_a_zip(string name)
    {
        using var zip = Zip(ManifestEntry(), (name, Onnx));
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Read(zip));
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Refuses_a_folder_with_a_sub_folder()
    {
        var folder = TestPackages.Folder(TestPackages.Manifest(), Onnx);
        Directory.CreateDirectory(Path.Combine(folder, "weights"));
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(folder));
        Assert.Contains("'weights'", e.Message);
    }

    [Fact]
    public void Refuses_more_entries_than_the_limit()
    {
        using var zip = Zip([ManifestEntry(), ("model.onnx", Onnx), .. Enumerable.Range(0, 5).Select(i => ($"n{i}.txt", new byte[1]))]);
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Read(zip, new ModelPackageLimits { MaxEntries = 4 }));
        Assert.Contains("7 entries, more than the limit of 4", e.Message);
    }

    [Fact]
    public void Refuses_a_package_without_its_model_or_with_a_bad_manifest()
    {
        using var noModel = Zip(ManifestEntry());
        Assert.Contains("no model.onnx", Assert.Throws<ModelPackageException>(() => ModelPackage.Read(noModel)).Message);
        using var badManifest = Zip(("mira-model.json", Encoding.UTF8.GetBytes("{}")), ("model.onnx", Onnx));
        Assert.Contains("mira-model.schema.json", Assert.Throws<ModelPackageException>(() => ModelPackage.Read(badManifest)).Message);
        using var notZip = new MemoryStream(Encoding.ASCII.GetBytes("plain text"));
        Assert.Contains("not a zip", Assert.Throws<ModelPackageException>(() => ModelPackage.Read(notZip)).Message);
    }
}
