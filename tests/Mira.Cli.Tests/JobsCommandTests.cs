using Mira.Storage.Jobs;

namespace Mira.Cli.Tests;

public sealed class JobsCommandTests : IDisposable
{
    readonly ArchiveCli cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task Jobs_are_listed_filtered_logged_and_cancelled_with_an_audit_record()
    {
        long first;
        await using (var platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = cli.Data, Console = TextWriter.Null }))
        {
            Assert.True(await platform.Projects.Store.CreateAsync("p1", "P1", "basic", "{}", "h", new byte[32]));
            await platform.Projects.Store.AddRuleAsync("p1", "CT1");
            Assert.Equal(2, await platform.Projects.QueueRuleCopiesAsync("CT1", null, ["1.2.3.1", "1.2.3.2"]));
            first = (await platform.Jobs.ListAsync()).Min(j => j.Id);
            await platform.Jobs.Store.AppendLogAsync(first, "a line of the job's log");
        }

        var list = cli.Mira("jobs", "list", "--project", "p1", "--state", "queued");
        Assert.True(list.ExitCode == 0, list.Stderr);
        var rows = list.Stdout.Trim().Split('\n').Skip(1).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Contains("\tproject.rule-copy\tqueued\t0/5\tp1\tae:CT1\t1.2.3.", r));
        Assert.Single(cli.Mira("jobs", "list", "--project", "other").Stdout.Trim().Split('\n'));
        Assert.Equal(2, cli.Mira("jobs", "list", "--state", "sleeping").ExitCode);

        Assert.Equal("a line of the job's log\n", cli.Mira("jobs", "log", first.ToString(System.Globalization.CultureInfo.InvariantCulture)).Stdout);
        Assert.Equal(0, cli.Mira("jobs", "cancel", first.ToString(System.Globalization.CultureInfo.InvariantCulture)).ExitCode);
        Assert.Equal(1, cli.Mira("jobs", "cancel", first.ToString(System.Globalization.CultureInfo.InvariantCulture)).ExitCode);
        Assert.Equal(1, cli.Mira("jobs", "log", "999999").ExitCode);

        await using var after = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = cli.Data, Console = TextWriter.Null });
        Assert.Equal(JobStates.Cancelled, (await after.Jobs.GetAsync(first))!.State);
        Assert.Contains(await after.Audit.ReadAsync(), r => r.Action == Mira.Platform.Audit.AuditActions.JobCancel && r.Resource == first.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
