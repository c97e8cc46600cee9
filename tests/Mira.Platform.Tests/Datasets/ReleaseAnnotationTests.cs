using System.Text;
using System.Text.Json.Nodes;
using Mira.Platform.Annotations;
using Mira.Platform.Datasets;

namespace Mira.Platform.Tests.Datasets;

/// <summary>A release takes each case's consensus version: its grade becomes the case's field, its content hash part of the id.</summary>
public sealed class ReleaseAnnotationTests : IAsyncLifetime
{
    readonly DatasetPlatform f = new();
    public Task InitializeAsync() => f.InitializeAsync();
    public Task DisposeAsync() => f.DisposeAsync();

    static AnnotationActor Steward => new("steward", [Roles.Steward]);
    static AnnotationActor P(string name) => new(name, [Roles.Annotator]);
    static ReadBody Form(int grade) =>
        new("application/json", Encoding.UTF8.GetBytes($$"""{"laterality": "R", "gradability": "gradable", "icdrDr": {{grade}}}"""));

    async Task<long> GradedTaskAsync(string study, int grade)
    {
        var annotations = f.Platform.Annotations;
        var id = await annotations.CreateTaskAsync(Steward, DatasetPlatform.ProjectId,
            new TaskRequest(study, null, null, "fundus-dr-multidisease", ["alice", "bob"], "carol", "dave"));
        await annotations.SubmitReadAsync(P("alice"), id, Form(grade));
        Assert.Equal(TaskStates.Review, (await annotations.SubmitReadAsync(P("bob"), id, Form(grade))).State);
        Assert.Equal(TaskStates.Done, await annotations.ReviewAsync(P("carol"), id, true, null, null));
        return id;
    }

    [Fact]
    public async Task All_annotated_takes_the_consensus_grade_of_each_case_and_lists_the_readers_in_the_datasheet()
    {
        foreach (var p in new[] { "alice", "bob", "carol", "dave" })
        {
            await f.Platform.Accounts.CreateUserAsync(p, "password-123456", [Roles.Annotator]);
            await f.Platform.Projects.Store.SetMemberAsync(DatasetPlatform.ProjectId, p, "member");
        }
        await f.Platform.Annotations.SetAnnotatorAsync(Steward, "alice", System.Text.Json.JsonSerializer.SerializeToElement(new { title = "attending radiologist", yearsOfExperience = 12 }));
        await f.Platform.Annotations.AttachProtocolAsync(Steward, DatasetPlatform.ProjectId, "fundus-dr-multidisease", null);
        var series = await f.SeriesAsync();
        var mr = series.Single(s => s.Modality == "MR");
        var task = await GradedTaskAsync(mr.Study, 3);

        var request = DatasetPlatform.Request("graded", annotations: "consensus") with { GradeField = "icdrDr" };
        var release = await f.Service.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, request);
        var only = Assert.Single(release.Cases); // "all annotated": the one series with a consensus
        Assert.Equal(mr.Series, only.SeriesInstanceUid);
        Assert.Equal("3", only.Field(CaseFields.Grade));
        Assert.Equal((task, "consensus", ContentKinds.Form), (only.Annotation!.Task, only.Annotation.Role, only.Annotation.Kind));
        var sheet = JsonNode.Parse(release.DatasheetJson)!;
        Assert.Equal(1, (int)sheet["distributions"]!["grade"]!["all"]!["3"]!);
        Assert.Equal("fundus-dr-multidisease", (string)sheet["annotation"]!["protocols"]![0]!["id"]!);
        Assert.Equal(["alice", "bob"], sheet["annotation"]!["annotatorQualifications"]!.AsArray().Select(a => (string)a!["user"]!).Order());
        Assert.Equal(12, (int)sheet["annotation"]!["annotatorQualifications"]![0]!["yearsOfExperience"]!);
        Assert.Equal("none kept", (string)sheet["annotation"]!["annotatorQualifications"]![1]!["record"]!);
        Assert.Single(sheet["annotation"]!["interReaderAgreement"]!.AsArray());

        // Another consensus (a new task with another grade) is another annotation content, so another id.
        var before = (await f.Service.PlanAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, request with { Name = "again" })).Release;
        await GradedTaskAsync(mr.Study, 1);
        var after = (await f.Service.PlanAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, request with { Name = "again" })).Release;
        Assert.Equal("1", Assert.Single(after.Cases).Field(CaseFields.Grade));
        Assert.NotEqual(before.Id, after.Id);

        var folder = Path.Combine(f.DataFolder, "graded");
        await f.Service.MaterialiseForEvaluationAsync(release.Id, folder, "evaluation:t");
        Assert.EndsWith("\t3", File.ReadAllLines(Path.Combine(folder, "cases.tsv"))[1]);
    }
}
