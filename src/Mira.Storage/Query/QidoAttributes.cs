using Mira.Dicom;

namespace Mira.Storage.Query;

/// <summary>How an indexed attribute is matched (PS3.4 §C.2.2.2).</summary>
public enum QidoMatchKind { Text, Uid, PersonName, Date, Time, Integer, CodeList, ModalitiesInStudy }

/// <summary>An attribute the index can match on: its level, SQL column and kind.</summary>
public sealed record QidoAttribute(IReadOnlyList<DicomTag> Path, QidoLevel Level, string Column, QidoMatchKind Kind);

/// <summary>
/// The matching attributes (PS3.18 Table 10.6.1-5, plus a few common ones) and the default return attributes
/// (PS3.18 §10.6.3.3, Tables 10.6.3-3 to 10.6.3-5) of each level.
/// </summary>
public static class QidoAttributes
{
    static QidoAttribute A(QidoLevel level, string column, QidoMatchKind kind, params DicomTag[] path) => new(path, level, column, kind);

    public static IReadOnlyList<QidoAttribute> Matching { get; } =
    [
        A(QidoLevel.Study, "st.study_date", QidoMatchKind.Date, DicomTags.StudyDate),
        A(QidoLevel.Study, "st.study_time", QidoMatchKind.Time, DicomTags.StudyTime),
        A(QidoLevel.Study, "st.accession_number", QidoMatchKind.Text, DicomTags.AccessionNumber),
        A(QidoLevel.Study, "", QidoMatchKind.ModalitiesInStudy, DicomTags.ModalitiesInStudy),
        A(QidoLevel.Study, "st.referring_physician_name", QidoMatchKind.PersonName, DicomTags.ReferringPhysicianName),
        A(QidoLevel.Study, "p.patient_name", QidoMatchKind.PersonName, DicomTags.PatientName),
        A(QidoLevel.Study, "p.patient_id", QidoMatchKind.Text, DicomTags.PatientID),
        A(QidoLevel.Study, "p.patient_birth_date", QidoMatchKind.Date, DicomTags.PatientBirthDate),
        A(QidoLevel.Study, "p.patient_sex", QidoMatchKind.Text, DicomTags.PatientSex),
        A(QidoLevel.Study, "st.study_uid", QidoMatchKind.Uid, DicomTags.StudyInstanceUID),
        A(QidoLevel.Study, "st.study_id", QidoMatchKind.Text, DicomTags.StudyID),
        A(QidoLevel.Study, "st.study_description", QidoMatchKind.Text, DicomTags.StudyDescription),
        A(QidoLevel.Series, "se.modality", QidoMatchKind.CodeList, DicomTags.Modality),
        A(QidoLevel.Series, "se.series_uid", QidoMatchKind.Uid, DicomTags.SeriesInstanceUID),
        A(QidoLevel.Series, "se.series_number", QidoMatchKind.Integer, DicomTags.SeriesNumber),
        A(QidoLevel.Series, "se.series_description", QidoMatchKind.Text, DicomTags.SeriesDescription),
        A(QidoLevel.Series, "se.pps_start_date", QidoMatchKind.Date, DicomTags.PerformedProcedureStepStartDate),
        A(QidoLevel.Series, "se.pps_start_time", QidoMatchKind.Time, DicomTags.PerformedProcedureStepStartTime),
        A(QidoLevel.Series, "se.scheduled_procedure_step_id", QidoMatchKind.Text, DicomTags.RequestAttributesSequence, DicomTags.ScheduledProcedureStepID),
        A(QidoLevel.Series, "se.requested_procedure_id", QidoMatchKind.Text, DicomTags.RequestAttributesSequence, DicomTags.RequestedProcedureID),
        A(QidoLevel.Instance, "i.sop_class_uid", QidoMatchKind.Uid, DicomTags.SOPClassUID),
        A(QidoLevel.Instance, "i.sop_instance_uid", QidoMatchKind.Uid, DicomTags.SOPInstanceUID),
        A(QidoLevel.Instance, "i.instance_number", QidoMatchKind.Integer, DicomTags.InstanceNumber),
    ];

    public static QidoAttribute? Find(IReadOnlyList<DicomTag> path) => Matching.FirstOrDefault(a => a.Path.SequenceEqual(path));

    /// <summary>Study level defaults (Table 10.6.3-3); RetrieveURL is the HTTP layer's to add.</summary>
    public static IReadOnlyList<DicomTag> StudyDefaults { get; } =
    [
        DicomTags.SpecificCharacterSet, DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber,
        DicomTags.InstanceAvailability, DicomTags.ModalitiesInStudy, DicomTags.ReferringPhysicianName,
        DicomTags.TimezoneOffsetFromUTC, DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate,
        DicomTags.PatientSex, DicomTags.StudyInstanceUID, DicomTags.StudyID, DicomTags.NumberOfStudyRelatedSeries,
        DicomTags.NumberOfStudyRelatedInstances,
    ];

    /// <summary>Series level defaults (Table 10.6.3-4).</summary>
    public static IReadOnlyList<DicomTag> SeriesDefaults { get; } =
    [
        DicomTags.SpecificCharacterSet, DicomTags.Modality, DicomTags.TimezoneOffsetFromUTC, DicomTags.SeriesDescription,
        DicomTags.SeriesInstanceUID, DicomTags.SeriesNumber, DicomTags.NumberOfSeriesRelatedInstances,
        DicomTags.PerformedProcedureStepStartDate, DicomTags.PerformedProcedureStepStartTime, DicomTags.RequestAttributesSequence,
    ];

    /// <summary>Instance level defaults (Table 10.6.3-5).</summary>
    public static IReadOnlyList<DicomTag> InstanceDefaults { get; } =
    [
        DicomTags.SpecificCharacterSet, DicomTags.SOPClassUID, DicomTags.SOPInstanceUID, DicomTags.InstanceAvailability,
        DicomTags.TimezoneOffsetFromUTC, DicomTags.InstanceNumber, DicomTags.Rows, DicomTags.Columns,
        DicomTags.BitsAllocated, DicomTags.NumberOfFrames,
    ];

    /// <summary>What <c>includefield=all</c> adds at study level: the patient group and the common study attributes.</summary>
    public static bool IsStudyLevel(DicomTag t) =>
        t.Group == 0x0010 || StudyDefaults.Contains(t) || t == DicomTags.StudyDescription || t == DicomTags.PhysiciansOfRecord
        || t == DicomTags.NameOfPhysiciansReadingStudy || t == DicomTags.AdmittingDiagnosesDescription || t == DicomTags.IssuerOfPatientID;

    /// <summary>What <c>includefield=all</c> adds at series level.</summary>
    public static bool IsSeriesLevel(DicomTag t) =>
        SeriesDefaults.Contains(t) || t == DicomTags.SeriesDate || t == DicomTags.SeriesTime || t == DicomTags.BodyPartExamined
        || t == DicomTags.ProtocolName || t == DicomTags.Laterality || t == DicomTags.PerformingPhysicianName
        || t == DicomTags.OperatorsName || t == DicomTags.Manufacturer || t == DicomTags.FrameOfReferenceUID;
}
