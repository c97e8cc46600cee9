using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Json;

namespace Mira.Storage.Index;

/// <summary>
/// The index row of one instance with its patient, study and series attributes: the QIDO-RS matching attributes of
/// PS3.18 Table 10.6.1-5 (dates as yyyymmdd integers, times as microseconds since midnight, Person Names with their
/// normalised component groups), where the bytes are and their SHA-256, and the instance's DICOM JSON metadata
/// (PS3.18 Annex F, bulk data as BulkDataURIs).
/// </summary>
public sealed class InstanceRecord
{
    /// <summary>Binary values longer than this are left out of the metadata as a BulkDataURI.</summary>
    public const int BulkDataThreshold = 1024;

    // patient
    public string PatientKey { get; init; } = "";
    public string? PatientId { get; init; }
    public string? PatientName { get; init; }
    public string? PatientNameA { get; init; }
    public string? PatientNameI { get; init; }
    public string? PatientNameP { get; init; }
    public int? PatientBirthDate { get; init; }
    public string? PatientSex { get; init; }
    // study
    public required string StudyInstanceUid { get; init; }
    public int? StudyDate { get; init; }
    public long? StudyTime { get; init; }
    public string? AccessionNumber { get; init; }
    public string? ReferringPhysicianName { get; init; }
    public string? ReferringPhysicianNameA { get; init; }
    public string? ReferringPhysicianNameI { get; init; }
    public string? ReferringPhysicianNameP { get; init; }
    public string? StudyId { get; init; }
    public string? StudyDescription { get; init; }
    // series
    public required string SeriesInstanceUid { get; init; }
    public string? Modality { get; init; }
    public int? SeriesNumber { get; init; }
    public string? SeriesDescription { get; init; }
    public int? PerformedProcedureStepStartDate { get; init; }
    public long? PerformedProcedureStepStartTime { get; init; }
    public string? ScheduledProcedureStepId { get; init; }
    public string? RequestedProcedureId { get; init; }
    // instance
    public required string SopInstanceUid { get; init; }
    public required string SopClassUid { get; init; }
    public int? InstanceNumber { get; init; }
    public string? TransferSyntaxUid { get; init; }
    public required string BlobKey { get; init; }
    public long BlobSize { get; init; }
    public required string Sha256 { get; init; }
    public string ReceivedUtc { get; init; } = DateTimeOffset.UtcNow.ToString("O");
    public string Metadata { get; init; } = "{}";

    /// <summary>How the instance came in (e.g. <c>stow-rs 10.0.0.5 alice</c>), for provenance.</summary>
    public string? Source { get; init; }

    /// <summary>Builds the row for a parsed file whose blob is <paramref name="blobKey"/>.</summary>
    public static InstanceRecord From(DicomFile file, string blobKey, long size, string sha256, string? source = null)
    {
        var ds = file.Dataset;
        string? S(DicomTag t) => Clean(SafeString(ds, t));
        var patientName = S(DicomTags.PatientName);
        var referring = S(DicomTags.ReferringPhysicianName);
        var pn = PersonNameKey.From(patientName);
        var rp = PersonNameKey.From(referring);
        var request = ds.GetSequence(DicomTags.RequestAttributesSequence)?.Items.FirstOrDefault();
        return new InstanceRecord
        {
            PatientKey = $"{S(DicomTags.PatientID)}\u001F{S(DicomTags.IssuerOfPatientID)}\u001F{patientName}",
            PatientId = S(DicomTags.PatientID),
            PatientName = patientName,
            PatientNameA = pn.Alphabetic, PatientNameI = pn.Ideographic, PatientNameP = pn.Phonetic,
            PatientBirthDate = QidoValues.DateKey(S(DicomTags.PatientBirthDate)),
            PatientSex = S(DicomTags.PatientSex),
            StudyInstanceUid = S(DicomTags.StudyInstanceUID)!,
            StudyDate = QidoValues.DateKey(S(DicomTags.StudyDate)),
            StudyTime = QidoValues.TimeKey(S(DicomTags.StudyTime)),
            AccessionNumber = S(DicomTags.AccessionNumber),
            ReferringPhysicianName = referring,
            ReferringPhysicianNameA = rp.Alphabetic, ReferringPhysicianNameI = rp.Ideographic, ReferringPhysicianNameP = rp.Phonetic,
            StudyId = S(DicomTags.StudyID),
            StudyDescription = S(DicomTags.StudyDescription),
            SeriesInstanceUid = S(DicomTags.SeriesInstanceUID)!,
            Modality = S(DicomTags.Modality),
            SeriesNumber = QidoValues.IntKey(S(DicomTags.SeriesNumber)),
            SeriesDescription = S(DicomTags.SeriesDescription),
            PerformedProcedureStepStartDate = QidoValues.DateKey(S(DicomTags.PerformedProcedureStepStartDate)),
            PerformedProcedureStepStartTime = QidoValues.TimeKey(S(DicomTags.PerformedProcedureStepStartTime)),
            ScheduledProcedureStepId = request is null ? null : Clean(SafeString(request, DicomTags.ScheduledProcedureStepID)),
            RequestedProcedureId = request is null ? null : Clean(SafeString(request, DicomTags.RequestedProcedureID)),
            SopInstanceUid = S(DicomTags.SOPInstanceUID)!,
            SopClassUid = S(DicomTags.SOPClassUID)!,
            InstanceNumber = QidoValues.IntKey(S(DicomTags.InstanceNumber)),
            TransferSyntaxUid = Clean(SafeString(file.FileMetaInformation, DicomTags.TransferSyntaxUID)) ?? file.TransferSyntax.Uid,
            BlobKey = blobKey,
            BlobSize = size,
            Sha256 = sha256,
            Source = source,
            Metadata = DicomJsonWriter.Serialize(ds, new DicomJsonWriteOptions { BulkDataUri = BulkDataUri }),
        };
    }

    /// <summary>
    /// BulkDataURI for binary values over <see cref="BulkDataThreshold"/> bytes and for encapsulated Pixel Data:
    /// <c>bulk/{tag}</c>, relative to the instance's WADO-RS URL (PS3.18 §8.7.4 / §10.4.1.1.3). The writer's callback
    /// does not see the sequence path, so a large value nested in an item gets its own tag only: the bulk data
    /// endpoint must resolve such URIs by searching the data set.
    /// </summary>
    public static string? BulkDataUri(DicomElement e) =>
        e is DicomFragmentSequence || (e.Length > BulkDataThreshold && !DicomVRInfo.IsString(e.VR)) ? $"bulk/{e.Tag.ToJsonKey()}" : null;

    static string? SafeString(DicomDataset ds, DicomTag tag)
    {
        try
        {
            return ds.GetString(tag);
        }
        catch (Exception e) when (e is DicomFormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Replace("\0", "", StringComparison.Ordinal).Trim();
}
