using System.CommandLine;
using System.Globalization;
using Mira.Platform.Annotations;
using Mira.Platform.Deployment;
using Mira.Platform.Security;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira deploy add NAME --model NAME@VERSION --from-ae AET [--modality M] [--body-part B] [--series-description REGEX]
/// --send-to AET|URL</c>, <c>mira deploy list</c>, <c>mira deploy remove NAME</c>, <c>mira deploy results [NAME]</c>: the
/// deployment rules of the archive the server uses (docs/deployment.md). Run as the local operator (a steward's rights).
/// </summary>
public static class DeployCommand
{
    public static Command Create()
    {
        var data = ArchiveLocation.CreateOption();
        var db = ArchiveLocation.CreateDbOption();
        var (blobsOption, s3EndpointOption) = (ArchiveLocation.CreateBlobsOption(), ArchiveLocation.CreateS3EndpointOption());
        var name = new Argument<string>("name") { Description = "the rule's name: lower case words joined by '-'" };
        var model = new Option<string>("--model") { Description = "the model version to run, NAME@VERSION (mira model list)", Required = true };
        var fromAe = new Option<string?>("--from-ae") { Description = "run on series arriving from this calling AE title (default: from any AE)" };
        var modality = new Option<string?>("--modality") { Description = "only series of this modality (e.g. CT)" };
        var bodyPart = new Option<string?>("--body-part") { Description = "only series with this Body Part Examined (e.g. CHEST)" };
        var pattern = new Option<string?>("--series-description") { Description = "only series whose Series Description matches this regular expression (case-insensitive)" };
        var sendTo = new Option<string>("--send-to") { Description = "where results go: an AE of the AE table (mira ae), or a DICOMweb base URL", Required = true };
        var blind = new Option<bool>("--blind-first-read") { Description = "clinicians record their own read before the result is shown" };
        var ood = new Option<double?>("--ood-threshold") { Description = "flag results whose out-of-distribution score is above this (0…1)" };
        var settle = new Option<int?>("--settle") { Description = "seconds a series must be quiet before the model runs (default 10)" };
        var oodRelease = new Option<string[]>("--ood-release") { Description = "a dataset release the out-of-distribution profile is built from (default: the model card's training releases); repeatable", AllowMultipleArgumentsPerToken = false };
        var external = new Option<bool>("--external-performer") { Description = "do not run the model here: put a UPS work item on the worklist (named after the rule) for an outside AI service" };
        var feedback = new Option<string?>("--feedback-project") { Description = "the project clinicians' corrections go to, de-identified by its recipe" };
        var add = new Command("add", "Add a deployment rule (audited). Exit codes: 0 added, 1 refused, 2 no archive")
            { name, model, fromAe, modality, bodyPart, pattern, sendTo, blind, ood, oodRelease, settle, feedback, external, data, db, blobsOption, s3EndpointOption };
        add.SetAction((r, ct) => AddAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), new DeploymentRequest(r.GetValue(name)!, r.GetValue(model)!,
            r.GetValue(fromAe), r.GetValue(modality), r.GetValue(bodyPart), r.GetValue(pattern), r.GetValue(sendTo)!, r.GetValue(blind), r.GetValue(ood),
            r.GetValue(settle), r.GetValue(feedback), r.GetValue(oodRelease) is { Length: > 0 } releases ? releases : null, r.GetValue(external)), ct));

        var list = new Command("list", "List the deployment rules: name, model, from AE, filters, destination") { data, db, blobsOption, s3EndpointOption };
        list.SetAction((r, ct) => ListAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), ct));

        var removeName = new Argument<string>("name") { Description = "the rule to remove (its results stay)" };
        var remove = new Command("remove", "Remove a deployment rule (audited). Exit codes: 0 removed, 1 no such rule") { removeName, data, db, blobsOption, s3EndpointOption };
        remove.SetAction((r, ct) => RemoveAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(removeName)!, ct));

        var resultsName = new Argument<string?>("name") { Description = "one rule's results (default: every rule's)", Arity = ArgumentArity.ZeroOrOne };
        var results = new Command("results", "List inference results, newest first: id, rule, state, series, result SOP, review, reason (audited)")
            { resultsName, data, db, blobsOption, s3EndpointOption };
        results.SetAction((r, ct) => ResultsAsync(new ArchiveLocation(r.GetValue(data)!, r.GetValue(db), r.GetValue(blobsOption), r.GetValue(s3EndpointOption)), r.GetValue(resultsName), ct));
        return new Command("deploy", "Deployment rules: when a series arrives from an AE, run a model and send the result (add, list, remove, results)")
            { add, list, remove, results };
    }

    static AnnotationActor Operator => new(TokenCommand.Actor, [Roles.Steward], "local");

    static async Task<int> AddAsync(ArchiveLocation location, DeploymentRequest request, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        try
        {
            var d = await platform.Deployments.AddAsync(Operator, request, ct);
            Console.WriteLine($"added {d.Name}: {Describe(d)}");
            return 0;
        }
        catch (AnnotationRefusedException e)
        {
            Console.Error.WriteLine($"mira deploy add: {e.Message}");
            return 1;
        }
    }

    static async Task<int> ListAsync(ArchiveLocation location, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        Console.WriteLine("name\tmodel\tfrom AE\tmodality\tbody part\tseries description\tsend to\tblind first read\tood threshold\tsettle s\tenabled");
        foreach (var d in await platform.Deployments.ListAsync(Operator, ct))
            Console.WriteLine($"{d.Name}\t{d.ModelName}@{d.ModelVersion}\t{d.FromAe ?? "*"}\t{d.Modality ?? "*"}\t{d.BodyPart ?? "*"}\t{d.SeriesPattern ?? "*"}\t" +
                $"{d.Destination}\t{(d.BlindFirstRead ? "yes" : "no")}\t{d.OodThreshold?.ToString(CultureInfo.InvariantCulture) ?? "-"}\t" +
                $"{(d.SettleMilliseconds / 1000.0).ToString(CultureInfo.InvariantCulture)}\t{(d.Enabled ? "yes" : "no")}");
        return 0;
    }

    static async Task<int> RemoveAsync(ArchiveLocation location, string name, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        if (await platform.Deployments.RemoveAsync(Operator, name, ct))
        {
            Console.WriteLine($"removed {name}");
            return 0;
        }
        Console.Error.WriteLine($"mira deploy remove: no deployment '{name}'");
        return 1;
    }

    static async Task<int> ResultsAsync(ArchiveLocation location, string? name, CancellationToken ct)
    {
        if (location.RequireExisting() is { } code) return code;
        await using var platform = await location.OpenAsync(ct);
        Console.WriteLine("id\tdeployment\tstate\tstudy\tseries\tmodel\tresult sop\tood\treview\tupdated\treason");
        foreach (var r in await platform.Deployments.ResultsAsync(Operator, name, ct: ct))
            Console.WriteLine($"{r.Id[..16]}\t{r.Deployment}\t{r.State}\t{r.StudyInstanceUid}\t{r.SeriesInstanceUid}\t{r.ModelName}@{r.ModelVersion}\t" +
                $"{r.ResultSopUid ?? "-"}\t{(r.OodScore is { } s ? s.ToString("0.000", CultureInfo.InvariantCulture) + (r.OodFlagged ? " (outside validated range)" : "") : "-")}\t" +
                $"{r.ReviewState}\t{TokenCommand.Format(r.Updated)}\t{r.Reason ?? "-"}");
        return 0;
    }

    static string Describe(Mira.Storage.Deployments.DeploymentRecord d) =>
        $"series from {(d.FromAe is null ? "any AE" : "AE " + d.FromAe)}" + (d.Modality is null ? "" : $", modality {d.Modality}") +
        (d.BodyPart is null ? "" : $", body part {d.BodyPart}") + (d.SeriesPattern is null ? "" : $", description /{d.SeriesPattern}/") +
        $" → {d.ModelName}@{d.ModelVersion} → {d.Destination}";
}
