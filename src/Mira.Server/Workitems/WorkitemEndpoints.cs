using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Dicom.Values;
using Mira.Platform.Workitems;
using Mira.Server.Dicomweb;
using Mira.Server.Security;
using T = Mira.Dicom.DicomTags;

namespace Mira.Server.Workitems;

/// <summary>
/// UPS-RS, the DICOMweb worklist service (PS3.18 §11; docs/workitems.md) under <c>/dicomweb</c>: create, search,
/// retrieve and update work items, change their state, request cancellation, subscribe and unsubscribe AE titles,
/// and the event channel (<see cref="WorkitemEventSocket"/>). Stewards, admins and performers reach it, each request
/// audited (<see cref="PatientDataAccess"/>); what each may do is <see cref="WorkitemService"/>'s rule. Bodies are
/// DICOM JSON of at most <see cref="WorkitemHttp.MaxBodyBytes"/>; a Transaction UID is never answered.
/// </summary>
public static class WorkitemEndpoints
{
    static readonly string[] WorklistRoles = [Roles.Steward, Roles.Admin, Roles.Performer];

    static PatientDataAccess Access(string action) => new(action, WorklistRoles);

    public static void Map(RouteGroupBuilder g)
    {
        g.MapPost("/workitems", (HttpContext h, MiraPlatform a) => Create(h, a)).AddEndpointFilter(Access(AuditActions.WorkitemCreate));
        g.MapGet("/workitems", (HttpContext h, MiraPlatform a) => Search(h, a)).AddEndpointFilter(Access(AuditActions.WorkitemSearch));
        g.MapGet("/workitems/{uid}", (HttpContext h, MiraPlatform a, string uid) => WorkitemHttp.Run(h, uid, async actor =>
            WorkitemHttp.NotAcceptable(h) ?? DicomJsonResult.Array([await a.Workitems.GetAsync(uid, actor, h.RequestAborted)])))
            .AddEndpointFilter(Access(AuditActions.WorkitemRead));
        g.MapPost("/workitems/{uid}", (HttpContext h, MiraPlatform a, string uid) => Update(h, a, uid)).AddEndpointFilter(Access(AuditActions.WorkitemUpdate));
        g.MapPut("/workitems/{uid}/state", (HttpContext h, MiraPlatform a, string uid) => ChangeState(h, a, uid))
            .AddEndpointFilter(Access(AuditActions.WorkitemState));
        g.MapPost("/workitems/{uid}/cancelrequest", (HttpContext h, MiraPlatform a, string uid) => CancelRequest(h, a, uid))
            .AddEndpointFilter(Access(AuditActions.WorkitemCancelRequest));
        g.MapPost("/workitems/{uid}/subscribers/{aetitle}", (HttpContext h, MiraPlatform a, string uid, string aetitle) => WorkitemHttp.Run(h, uid, async actor =>
        {
            var deletionLock = string.Equals(h.Request.Query["deletionlock"], "true", StringComparison.OrdinalIgnoreCase);
            var filter = WorkitemHttp.ParseQuery(h.Request, "deletionlock");
            await a.Workitems.SubscribeAsync(aetitle, uid, deletionLock, filter.Keys.Count == 0 ? null : filter, actor, h.RequestAborted);
            return Results.StatusCode(StatusCodes.Status201Created);
        })).AddEndpointFilter(Access(AuditActions.WorkitemSubscribe));
        g.MapDelete("/workitems/{uid}/subscribers/{aetitle}", (HttpContext h, MiraPlatform a, string uid, string aetitle) => WorkitemHttp.Run(h, uid, async actor =>
        {
            await a.Workitems.UnsubscribeAsync(aetitle, uid, actor, h.RequestAborted);
            return Results.Ok();
        })).AddEndpointFilter(Access(AuditActions.WorkitemUnsubscribe));
        g.MapPost("/workitems/{uid}/subscribers/{aetitle}/suspend", (HttpContext h, MiraPlatform a, string uid, string aetitle) => WorkitemHttp.Run(h, uid, async actor =>
        {
            await a.Workitems.SuspendAsync(aetitle, uid, actor, h.RequestAborted);
            return Results.Ok();
        })).AddEndpointFilter(Access(AuditActions.WorkitemUnsubscribe));
        g.MapGet("/subscribers/{aetitle}", (HttpContext h, MiraPlatform a, string aetitle) => WorkitemEventSocket.RunAsync(h, a, aetitle))
            .AddEndpointFilter(Access(AuditActions.WorkitemChannel));
    }

    /// <summary>
    /// Create (PS3.18 §11.4): the UID from the query (<c>?{uid}</c>, or <c>?workitem={uid}</c>) or the body's SOP
    /// Instance UID; 201 with its URL in Location and Content-Location.
    /// </summary>
    static Task<IResult> Create(HttpContext h, MiraPlatform archive) => WorkitemHttp.Run(h, null, async actor =>
    {
        try
        {
            var ds = await WorkitemHttp.ReadDatasetAsync(h);
            var fromQuery = h.Request.Query["workitem"].FirstOrDefault()
                            ?? h.Request.Query.Where(p => p.Value.All(string.IsNullOrEmpty) && DicomUid.IsValid(p.Key)).Select(p => p.Key).FirstOrDefault();
            var fromBody = ds.GetString(T.SOPInstanceUID);
            var uid = fromQuery ?? fromBody;
            if (string.IsNullOrEmpty(uid)) return Problems.BadRequest("a new work item needs its UID: in the query (?{uid}) or as SOP Instance UID (0008,0018) in the body");
            h.Items[PatientDataAccess.ResourceKey] = uid;
            await archive.Workitems.CreateAsync(uid, ds, actor, h.RequestAborted);
            var url = $"{DicomwebUrls.Base(h.Request)}/workitems/{uid}";
            h.Response.Headers.Location = url;
            h.Response.Headers.ContentLocation = url;
            return Results.StatusCode(StatusCodes.Status201Created);
        }
        catch (BodyTooLargeException e)
        {
            return Problems.Result(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", e.Message);
        }
    });

    /// <summary>Search (PS3.18 §11.9): QIDO-RS style matching keys, limit and offset; 204 when nothing matches.</summary>
    static Task<IResult> Search(HttpContext h, MiraPlatform archive) => WorkitemHttp.Run(h, null, async actor =>
    {
        if (WorkitemHttp.NotAcceptable(h) is { } refused) return refused;
        var query = WorkitemHttp.ParseQuery(h.Request, "includefield", "fuzzymatching");
        var found = await archive.Workitems.SearchAsync(query, actor, h.RequestAborted);
        if (found.Count == 0) return Results.StatusCode(StatusCodes.Status204NoContent);
        var baseUrl = DicomwebUrls.Base(h.Request);
        foreach (var ds in found) ds.Set(T.RetrieveURL, $"{baseUrl}/workitems/{ds.GetString(T.SOPInstanceUID)}");
        return DicomJsonResult.Array(found);
    });

    /// <summary>Update (PS3.18 §11.6): the Transaction UID in <c>?transaction=</c> or the body, required once IN PROGRESS.</summary>
    static Task<IResult> Update(HttpContext h, MiraPlatform archive, string uid) => WorkitemHttp.Run(h, uid, async actor =>
    {
        try
        {
            var ds = await WorkitemHttp.ReadDatasetAsync(h);
            var transaction = h.Request.Query["transaction"].FirstOrDefault() ?? ds.GetString(T.TransactionUID);
            ds.Remove(T.TransactionUID);
            var change = await archive.Workitems.UpdateAsync(uid, transaction, ds, actor, h.RequestAborted);
            WorkitemHttp.Warn(h, change.Warning);
            return Results.Ok();
        }
        catch (BodyTooLargeException e)
        {
            return Problems.Result(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", e.Message);
        }
    });

    /// <summary>Change state (PS3.18 §11.7): Procedure Step State and Transaction UID in the body.</summary>
    static Task<IResult> ChangeState(HttpContext h, MiraPlatform archive, string uid) => WorkitemHttp.Run(h, uid, async actor =>
    {
        try
        {
            var ds = await WorkitemHttp.ReadDatasetAsync(h);
            if (ds.GetString(T.ProcedureStepState) is not { Length: > 0 } state)
                return Problems.BadRequest($"work item {uid}: the body needs Procedure Step State (0074,1000)");
            var change = await archive.Workitems.ChangeStateAsync(uid, state, ds.GetString(T.TransactionUID), actor, h.RequestAborted);
            WorkitemHttp.Warn(h, change.Warning);
            return Results.Ok();
        }
        catch (BodyTooLargeException e)
        {
            return Problems.Result(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", e.Message);
        }
    });

    /// <summary>Request cancellation (PS3.18 §11.8): an optional body with Reason For Cancellation and a contact; 202.</summary>
    static Task<IResult> CancelRequest(HttpContext h, MiraPlatform archive, string uid) => WorkitemHttp.Run(h, uid, async actor =>
    {
        try
        {
            var ds = h.Request.ContentLength is 0 || (h.Request.ContentLength is null && h.Request.ContentType is null)
                ? new DicomDataset() : await WorkitemHttp.ReadDatasetAsync(h);
            var change = await archive.Workitems.RequestCancellationAsync(uid, ds.GetString(T.ReasonForCancellation),
                h.Request.Query["requester"].FirstOrDefault(), ds.GetString(T.ContactDisplayName), actor, h.RequestAborted);
            WorkitemHttp.Warn(h, change.Warning);
            return Results.StatusCode(StatusCodes.Status202Accepted);
        }
        catch (BodyTooLargeException e)
        {
            return Problems.Result(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", e.Message);
        }
    });
}
