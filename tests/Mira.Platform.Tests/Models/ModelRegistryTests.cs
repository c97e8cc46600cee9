using System.IO.Compression;
using Mira.Platform.Annotations;
using Mira.Platform.Security;
using Mira.Testing;

namespace Mira.Platform.Tests.Models;

/// <summary>The model registry over a real platform: checked packages, content-addressed storage, immutable versions, per-owner visibility.</summary>
public sealed class ModelRegistryTests : IAsyncLifetime
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-models-" + Guid.NewGuid().ToString("N")[..10]);
    MiraPlatform platform = null!;

    static readonly AnnotationActor Dev = new("dev", [Roles.Developer]);
    static readonly AnnotationActor OtherDev = new("dev2", [Roles.Developer]);
    static readonly AnnotationActor Steward = new("steward", [Roles.Steward]);
    static readonly AnnotationActor Annotator = new("ann", [Roles.Annotator]);

    static string Reference => Path.Combine(Corpus.RepositoryRoot, "models", "pet-suv41-baseline");

    public async Task InitializeAsync() =>
        platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = folder, Console = TextWriter.Null });

    public async Task DisposeAsync()
    {
        await platform.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    /// <summary>A zip of the reference package's files, optionally with the manifest changed.</summary>
    static MemoryStream Zip(Func<string, string>? editManifest = null, bool reverseOrder = false)
    {
        var m = new MemoryStream();
        using (var zip = new ZipArchive(m, ZipArchiveMode.Create, leaveOpen: true))
        {
            var files = Directory.GetFiles(Reference).Where(f => f.EndsWith(".json") || f.EndsWith(".onnx")).Order().ToList();
            if (reverseOrder) files.Reverse();
            foreach (var f in files)
            {
                var e = zip.CreateEntry(Path.GetFileName(f));
                using var s = e.Open();
                var bytes = File.ReadAllBytes(f);
                if (editManifest is not null && f.EndsWith("mira-model.json")) bytes = System.Text.Encoding.UTF8.GetBytes(editManifest(File.ReadAllText(f)));
                s.Write(bytes);
            }
        }
        m.Position = 0;
        return m;
    }

    [Fact]
    public async Task Stores_a_package_once_by_its_content_hash_whatever_the_zip_it_came_in()
    {
        var first = await platform.Models.PushAsync(Dev, Zip());
        Assert.True(first.Added);
        Assert.Equal(("pet-suv41-baseline", "1.0.0", "segmentation", "petct-tumour-metabolism"), (first.Model.Name, first.Model.Version, first.Model.Task, first.Model.Protocol));
        var again = await platform.Models.PushAsync(Dev, Zip(reverseOrder: true));
        Assert.False(again.Added);
        Assert.Equal(first.Model.Sha256, again.Model.Sha256);
        var stored = await platform.Models.OpenAsync(first.Model);
        Assert.Equal(first.Model.Sha256, stored.Sha256);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Reference, "model.onnx")), stored.OnnxBytes);
    }

    [Fact]
    public async Task Refuses_the_same_version_with_other_content_naming_it_and_keeps_the_first()
    {
        var first = await platform.Models.PushAsync(Dev, Zip());
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => platform.Models.PushAsync(Dev, Zip(j => j.Replace("Apache-2.0", "MIT"))));
        Assert.Equal(RefusalKind.Conflict, e.Kind);
        Assert.Contains("pet-suv41-baseline version 1.0.0 exists with another package", e.Message);
        var second = await platform.Models.PushAsync(Dev, Zip(j => j.Replace("\"version\": \"1.0.0\"", "\"version\": \"1.0.1\"").Replace("Apache-2.0", "MIT")));
        Assert.True(second.Added);
        Assert.Equal(first.Model.Sha256, (await platform.Models.GetAsync(Dev, "pet-suv41-baseline", "1.0.0")).Sha256);
    }

    [Fact]
    public async Task Refuses_an_invalid_manifest_naming_the_field_and_stores_nothing()
    {
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => platform.Models.PushAsync(Dev, Zip(j => j.Replace("\"task\": \"segmentation\"", "\"task\": \"painting\""))));
        Assert.Equal(RefusalKind.Invalid, e.Kind);
        Assert.Contains("/task", e.Message);
        Assert.Empty(await platform.Models.Store.ListAsync());
    }

    [Fact]
    public async Task Refuses_a_push_by_someone_who_is_not_a_developer()
    {
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => platform.Models.PushAsync(Annotator, Zip()));
        Assert.Equal(RefusalKind.Forbidden, e.Kind);
        Assert.Empty(await platform.Models.Store.ListAsync());
    }

    [Fact]
    public async Task Shows_developers_their_own_models_and_stewards_all()
    {
        await platform.Models.PushAsync(Dev, Zip());
        Assert.Single(await platform.Models.ListAsync(Dev));
        Assert.Empty(await platform.Models.ListAsync(OtherDev));
        Assert.Single(await platform.Models.ListAsync(Steward));
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => platform.Models.DownloadAsync(OtherDev, "pet-suv41-baseline", "1.0.0"));
        Assert.Equal(RefusalKind.NotFound, e.Kind);
        Assert.NotEmpty(await platform.Models.DownloadAsync(Steward, "pet-suv41-baseline", "1.0.0"));
    }
}
