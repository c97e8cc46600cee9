using Mira.Testing;

namespace Mira.Cli.Tests;

/// <summary>
/// <c>mira deploy add|list|remove|results</c> and <c>mira jobs show</c> (issue 19's command-line contract): a rule is
/// checked when added (the model version exists, the destination is a known AE), listed, audited, and removed; a
/// queued inference job is shown whole.
/// </summary>
public sealed class DeployCommandTests : IDisposable
{
    readonly ArchiveCli cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task A_rule_is_added_from_the_command_line_checked_listed_and_removed_and_its_job_is_shown()
    {
        Assert.Equal(0, cli.Mira("model", "push", Path.Combine(Corpus.RepositoryRoot, "models", "ct-bone-threshold-baseline")).ExitCode);
        Assert.Equal(0, cli.Mira("ae", "add", "PACS", "--host", "127.0.0.1", "--port", "104", "--allow", "none").ExitCode);

        var unknownModel = cli.Mira("deploy", "add", "ct-bone", "--model", "nope@1", "--from-ae", "CT1", "--send-to", "PACS");
        Assert.Equal(1, unknownModel.ExitCode);
        Assert.Contains("no model nope version 1", unknownModel.Stderr);
        var unknownDestination = cli.Mira("deploy", "add", "ct-bone", "--model", "ct-bone-threshold-baseline@1.0.0", "--from-ae", "CT1", "--send-to", "NOWHERE");
        Assert.Equal(1, unknownDestination.ExitCode);
        Assert.Contains("'NOWHERE' is not an AE of the AE table", unknownDestination.Stderr);

        var added = cli.Mira("deploy", "add", "ct-bone", "--model", "ct-bone-threshold-baseline@1.0.0", "--from-ae", "CT1", "--modality", "ct", "--send-to", "PACS",
            "--settle", "3");
        Assert.True(added.ExitCode == 0, added.Stderr);
        Assert.Contains("series from AE CT1, modality CT → ct-bone-threshold-baseline@1.0.0 → PACS", added.Stdout);
        Assert.Equal(1, cli.Mira("deploy", "add", "ct-bone", "--model", "ct-bone-threshold-baseline@1.0.0", "--from-ae", "CT1", "--send-to", "PACS").ExitCode);

        var listed = cli.Mira("deploy", "list").Stdout.Trim().Split('\n');
        Assert.Equal(2, listed.Length);
        Assert.StartsWith("ct-bone\tct-bone-threshold-baseline@1.0.0\tCT1\tCT\t*\t*\tPACS\tno\t-\t3\tyes", listed[1]);

        // An arrival from CT1 queues the rule's job, due once the series has settled; mira jobs show prints it whole.
        long job;
        await using (var platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = cli.Data, Console = TextWriter.Null }))
        {
            var queued = await platform.Deployments.QueueOnArrivalAsync("CT1",
                [new Mira.Storage.Index.StoredInstance("1.2.3.4.1", "1.2.840.10008.5.1.4.1.1.2", "1.2.3", "1.2.3.4", null, "k", 1, "s", "t")]);
            Assert.Equal(1, queued);
            Assert.Equal(0, await platform.Deployments.QueueOnArrivalAsync("CT9",
                [new Mira.Storage.Index.StoredInstance("1.2.3.5.1", "1.2.840.10008.5.1.4.1.1.2", "1.2.3", "1.2.3.5", null, "k", 1, "s", "t")]));
            job = Assert.Single(await platform.Jobs.ListAsync(Mira.Platform.Deployment.DeploymentService.JobKind)).Id;
        }
        var shown = cli.Mira("jobs", "show", job.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Contains("kind:       deployment.infer", shown.Stdout);
        Assert.Contains("state:      queued", shown.Stdout);
        Assert.Contains("origin:     ae:CT1", shown.Stdout);
        Assert.Contains("\"Deployment\":\"ct-bone\"", shown.Stdout);
        Assert.Equal(1, cli.Mira("jobs", "show", "999999").ExitCode);

        Assert.Equal(0, cli.Mira("deploy", "remove", "ct-bone").ExitCode);
        Assert.Equal(1, cli.Mira("deploy", "remove", "ct-bone").ExitCode);
        await using var after = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = cli.Data, Console = TextWriter.Null });
        var audit = await after.Audit.ReadAsync();
        Assert.Contains(audit, r => r.Action == Mira.Platform.Audit.AuditActions.DeploymentAdd && r.Resource == "deployment:ct-bone");
        Assert.Contains(audit, r => r.Action == Mira.Platform.Audit.AuditActions.DeploymentRemove && r.Resource == "deployment:ct-bone");
    }
}
