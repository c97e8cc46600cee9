namespace Mira.Dicom.Json;

/// <summary>
/// An element whose value is elsewhere, named by a BulkDataURI (PS3.18 §F.2.6), read without a resolver. Its value
/// here is empty; <see cref="DicomJsonWriter"/> writes the URI back. Written as DICOM it would be an empty value, so
/// resolve it first with <see cref="Resolve"/>.
/// </summary>
public sealed class DicomBulkDataReference : DicomElement
{
    public DicomBulkDataReference(DicomTag tag, DicomVR vr, string uri) : base(tag, vr)
    {
        ArgumentNullException.ThrowIfNull(uri);
        Uri = uri;
    }

    /// <summary>The BulkDataURI as read.</summary>
    public string Uri { get; }

    /// <summary>An element holding the bytes that <paramref name="resolver"/> returns for <see cref="Uri"/>.</summary>
    public DicomElement Resolve(Func<string, ReadOnlyMemory<byte>> resolver) => new(Tag, VR, resolver(Uri));

    public override string ToString() => $"{Tag} {DicomVRInfo.Code(VR)} BulkDataURI {Uri}";
}
