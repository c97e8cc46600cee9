using Mira.Platform.Annotations;
using Mira.Platform.Audit;

namespace Mira.Platform.Tests.Annotations;

/// <summary>The task state machine on a grading protocol (fundus ICDR, weighted kappa, threshold 0 steps): roles, blind reads, agreement, arbitration, review, audit.</summary>
public abstract class AnnotationWorkflowSuite(AnnotationPlatform fixture)
{
    AnnotationService Service => fixture.Service;
    static AnnotationActor P(string name) => AnnotationPlatform.Person(name);

    async Task<int> TaskCountAsync() => (await Service.ProjectTasksAsync(AnnotationPlatform.Steward, AnnotationPlatform.ProjectId, null)).Count;

    [Theory]
    [InlineData(new[] { "alice", "alice" }, "bob", "carol", "listed 2 times as an annotator")]
    [InlineData(new[] { "alice", "bob" }, "alice", "carol", "cannot be both annotator and reviewer")]
    [InlineData(new[] { "alice", "bob" }, "carol", "bob", "cannot be both annotator and arbitrator")]
    [InlineData(new[] { "alice", "bob" }, "carol", "carol", "cannot be both reviewer and arbitrator")]
    public async Task One_person_in_two_roles_on_one_case_is_refused_and_nothing_is_stored(string[] annotators, string reviewer, string arbitrator, string expected)
    {
        var before = await TaskCountAsync();
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.CreateTaskAsync(AnnotationPlatform.Steward, AnnotationPlatform.ProjectId,
            new TaskRequest(fixture.Study, null, null, "fundus-dr-multidisease", annotators, reviewer, arbitrator)));
        Assert.Equal(RefusalKind.Invalid, e.Kind);
        Assert.Contains(expected, e.Message);
        Assert.Equal(before, await TaskCountAsync());
    }

    [Fact]
    public async Task People_must_hold_the_annotator_role_and_the_study_must_be_in_the_project()
    {
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => fixture.FundusTaskAsync("alice", "outsider"));
        Assert.Contains("'outsider' does not hold the annotator role", e.Message);
        e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.CreateTaskAsync(AnnotationPlatform.Steward, AnnotationPlatform.ProjectId,
            new TaskRequest(Mira.Platform.Demo.DemoStudies.StudyUid("mr"), null, null, "fundus-dr-multidisease", ["alice", "bob"], "carol", "dave")));
        Assert.Contains("in the de-identified archive of project ann", e.Message);
        e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.CreateTaskAsync(AnnotationPlatform.Steward, AnnotationPlatform.ProjectId,
            new TaskRequest(fixture.Study, null, null, "thyroid-us-tirads", ["alice", "bob"], "carol", "dave")));
        Assert.Contains("'thyroid-us-tirads' is not attached to project ann", e.Message);
        e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.CreateTaskAsync(AnnotationPlatform.Person("alice"), AnnotationPlatform.ProjectId,
            new TaskRequest(fixture.Study, null, null, "fundus-dr-multidisease", ["bob", "carol"], "dave", "erin")));
        Assert.Equal(RefusalKind.Forbidden, e.Kind);
    }

    [Fact]
    public async Task Identical_grades_go_to_review_with_the_identical_answer_as_consensus_and_acceptance_ends_the_task()
    {
        var id = await fixture.FundusTaskAsync();
        var first = await Service.SubmitReadAsync(P("alice"), id, AnnotationPlatform.Form(2));
        Assert.Equal((1, TaskStates.Open), (first.Version, first.State));
        var second = await Service.SubmitReadAsync(P("bob"), id, AnnotationPlatform.Form(2));
        Assert.Equal((2, TaskStates.Review), (second.Version, second.State));
        var view = await Service.GetTaskAsync(AnnotationPlatform.Steward, id);
        var consensus = Assert.Single(view.Versions, v => v.Role == VersionRoles.Consensus);
        Assert.Equal(("mira", "identical", ContentKinds.Form), (consensus.Author, consensus.Tool, consensus.Kind));
        Assert.Equal("2", (await Service.ContentOfAsync(consensus)).Form!["icdrDr"]);
        Assert.False(view.Agreement!.Disagree);
        Assert.Equal(0, view.Agreement.Values["icdrDr"]);
        Assert.Equal(TaskStates.Done, await Service.ReviewAsync(P("carol"), id, true, null, null));
        Assert.Equal(TaskStates.Done, (await Service.GetTaskAsync(AnnotationPlatform.Steward, id)).Task.State);
    }

    [Fact]
    public async Task Grades_apart_beyond_the_threshold_go_to_arbitration_and_the_chosen_read_becomes_the_consensus()
    {
        var id = await fixture.FundusTaskAsync();
        await Service.SubmitReadAsync(P("alice"), id, AnnotationPlatform.Form(1));
        var last = await Service.SubmitReadAsync(P("bob"), id, AnnotationPlatform.Form(3));
        Assert.Equal(TaskStates.Arbitration, last.State);
        var view = await Service.GetTaskAsync(AnnotationPlatform.Steward, id);
        Assert.True(view.Agreement!.Disagree);
        Assert.Equal(2, view.Agreement.Values["icdrDr"]);
        Assert.Equal(TaskAgreement.StepsMeasure, view.Agreement.Measure);
        Assert.DoesNotContain(view.Versions, v => v.Role == VersionRoles.Consensus);

        // Only the arbitrator decides, and only a read of this task can be chosen.
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.ArbitrateAsync(P("carol"), id, null, last.Version));
        Assert.Equal("carol is not the arbitrator of task " + id, e.Message);
        e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.ArbitrateAsync(P("dave"), id, null, 99));
        Assert.Contains("has no read with version 99", e.Message);

        var decision = await Service.ArbitrateAsync(P("dave"), id, null, last.Version);
        Assert.Equal(TaskStates.Review, decision.State);
        view = await Service.GetTaskAsync(AnnotationPlatform.Steward, id);
        var consensus = Assert.Single(view.Versions, v => v.Role == VersionRoles.Consensus);
        Assert.Equal(("dave", $"choose:{last.Version}"), (consensus.Author, consensus.Tool));
        Assert.Equal("3", (await Service.ContentOfAsync(consensus)).Form!["icdrDr"]);
        Assert.Equal(TaskStates.Done, await Service.ReviewAsync(P("carol"), id, true, "agreed", null));
    }

    [Fact]
    public async Task Reads_are_blind_until_every_read_is_in()
    {
        var id = await fixture.FundusTaskAsync();
        await Service.SubmitReadAsync(P("alice"), id, AnnotationPlatform.Form(2));
        var alice = await Service.GetTaskAsync(P("alice"), id);
        Assert.Equal(["alice"], alice.Versions.Select(v => v.Author));
        Assert.Null(alice.Agreement);
        var bob = await Service.GetTaskAsync(P("bob"), id);
        Assert.Empty(bob.Versions);
        Assert.DoesNotContain(bob.People, p => p.User == "alice");
        await Service.SubmitReadAsync(P("bob"), id, AnnotationPlatform.Form(2));
        alice = await Service.GetTaskAsync(P("alice"), id);
        Assert.Equal(["alice", "bob", "mira"], alice.Versions.Select(v => v.Author));
        Assert.NotNull(alice.Agreement);
    }

    [Fact]
    public async Task A_read_by_someone_who_is_not_an_annotator_of_the_task_is_refused_audited_and_not_stored()
    {
        var id = await fixture.FundusTaskAsync();
        foreach (var who in new[] { "carol", "erin" })
        {
            var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.SubmitReadAsync(P(who), id, AnnotationPlatform.Form(2)));
            Assert.Equal(RefusalKind.Forbidden, e.Kind);
            Assert.Equal($"{who} is not an annotator of task {id}", e.Message);
        }
        Assert.Empty((await Service.GetTaskAsync(AnnotationPlatform.Steward, id)).Versions);
        Assert.Contains(await fixture.AuditOfAsync(AuditActions.AnnotationRead), r => r.Actor == "erin" && r.Resource == $"task:{id}" && r.Outcome == "denied");
        var e2 = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.GetTaskAsync(P("erin"), id));
        Assert.Equal(RefusalKind.Forbidden, e2.Kind);
    }

    [Fact]
    public async Task A_form_that_breaks_the_protocol_is_refused_with_the_field_named()
    {
        var id = await fixture.FundusTaskAsync();
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.SubmitReadAsync(P("alice"), id, AnnotationPlatform.Form(7)));
        Assert.Contains("field 'icdrDr': '7' is not an allowed value", e.Message);
        e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.SubmitReadAsync(P("alice"), id, new ReadBody("text/plain", [1, 2, 3])));
        Assert.Contains("'text/plain' is none of them", e.Message);
        Assert.Empty((await Service.GetTaskAsync(AnnotationPlatform.Steward, id)).Versions);
    }

    [Fact]
    public async Task A_review_returns_the_task_to_its_readers_with_a_comment_and_only_the_new_round_counts()
    {
        var id = await fixture.FundusTaskAsync();
        await Service.SubmitReadAsync(P("alice"), id, AnnotationPlatform.Form(0));
        await Service.SubmitReadAsync(P("bob"), id, AnnotationPlatform.Form(0));
        var e = await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.ReviewAsync(P("carol"), id, false, null, "read"));
        Assert.Contains("needs the reviewer's comment", e.Message);
        Assert.Equal(TaskStates.Open, await Service.ReviewAsync(P("carol"), id, false, "both missed the haemorrhages", "read"));
        var view = await Service.GetTaskAsync(P("alice"), id);
        Assert.Equal(("both missed the haemorrhages", TaskStates.Open), (view.Task.Comment, view.Task.State));
        Assert.Null(view.Agreement);
        Assert.Equal(TaskStates.Open, (await Service.SubmitReadAsync(P("alice"), id, AnnotationPlatform.Form(2))).State);
        var last = await Service.SubmitReadAsync(P("bob"), id, AnnotationPlatform.Form(3));
        Assert.Equal(TaskStates.Arbitration, last.State);
        var agreement = (await Service.GetTaskAsync(AnnotationPlatform.Steward, id)).Agreement!;
        Assert.Equal(1, agreement.Values["icdrDr"]);
    }

    [Fact]
    public async Task A_review_can_return_the_task_to_arbitration_and_each_transition_is_audited_with_who()
    {
        var id = await fixture.FundusTaskAsync();
        await Service.SubmitReadAsync(P("alice"), id, AnnotationPlatform.Form(4));
        await Service.SubmitReadAsync(P("bob"), id, AnnotationPlatform.Form(2));
        await Service.ArbitrateAsync(P("dave"), id, AnnotationPlatform.Form(3), null);
        Assert.Equal(TaskStates.Arbitration, await Service.ReviewAsync(P("carol"), id, false, "grade 4: see the new vessels", "arbitration"));
        await Service.ArbitrateAsync(P("dave"), id, null, 1);
        Assert.Equal(TaskStates.Done, await Service.ReviewAsync(P("carol"), id, true, null, null));
        var resource = $"task:{id}";
        Assert.Equal("steward", Assert.Single(await fixture.AuditOfAsync(AuditActions.AnnotationTaskCreate), r => r.Resource == resource).Actor);
        Assert.Equal(["alice", "bob"], (await fixture.AuditOfAsync(AuditActions.AnnotationRead)).Where(r => r.Resource == resource).Select(r => r.Actor));
        Assert.Equal(["dave", "dave"], (await fixture.AuditOfAsync(AuditActions.AnnotationArbitrate)).Where(r => r.Resource == resource).Select(r => r.Actor));
        var reviews = (await fixture.AuditOfAsync(AuditActions.AnnotationReview)).Where(r => r.Resource == resource).ToArray();
        Assert.Equal(["carol", "carol"], reviews.Select(r => r.Actor));
        Assert.Contains("\"to\":\"arbitration\"", reviews[0].DetailsJson);
        Assert.Contains("\"to\":\"done\"", reviews[1].DetailsJson);
        var lastRead = (await fixture.AuditOfAsync(AuditActions.AnnotationRead)).Last(r => r.Resource == resource);
        Assert.Contains("\"to\":\"arbitration\"", lastRead.DetailsJson);
        var versions = (await Service.GetTaskAsync(AnnotationPlatform.Steward, id)).Versions;
        Assert.Equal([VersionRoles.Annotator, VersionRoles.Annotator, VersionRoles.Consensus, VersionRoles.Consensus], versions.Select(v => v.Role));
        Assert.All(versions, v => Assert.Equal(("fundus-dr-multidisease", 1), (v.Protocol, v.ProtocolVersion)));
    }

    [Fact]
    public async Task Gold_cases_are_hidden_from_their_readers_and_score_each_reader_as_computed_directly()
    {
        using var gold = System.Text.Json.JsonDocument.Parse("""{"laterality": "R", "gradability": "gradable", "icdrDr": 2}""");
        var goldTasks = new List<long>();
        foreach (var (a, b) in new[] { ("erin", "alice"), ("erin", "bob") })
            goldTasks.Add(await Service.CreateTaskAsync(AnnotationPlatform.Steward, AnnotationPlatform.ProjectId,
                new TaskRequest(fixture.Study, null, null, "fundus-dr-multidisease", [a, b], "carol", "dave", Gold: gold.RootElement)));
        await Service.SubmitReadAsync(P("erin"), goldTasks[0], AnnotationPlatform.Form(3));
        await Service.SubmitReadAsync(P("erin"), goldTasks[1], AnnotationPlatform.Form(0));
        var seen = await Service.GetTaskAsync(P("erin"), goldTasks[0]);
        Assert.DoesNotContain(seen.Versions, v => v.Role == VersionRoles.Gold);
        Assert.False(seen.ShowGold);
        Assert.Equal(goldTasks.Order(), (await Service.MyTasksAsync(P("erin"))).Select(t => t.Task.Id).Intersect(goldTasks).Order());

        var report = await Service.GoldScoresAsync(AnnotationPlatform.Steward, AnnotationPlatform.ProjectId, "erin");
        // Quadratic agreement weight on the 5-step ICDR scale: 1 - (d / 4)^2 for reads d grades from the known answer.
        double[] expected = [1 - Math.Pow(1 / 4.0, 2), 1 - Math.Pow(2 / 4.0, 2)];
        Assert.Equal(expected, report.Cases.OrderBy(c => c.Task).Select(c => c.Score));
        Assert.All(report.Cases, c => Assert.Equal("quadratic-agreement", c.Metric));
        Assert.Equal(expected.Average(), report.Mean!.Value, 12);
        await Assert.ThrowsAsync<AnnotationRefusedException>(() => Service.GoldScoresAsync(P("erin"), AnnotationPlatform.ProjectId, "erin"));
    }

    [Fact]
    public async Task A_batch_draws_a_seeded_quality_control_sample_and_unsampled_agreeing_tasks_skip_review()
    {
        var request = new BatchRequest(fixture.Studies, "fundus-dr-multidisease", ["alice", "bob"], "carol", "dave", "batch-qc", DateTimeOffset.UtcNow.AddDays(7), 0.5, 42);
        var (ids, qc) = await Service.CreateBatchAsync(AnnotationPlatform.Steward, AnnotationPlatform.ProjectId, request);
        Assert.Equal(fixture.Studies.Count, ids.Count);
        Assert.Equal(2, qc.Count);
        Assert.Equal(AnnotationService.QcSample(ids, 0.5, 42), qc);
        Assert.Contains((await fixture.AuditOfAsync(AuditActions.AnnotationTaskCreate)), r => r.Resource == "batch:ann:batch-qc" && r.DetailsJson!.Contains("\"seed\":42"));
        foreach (var id in ids)
        {
            await Service.SubmitReadAsync(P("alice"), id, AnnotationPlatform.Form(1));
            var last = await Service.SubmitReadAsync(P("bob"), id, AnnotationPlatform.Form(1));
            Assert.Equal(qc.Contains(id) ? TaskStates.Review : TaskStates.Done, last.State);
        }
        var queue = await Service.MyTasksAsync(P("carol"));
        Assert.All(qc, id => Assert.Contains(queue, t => t.Task.Id == id && t.Role == TaskRoles.Reviewer && t.Task.State == TaskStates.Review));
        Assert.Equal(ids.Count, (await Service.ProjectTasksAsync(AnnotationPlatform.Steward, AnnotationPlatform.ProjectId, null)).Count(t => t.Batch == "batch-qc"));
    }
}

public sealed class AnnotationWorkflowTests(AnnotationPlatform fixture) : AnnotationWorkflowSuite(fixture), IClassFixture<AnnotationPlatform>;

/// <summary>The same on PostgreSQL (tables, conditional moves, project indexes in their schemas).</summary>
public sealed class PostgreSqlAnnotationWorkflowTests(PostgreSqlAnnotationPlatform fixture) : AnnotationWorkflowSuite(fixture), IClassFixture<PostgreSqlAnnotationPlatform>;
