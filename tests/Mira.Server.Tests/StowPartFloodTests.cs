using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Xunit.Abstractions;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// Issue 14 item 7 against a real <c>mira serve</c>: a STOW-RS request of a million empty parts is refused with 413
/// once it passes the part limit, without reading the rest, at a bounded cost and with a short answer; a study of
/// hundreds of instances in one request, and a request of exactly the limit, are still stored.
/// </summary>
public sealed class StowPartFloodTests(ITestOutputHelper log)
{
    static async Task WithServer(Func<ServeProcess, Task> test, params string[] extra)
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-flood-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data, extra);
            await test(server);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    static HttpContent Body(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [Fact]
    public Task A_million_empty_parts_are_refused_with_413_at_a_bounded_cost() => WithServer(async server =>
    {
        var (body, type) = AttackPayloads.EmptyParts(1_000_000);
        var before = PeakMemory.Reset(server);
        var clock = Stopwatch.StartNew();
        var response = await server.Http.PostAsync("/dicomweb/studies", Body(body, type));
        var answer = await response.Content.ReadAsByteArrayAsync();
        clock.Stop();
        var after = server.Usage();
        var growth = after.PeakResidentBytes - before.ResidentBytes;
        log.WriteLine($"{body.Length >> 20} MiB of 1,000,000 empty parts: {(int)response.StatusCode}, {answer.Length} bytes, "
                      + $"{clock.Elapsed.TotalSeconds:F1} s, memory +{growth >> 20} MiB; {System.Text.Encoding.UTF8.GetString(answer)}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("10000 parts", System.Text.Encoding.UTF8.GetString(answer));
        Assert.True(answer.Length < 64 << 10, $"a {answer.Length}-byte answer");
        Assert.True(growth < 100L << 20, $"memory grew by {growth >> 20} MiB");
        Assert.True(clock.Elapsed.TotalSeconds < 10, $"took {clock.Elapsed.TotalSeconds:F1} s");
    });

    [Fact]
    public Task A_study_of_three_hundred_instances_in_one_request_is_stored() => WithServer(async server =>
    {
        var (study, series) = (Uid(), Uid());
        var parts = Enumerable.Range(0, 300).Select(_ => Make(study, series, Uid())).ToArray();
        var response = await Stow(server.Http, "/dicomweb/studies", parts);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(300, (await Json(response))["00081199"]!["Value"]!.AsArray().Count);
    });

    [Fact]
    public Task A_request_of_exactly_the_part_limit_is_answered_part_by_part_and_one_more_is_413() => WithServer(async server =>
    {
        var (body, type) = AttackPayloads.EmptyParts(50);
        var atLimit = await server.Http.PostAsync("/dicomweb/studies", Body(body, type));
        Assert.Equal(HttpStatusCode.Conflict, atLimit.StatusCode); // every part refused as unreadable, each answered
        Assert.Equal(50, (await Json(atLimit))["00081198"]!["Value"]!.AsArray().Count);
        var (over, overType) = AttackPayloads.EmptyParts(51);
        var refused = await server.Http.PostAsync("/dicomweb/studies", Body(over, overType));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("50 parts", await refused.Content.ReadAsStringAsync());
    }, "--max-stow-parts", "50");
}
