using Mira.Storage.Annotations;

namespace Mira.Platform.Annotations;

public sealed partial class AnnotationService
{
    /// <summary>
    /// A masks version as a gzip-compressed NIfTI label map on its series' grid (for dataset releases,
    /// <c>docs/datasets.md</c>); null for forms and polygons, or where this Mira has no SEG/NIfTI encodings. The caller
    /// has checked access.
    /// </summary>
    public async Task<byte[]?> LabelMapOfAsync(AnnotationVersionRecord v, CancellationToken ct = default)
    {
        if (v.Kind != ContentKinds.Masks || Encodings is null) return null;
        var context = await TaskContextAsync(v.Task, ct);
        return Encodings.WriteLabelMap(await ContentAsync(context, v, ct), await ImagesAsync(context, ct));
    }
}
