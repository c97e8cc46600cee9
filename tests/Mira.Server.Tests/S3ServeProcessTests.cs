using System.Diagnostics;
using System.Net;
using Mira.Testing;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// <c>mira serve --blobs s3://… --s3-endpoint …</c> as a process, credentials in its environment as a deployment would
/// set them, against a real S3 protocol server (s3rver): STOW then WADO byte-identical, then <c>mira archive verify</c>
/// checks index and bucket.
/// </summary>
public sealed class S3ServeProcessTests
{
    [Fact]
    public async Task Serve_with_blobs_in_a_bucket_stores_over_stow_and_retrieves_byte_identical_and_verify_checks_the_bucket()
    {
        await using var s3 = await S3Server.StartAsync("mira-serve");
        var data = Directory.CreateTempSubdirectory("mira-s3-serve-").FullName;
        var blobs = new[] { "--blobs", $"s3://{s3.Bucket}/node-a", "--s3-endpoint", s3.Endpoint.ToString() };
        var environment = s3.Environment.ToDictionary(e => e.Key, e => (string?)e.Value);
        try
        {
            var (study, series) = (Uid(), Uid());
            var parts = Enumerable.Range(0, 3).Select(_ => Make(study, series, Uid())).ToArray();
            await using (var serve = await ServeProcess.StartAsync(data, environment, blobs))
            {
                Assert.Contains($"blobs in s3://{s3.Bucket}/node-a", serve.Output);
                var stored = await Stow(serve.Http, "/dicomweb/studies", parts);
                Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
                foreach (var part in parts)
                {
                    var sop = Mira.Dicom.IO.DicomFile.Read(part).Dataset.GetString(Mira.Dicom.DicomTags.SOPInstanceUID)!;
                    var url = $"/dicomweb/studies/{study}/series/{series}/instances/{sop}";
                    Assert.Equal(part, Assert.Single(await ReadParts(await serve.Http.GetAsync(url))));
                    var metadata = await serve.Http.GetAsync(url + "/metadata");
                    Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
                    Assert.Equal(sop, Value((await Json(metadata))[0], "00080018"));
                }
                // The objects are in the bucket, under the node's prefix; nothing under the data folder's blobs/.
                Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(s3.Folder, s3.Bucket, "node-a"), "*._S3rver_object", SearchOption.AllDirectories).Count());
                Assert.False(Directory.Exists(Path.Combine(data, "blobs")) && Directory.EnumerateFiles(Path.Combine(data, "blobs"), "*.dcm", SearchOption.AllDirectories).Any());
            }

            var (exit, output) = await RunMiraAsync(environment, ["archive", "verify", "--data", data, .. blobs]);
            Assert.True(exit == 0, output);
            Assert.Contains("instances indexed: 3", output);
            Assert.Contains("consistent", output);

            // A bad location is refused before anything is opened.
            var (badExit, refused) = await RunMiraAsync(environment, ["archive", "verify", "--data", data, "--blobs", "s3://Bad_Bucket", "--s3-endpoint", s3.Endpoint.ToString()]);
            Assert.Equal(2, badExit);
            Assert.Contains("is not a bucket name", refused);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    static async Task<(int Exit, string Output)> RunMiraAsync(IReadOnlyDictionary<string, string?> environment, string[] args)
    {
        var (exit, output, errors) = await MiraCli.RunAsync(environment, args);
        return (exit, output + errors);
    }
}
