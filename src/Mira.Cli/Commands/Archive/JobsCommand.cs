using System.CommandLine;
using Mira.Storage.Jobs;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira jobs list [--state S] [--kind K] [--project P]</c>, <c>mira jobs show ID</c>, <c>mira jobs log ID</c>, <c>mira jobs cancel ID</c>: the durable
/// job table of the archive the server uses (project rule copies given up after their last attempt stay there as
/// <c>failed</c>, with their error and log).
/// </summary>
public static class JobsCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
        var state = new Option<string?>("--state") { Description = "only jobs in this state: " + string.Join(", ", JobStates.All) };
        var kind = new Option<string?>("--kind") { Description = "only jobs of this kind (e.g. project.rule-copy)" };
        var project = new Option<string?>("--project") { Description = "only jobs of this project" };
        var list = new Command("list", "List jobs, oldest first: id, kind, state, attempts, project, origin, subject, last error") { state, kind, project, data, db, blobsOption, s3EndpointOption };
        list.SetAction((r, ct) => ListAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(kind), r.GetValue(project), r.GetValue(state), ct));

        var logId = new Argument<long>("id") { Description = "the job id (mira jobs list)" };
        var log = new Command("log", "Print a job's log. Exit codes: 0 done, 1 no such job") { logId, data, db, blobsOption, s3EndpointOption };
        log.SetAction((r, ct) => LogAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(logId), ct));

        var showId = new Argument<long>("id") { Description = "the job id (mira jobs list)" };
        var show = new Command("show", "Print one job: kind, state, attempts, priority, resources, worker and lease, times, payload, last error, then its log. " +
            "Exit codes: 0 done, 1 no such job") { showId, data, db, blobsOption, s3EndpointOption };
        show.SetAction((r, ct) => ShowAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(showId), ct));

        var cancelId = new Argument<long>("id") { Description = "the job id (mira jobs list)" };
        var cancel = new Command("cancel", "Cancel a queued job, or ask a running one to stop (audited). Exit codes: 0 done, 1 no such job or already ended")
            { cancelId, data, db, blobsOption, s3EndpointOption };
        cancel.SetAction((r, ct) => CancelAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(cancelId), ct));
        return new Command("jobs", "Background jobs (project rule copies, evaluations, deployments…): list, show, log, cancel") { list, show, log, cancel };
    }

    static async Task<int> ListAsync(ArchiveLocation location, string? kind, string? project, string? state, CancellationToken ct)
    {
        if (state is not null && !JobStates.All.Contains(state))
        {
            Console.Error.WriteLine($"mira jobs list: --state '{state}' is not one of {string.Join(", ", JobStates.All)}");
            return 2;
        }
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        Console.WriteLine("id\tkind\tstate\tattempts\tproject\torigin\tsubject\tcreated\tlast error");
        foreach (var j in await platform.Jobs.Store.ListAsync(kind, project, state, ct: ct))
            Console.WriteLine($"{j.Id}\t{j.Kind}\t{j.State}\t{j.Attempts}/{j.MaxAttempts}\t{j.Project ?? "-"}\t{j.Origin ?? "-"}\t{j.Subject ?? "-"}\t" +
                $"{TokenCommand.Format(j.Created)}\t{Clean(j.LastError)}");
        return 0;
    }

    static async Task<int> LogAsync(ArchiveLocation location, long id, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        if (await platform.Jobs.GetAsync(id, ct) is null) return NoSuchJob(id);
        Console.Write(await platform.Jobs.Store.GetLogAsync(id, ct) ?? "");
        return 0;
    }

    static async Task<int> ShowAsync(ArchiveLocation location, long id, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        if (await platform.Jobs.GetAsync(id, ct) is not { } j) return NoSuchJob(id);
        string When(DateTimeOffset? t) => t is { } v ? TokenCommand.Format(v) : "-";
        Console.WriteLine($"id:         {j.Id}");
        Console.WriteLine($"kind:       {j.Kind}");
        Console.WriteLine($"state:      {j.State}{(j.CancelRequested ? " (cancel requested)" : "")}");
        Console.WriteLine($"attempts:   {j.Attempts}/{j.MaxAttempts}");
        Console.WriteLine($"priority:   {j.Priority}");
        Console.WriteLine($"resources:  {j.Resources.Cpus} cpu, {(j.Resources.MemoryMb > 0 ? $"{j.Resources.MemoryMb} MB" : "default memory")}, {j.Resources.Gpus} gpu");
        Console.WriteLine($"project:    {j.Project ?? "-"}");
        Console.WriteLine($"origin:     {j.Origin ?? "-"}");
        Console.WriteLine($"subject:    {j.Subject ?? "-"}");
        Console.WriteLine($"created:    {When(j.Created)}");
        Console.WriteLine($"due:        {When(j.NotBefore)}");
        Console.WriteLine($"started:    {When(j.Started)}");
        Console.WriteLine($"finished:   {When(j.Finished)}");
        Console.WriteLine($"worker:     {j.Worker ?? "-"}{(j.LeaseUntil is { } lease ? $" (lease until {TokenCommand.Format(lease)})" : "")}");
        Console.WriteLine($"payload:    {Clean(j.Payload)}");
        Console.WriteLine($"last error: {Clean(j.LastError)}");
        Console.WriteLine("log:");
        Console.Write(await platform.Jobs.Store.GetLogAsync(id, ct) ?? "");
        return 0;
    }

    static async Task<int> CancelAsync(ArchiveLocation location, long id, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        if (!await platform.Jobs.CancelAsync(id, ct)) return NoSuchJob(id);
        await platform.Audit.AppendAsync(new Mira.Storage.Security.AuditEntry(TokenCommand.Actor, AuditActions.JobCancel, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "local"), ct);
        Console.WriteLine($"cancelled {id} (a running job stops at its next heartbeat)");
        return 0;
    }

    static int NoSuchJob(long id)
    {
        Console.Error.WriteLine($"mira jobs: no job {id}, or it has ended");
        return 1;
    }

    static string Clean(string? text) => text is null ? "-" : new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
}
