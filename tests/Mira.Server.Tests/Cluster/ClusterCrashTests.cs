using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Mira.Dicom.Network;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests.Cluster;

/// <summary>
/// Any node can die without losing an acknowledged instance: kill -9 of a node while 500 instances are being stored,
/// through the balancer (STOW-RS) and straight at the node (C-STORE); every instance its sender was told is stored
/// comes back byte-identical from the surviving node; after the killed node's restart (its recovery removes what its
/// interrupted batches left) <c>mira archive verify</c> finds index and objects consistent and the audit chain, written
/// by both nodes at once, verifies.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterCrashTests : IAsyncLifetime
{
    readonly MiraCluster cluster = new();

    public Task InitializeAsync() => cluster.InitializeAsync();

    public Task DisposeAsync() => cluster.DisposeAsync();

    [Fact]
    public async Task Every_acknowledged_instance_survives_a_node_killed_during_a_STOW_of_500_and_during_a_C_STORE_of_500()
    {
        // STOW-RS of 500 through haproxy: four clients, one instance per request; node 0 is killed halfway.
        var (study, series) = (Uid(), Uid());
        var stow = Enumerable.Range(0, 500).Select(_ => Uid()).Select(sop => (Sop: sop, Bytes: Make(study, series, sop))).ToArray();
        var acknowledged = new ConcurrentBag<int>();
        var next = -1;
        async Task Client()
        {
            while (Interlocked.Increment(ref next) is var i && i < stow.Length)
            {
                try
                {
                    var r = await cluster.Http.PostAsync("/dicomweb/studies", Multipart(stow[i].Bytes));
                    if (r.StatusCode == HttpStatusCode.OK) acknowledged.Add(i);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    // the request died with the node: not acknowledged, the client goes on with the next one
                }
            }
        }
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(Client)).ToArray();
        await WaitForAsync(() => acknowledged.Count >= 250);
        await cluster.Nodes[0].KillAsync();
        await Task.WhenAll(clients);
        Assert.InRange(acknowledged.Count, 251, 500);
        var survivor = cluster.Nodes[1];
        foreach (var i in acknowledged)
        {
            var parts = await ReadParts(await survivor.Http.GetAsync($"/dicomweb/studies/{study}/series/{series}/instances/{stow[i].Sop}"));
            Assert.Equal(stow[i].Bytes, Assert.Single(parts));
        }

        // C-STORE of 500 straight at node 1 (node 0 restarted first, back in the balancer); node 1 is killed halfway.
        await cluster.RestartAsync(0);
        var added = await cluster.MiraAsync(["ae", "add", "MODALITY", "--host", "127.0.0.1", "--port", "104", "--allow", "store", .. cluster.StorageArguments(0)]);
        Assert.True(added.ExitCode == 0, added.Output);
        await Task.Delay(TimeSpan.FromSeconds(3)); // both nodes refresh their AE tables every two seconds
        var folder = Directory.CreateTempSubdirectory("mira-cstore-").FullName;
        var (study2, series2) = (Uid(), Uid());
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 500; i++)
        {
            var sop = Uid();
            var path = Path.Combine(folder, sop + ".dcm");
            files[path] = Make(study2, series2, sop);
            await File.WriteAllBytesAsync(path, files[path]);
        }
        var stored = new ConcurrentBag<StoreScuResult>();
        var send = Task.Run(() => new StoreScu(new StoreScuOptions
        {
            Host = "127.0.0.1", Port = cluster.DimsePortOf(1), CalledAE = "MIRA", CallingAE = "MODALITY", Associations = 2,
        }).SendFilesAsync([.. files.Keys], r =>
        {
            if (r.IsSuccess) stored.Add(r);
            return ValueTask.CompletedTask;
        }));
        await WaitForAsync(() => stored.Count >= 250);
        await cluster.Nodes[1].KillAsync();
        try { await send; }
        catch (Exception e) when (e is Mira.Dicom.MiraException or IOException) { }
        Assert.InRange(stored.Count, 250, 499);
        survivor = cluster.Nodes[0];
        foreach (var r in stored)
        {
            var parts = await ReadParts(await survivor.Http.GetAsync($"/dicomweb/studies/{study2}/series/{series2}/instances/{r.SopInstanceUid}"));
            // C-STORE carries the data set; the file meta around it is the receiver's (PS3.10 §7.1): the data set is byte-identical.
            Assert.Equal(DataSetOf(files[r.Path]), DataSetOf(Assert.Single(parts)));
        }

        // The killed node comes back: its start-up recovery removes the objects of its interrupted batches.
        await cluster.RestartAsync(1);
        var verify = await cluster.MiraAsync(["archive", "verify", .. cluster.StorageArguments(1)]);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("consistent", verify.Output);
        var audit = await cluster.MiraAsync(["audit", "verify", .. cluster.StorageArguments(0)]);
        Assert.True(audit.ExitCode == 0, audit.Output);
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The data set of a Part 10 file: after the preamble, "DICM" and the File Meta group, whose length (0002,0000) gives.</summary>
    static byte[] DataSetOf(byte[] file)
    {
        Assert.Equal("DICM"u8.ToArray(), file[128..132]);
        var groupLength = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(140, 4));
        return file[(144 + groupLength)..];
    }

    static async Task WaitForAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(120), "the senders made no progress");
            await Task.Delay(5);
        }
    }
}
