using Microsoft.AspNetCore.Http;
using Mira.Server.Security;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Server.Dicomweb;

/// <summary>
/// The archive a DICOMweb request reads from and the base URL its resources are addressed under (Retrieve URLs,
/// BulkDataURIs, Content-Location): the intake archive under <c>/dicomweb</c>, or one research project's own archive
/// under <c>/api/projects/{id}/dicomweb</c>. The QIDO-RS and WADO-RS handlers read only through this, so a route
/// group given a project's source cannot reach the intake index or blobs.
/// </summary>
public sealed record DicomwebSource(IIndexStore Index, IBlobStore Blobs, string BaseUrl);

/// <summary>
/// How one group of DICOMweb routes finds its <see cref="DicomwebSource"/> and guards its endpoints:
/// <see cref="Access"/> makes the endpoint filter (role or membership check and audit) for the intake action name
/// (<c>qido.search</c>, <c>wado.retrieve</c>, <c>wado.metadata</c>, <c>wado.rendered</c>, <c>wado.thumbnail</c>).
/// </summary>
public sealed record DicomwebRoutes(Func<HttpContext, DicomwebSource> Source, Func<string, IEndpointFilter> Access)
{
    /// <summary>The intake archive: identified data, stewards and admins (<see cref="PatientDataAccess"/>).</summary>
    public static DicomwebRoutes Intake { get; } = new(
        http =>
        {
            var archive = http.RequestServices.GetRequiredService<MiraPlatform>();
            return new DicomwebSource(archive.Index, archive.Blobs, DicomwebUrls.Base(http.Request));
        },
        // A task performer may read the inputs of the work items it holds (Workitems.WorkitemInputAccess).
        action => action is AuditActions.WadoRetrieve or AuditActions.WadoMetadata
            ? new Workitems.WorkitemInputAccess(action, new PatientDataAccess(action, PatientDataAccess.IdentifiedData))
            : new PatientDataAccess(action, PatientDataAccess.IdentifiedData));
}
