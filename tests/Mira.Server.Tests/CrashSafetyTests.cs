using System.Diagnostics;
using System.Net;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// Nothing acknowledged is lost: kill -9 the server while 500 instances are being stored, restart it, and every
/// instance a STOW response acknowledged comes back byte-identical; `mira archive verify` finds index and blobs consistent.
/// </summary>
public sealed class CrashSafetyTests
{
    [Fact]
    public async Task Every_acknowledged_instance_survives_a_kill_during_stow()
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-crash-" + Guid.NewGuid().ToString("N"));
        var study = Uid();
        var instances = Enumerable.Range(0, 500).Select(_ => (Series: "", Sop: Uid())).ToArray();
        var series = Uid();
        var bytes = instances.Select(i => Make(study, series, i.Sop)).ToArray();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<int>();
        try
        {
            await using (var server = await ServeProcess.StartAsync(data))
            {
                // Four clients send one instance per request; the server is killed once about half are acknowledged.
                var next = -1;
                async Task Client()
                {
                    while (true)
                    {
                        var i = Interlocked.Increment(ref next);
                        if (i >= bytes.Length) return;
                        try
                        {
                            var r = await server.Http.PostAsync("/dicomweb/studies", Multipart(bytes[i]));
                            if (r.StatusCode == HttpStatusCode.OK) acknowledged.Add(i);
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                        {
                            return; // the server is gone
                        }
                    }
                }
                var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(Client)).ToArray();
                var watch = Stopwatch.StartNew();
                while (acknowledged.Count < 250 && watch.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(5);
                await server.KillAsync();
                await Task.WhenAll(clients);
            }
            Assert.True(acknowledged.Count > 0, "nothing was acknowledged before the kill");

            await using (var restarted = await ServeProcess.StartAsync(data))
            {
                foreach (var i in acknowledged)
                {
                    var parts = await ReadParts(await restarted.Http.GetAsync($"/dicomweb/studies/{study}/series/{series}/instances/{instances[i].Sop}"));
                    Assert.Equal(bytes[i], Assert.Single(parts));
                }
            }

            var verify = RunMira("archive", "verify", "--data", data);
            Assert.True(verify.ExitCode == 0, verify.Output);
            Assert.Contains("consistent", verify.Output);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    static (int ExitCode, string Output) RunMira(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mira.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
