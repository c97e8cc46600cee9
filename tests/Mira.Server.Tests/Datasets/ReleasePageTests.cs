using System.Net;
using System.Net.Http.Json;
using static Mira.Server.Tests.Datasets.DatasetServer;

namespace Mira.Server.Tests.Datasets;

/// <summary>The release pages of the web workspace: the project's list, a release's datasheet, the sequestered gate.</summary>
public sealed class ReleasePageTests : IAsyncLifetime
{
    readonly DatasetServer s = new();
    public Task InitializeAsync() => s.InitializeAsync();
    public Task DisposeAsync() => s.DisposeAsync();

    [Fact]
    public async Task A_developer_sees_a_training_datasheet_and_only_the_existence_of_a_sequestered_release()
    {
        var series = await s.SeriesAsync();
        var pet = series.Single(x => x.Modality == "PT");
        var mr = series.Single(x => x.Modality == "MR");
        var train = (string)(await JsonOf(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/releases", Body("lung", series: new[] { mr.Series })), HttpStatusCode.Created))["id"]!;
        var vault = (string)(await JsonOf(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/releases", Body("vault", "sequestered", new[] { pet.Series })), HttpStatusCode.Created))["id"]!;

        var project = await (await s.As("dev").GetAsync($"/projects/{Project}")).Content.ReadAsStringAsync();
        Assert.Contains($"/projects/{Project}/releases/{train}", project);
        Assert.Contains($"data-release=\"{vault}\"", project);
        Assert.DoesNotContain($"/projects/{Project}/releases/{vault}", project);
        Assert.Contains(mr.Study, project);        // the project's studies list shows the open study…
        Assert.DoesNotContain(pet.Study, project); // …and not the sequestered one

        var page = Ok(await s.As("dev").GetAsync($"/projects/{Project}/releases/{train}"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("leakageCheck", html);
        Assert.Contains("case-0001", html);
        Assert.Contains($"/api/releases/{train}/download", html);
        Ok(await s.As("dev").GetAsync($"/projects/{Project}/releases/{vault}"), HttpStatusCode.Forbidden);
        Ok(await s.Steward.GetAsync($"/projects/{Project}/releases/{vault}"));
        Ok(await s.As("dev2").GetAsync($"/projects/{Project}/releases/{train}"), HttpStatusCode.NotFound);
    }
}
