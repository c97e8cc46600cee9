using Amazon.S3;
using Mira.Storage.Blobs;
using Mira.Testing;

namespace Mira.Storage.Tests.Blobs;

/// <summary>One s3rver for a test class; each test works under a prefix of its own.</summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public S3Server Server { get; private set; } = null!;
    public AmazonS3Client Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await S3Server.StartAsync();
        Client = Server.CreateClient();
    }

    /// <summary>A store on a fresh prefix of the fixture's bucket.</summary>
    public S3BlobStore NewStore(S3BlobStoreOptions? options = null, string? prefix = null) =>
        new(Client, S3BlobLocation.Parse($"s3://{Server.Bucket}/{prefix ?? "t-" + Guid.NewGuid().ToString("N")}"), options);

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
