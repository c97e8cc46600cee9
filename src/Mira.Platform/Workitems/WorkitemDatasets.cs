using System.Globalization;
using Mira.Dicom;
using Mira.Dicom.Json;
using Mira.Dicom.Values;
using Mira.Storage.Workitems;
using T = Mira.Dicom.DicomTags;

namespace Mira.Platform.Workitems;

/// <summary>
/// The UPS data set (PS3.4 Table CC.2.5-3, the Unified Procedure Step IOD of PS3.3 §B.26.2): built from a
/// <see cref="WorkitemRequest"/>, checked when a client creates or updates one, checked against the final-state
/// requirements before COMPLETED or CANCELED, and read back from the stored DICOM JSON.
/// </summary>
public static class WorkitemDatasets
{
    /// <summary>The SOP Class of a work item (UPS Push, PS3.4 CC.3.1).</summary>
    public const string SopClassUid = DicomUids.UnifiedProcedureStepPush;
    public const string DefaultWorklistLabel = "Mira";
    public static IReadOnlyList<string> Priorities { get; } = ["HIGH", "MEDIUM", "LOW"];
    public static IReadOnlyList<string> InputReadinessStates { get; } = ["READY", "UNAVAILABLE", "INCOMPLETE"];

    /// <summary>DCM codes for the model in Scheduled Processing Parameters (PS3.16 CID 7201 family).</summary>
    static readonly WorkitemCode AlgorithmName = new("111001", "DCM", "Algorithm Name");
    static readonly WorkitemCode AlgorithmVersion = new("111003", "DCM", "Algorithm Version");

    /// <summary>Attributes a client may not set by an update (PS3.4 CC.2.1.2.1: identity, state and the SCP's own).</summary>
    static readonly DicomTag[] NotUpdatable = [T.SOPClassUID, T.SOPInstanceUID, T.ProcedureStepState, T.TransactionUID, T.ScheduledProcedureStepModificationDateTime];

    public static string Format(DateTimeOffset t) => DicomDateTime.FromDateTimeOffset(t.ToUniversalTime(), 0).ToString();

    public static DicomDataset Code(WorkitemCode c) =>
        new DicomDataset().Set(T.CodeValue, c.Value).Set(T.CodingSchemeDesignator, c.Scheme).Set(T.CodeMeaning, c.Meaning);

    static DicomDataset TextItem(WorkitemCode concept, string text) => new DicomDataset()
        .Set(T.ValueType, "TEXT").Set(new DicomSequence(T.ConceptNameCodeSequence, [Code(concept)])).Set(T.TextValue, text);

    /// <summary>The data set of a new work item for <paramref name="r"/> (SCHEDULED, inputs READY).</summary>
    public static DicomDataset Build(string uid, WorkitemRequest r, IReadOnlyList<(string Series, string SopClass, string SopInstance)> inputs,
        DateTimeOffset now)
    {
        var baseUrl = r.RetrieveBaseUrl.TrimEnd('/');
        var input = new DicomDataset()
            .Set(T.TypeOfInstances, "DICOM")
            .Set(T.StudyInstanceUID, r.StudyInstanceUid)
            .Set(T.SeriesInstanceUID, r.SeriesInstanceUids.Count == 1 ? r.SeriesInstanceUids[0] : "")
            .Set(new DicomSequence(T.ReferencedSOPSequence, inputs.Select(i => new DicomDataset()
                .Set(T.ReferencedSOPClassUID, i.SopClass).Set(T.ReferencedSOPInstanceUID, i.SopInstance))))
            .Set(T.RetrieveURL, r.SeriesInstanceUids.Count == 1
                ? $"{baseUrl}/studies/{r.StudyInstanceUid}/series/{r.SeriesInstanceUids[0]}"
                : $"{baseUrl}/studies/{r.StudyInstanceUid}");
        var ds = new DicomDataset()
            .Set(T.SpecificCharacterSet, "ISO_IR 192")
            .Set(T.SOPClassUID, SopClassUid)
            .Set(T.SOPInstanceUID, uid)
            .Set(T.ScheduledProcedureStepPriority, r.Priority)
            .Set(T.ScheduledProcedureStepModificationDateTime, Format(now))
            .Set(T.ProcedureStepLabel, $"{r.WorkitemCode.Meaning}: {r.Model}")
            .Set(T.WorklistLabel, r.WorklistLabel)
            .Set(new DicomSequence(T.ScheduledProcessingParametersSequence,
                [TextItem(AlgorithmName, ModelName(r.Model)), TextItem(AlgorithmVersion, ModelVersion(r.Model))]))
            .Set(new DicomSequence(T.ScheduledStationNameCodeSequence))
            .Set(new DicomSequence(T.ScheduledStationClassCodeSequence))
            .Set(new DicomSequence(T.ScheduledStationGeographicLocationCodeSequence))
            .Set(T.ScheduledProcedureStepStartDateTime, Format(r.ScheduledStart ?? now))
            .Set(new DicomSequence(T.ScheduledWorkitemCodeSequence, [Code(r.WorkitemCode)]))
            .Set(T.CommentsOnTheScheduledProcedureStep, "")
            .Set(T.InputReadinessState, "READY")
            .Set(new DicomSequence(T.InputInformationSequence, [input]))
            .Set(T.StudyInstanceUID, r.StudyInstanceUid)
            .Set(T.PatientName, "")
            .Set(T.PatientID, "")
            .Set(T.PatientBirthDate, "")
            .Set(T.PatientSex, "")
            .Set(T.AdmissionID, "")
            .Set(new DicomSequence(T.IssuerOfAdmissionIDSequence))
            .Set(T.AdmittingDiagnosesDescription, "")
            .Set(new DicomSequence(T.AdmittingDiagnosesCodeSequence))
            .Set(new DicomSequence(T.ReferencedRequestSequence))
            .Set(T.ProcedureStepState, WorkitemStates.Scheduled)
            .Set(new DicomSequence(T.ProcedureStepProgressInformationSequence))
            .Set(new DicomSequence(T.UnifiedProcedureStepPerformedProcedureSequence));
        return ds;
    }

    static string ModelName(string model) => model.Split('@', 2)[0];
    static string ModelVersion(string model) => model.Split('@', 2) is [_, var v] ? v : "";

    /// <summary>
    /// Checks a client's new work item (PS3.4 CC.2.5.1.1 and Table CC.2.5-3, "N-CREATE" column): state SCHEDULED, no
    /// Transaction UID, the Type 1 attributes present and valid; fills in what the SCP provides (the modification time,
    /// a default Worklist Label, empty Type 2 attributes the client left out). Throws naming what is wrong.
    /// </summary>
    public static void CheckNew(string uid, DicomDataset ds, DateTimeOffset now)
    {
        string Where(string what) => $"work item {uid}: {what}";
        if (ds.GetString(T.ProcedureStepState) is { } state && state != WorkitemStates.Scheduled)
            throw WorkitemRefusedException.Invalid(Where($"Procedure Step State (0074,1000) must be SCHEDULED when created, not {state} (PS3.4 CC.2.5.1.1)"));
        if (!string.IsNullOrEmpty(ds.GetString(T.TransactionUID)))
            throw WorkitemRefusedException.Invalid(Where("a new work item carries no Transaction UID (0008,1195) (PS3.4 Table CC.2.5-3)"));
        if (ds.GetString(T.SOPInstanceUID) is { Length: > 0 } given && given != uid)
            throw WorkitemRefusedException.Invalid(Where($"SOP Instance UID (0008,0018) {given} differs from the work item's UID"));
        CheckPriority(uid, ds);
        if (!ds.TryGetString(T.ScheduledProcedureStepStartDateTime, out var start) || !DicomDateTime.TryParse(start, out _))
            throw WorkitemRefusedException.Invalid(Where("Scheduled Procedure Step Start DateTime (0040,4005) is required (Type 1) and must be a DT"));
        if (!ds.TryGetString(T.ProcedureStepLabel, out var label) || label.Length == 0)
            throw WorkitemRefusedException.Invalid(Where("Procedure Step Label (0074,1204) is required (Type 1)"));
        if (!ds.TryGetString(T.InputReadinessState, out var readiness) || !InputReadinessStates.Contains(readiness))
            throw WorkitemRefusedException.Invalid(Where($"Input Readiness State (0040,4041) is required, one of {string.Join(", ", InputReadinessStates)}"));
        ds.Remove(T.TransactionUID);
        ds.Set(T.SOPClassUID, SopClassUid).Set(T.SOPInstanceUID, uid).Set(T.ProcedureStepState, WorkitemStates.Scheduled)
            .Set(T.ScheduledProcedureStepModificationDateTime, Format(now));
        if (string.IsNullOrEmpty(ds.GetString(T.WorklistLabel))) ds.Set(T.WorklistLabel, DefaultWorklistLabel);
        foreach (var tag in (DicomTag[])[T.PatientName, T.PatientID, T.PatientBirthDate, T.PatientSex, T.AdmissionID, T.AdmittingDiagnosesDescription, T.StudyInstanceUID, T.CommentsOnTheScheduledProcedureStep])
            if (!ds.Contains(tag)) ds.Set(tag, "");
        foreach (var tag in (DicomTag[])[T.ScheduledProcessingParametersSequence, T.ScheduledStationNameCodeSequence, T.ScheduledStationClassCodeSequence,
                     T.ScheduledStationGeographicLocationCodeSequence, T.ScheduledWorkitemCodeSequence, T.InputInformationSequence, T.IssuerOfAdmissionIDSequence,
                     T.AdmittingDiagnosesCodeSequence, T.ReferencedRequestSequence, T.ProcedureStepProgressInformationSequence,
                     T.UnifiedProcedureStepPerformedProcedureSequence])
            if (!ds.Contains(tag)) ds.Set(new DicomSequence(tag));
    }

    static void CheckPriority(string uid, DicomDataset ds)
    {
        if (!ds.TryGetString(T.ScheduledProcedureStepPriority, out var p) || !Priorities.Contains(p))
            throw WorkitemRefusedException.Invalid($"work item {uid}: Scheduled Procedure Step Priority (0074,1200) is required, one of HIGH, MEDIUM, LOW");
    }

    /// <summary>
    /// Applies a client's update (PS3.4 CC.2.1.2, N-SET): its top-level attributes replace the stored ones; identity,
    /// state and Transaction UID cannot be set this way (refused, naming the attribute); the modification time is the SCP's.
    /// </summary>
    public static void ApplyUpdate(string uid, DicomDataset stored, DicomDataset update, DateTimeOffset now)
    {
        foreach (var tag in NotUpdatable)
            if (update.Contains(tag) && tag != T.TransactionUID && !(tag == T.SOPInstanceUID && update.GetString(tag) == uid))
                throw WorkitemRefusedException.Invalid(
                    $"work item {uid}: {DicomDictionary.Lookup(tag)?.Name ?? "attribute"} {tag} cannot be updated (PS3.4 CC.2.1.2.1); change the state with PUT …/state");
        foreach (var e in update)
            if (e.Tag.Group != 0x0000 && e.Tag.Group != 0x0002 && !NotUpdatable.Contains(e.Tag)) stored.Set(e);
        if (update.Contains(T.ScheduledProcedureStepPriority)) CheckPriority(uid, stored);
        stored.Set(T.ScheduledProcedureStepModificationDateTime, Format(now));
    }

    /// <summary>
    /// The final-state requirements (PS3.4 CC.2.1.3 and Table CC.2.5-3, "Final State" column) that a data set does not
    /// meet for <paramref name="target"/>: for COMPLETED, a Unified Procedure Step Performed Procedure Sequence item with
    /// Performed Procedure Step Start and End DateTime, Performed Workitem Code Sequence and Output Information Sequence
    /// (which may be empty). Empty when it meets them.
    /// </summary>
    public static IReadOnlyList<string> MissingForFinalState(DicomDataset ds, string target)
    {
        if (target != WorkitemStates.Completed) return [];
        if (!ds.TryGetFirstItem(T.UnifiedProcedureStepPerformedProcedureSequence, out var performed))
            return ["Unified Procedure Step Performed Procedure Sequence (0074,1216) with one item"];
        var missing = new List<string>();
        if (string.IsNullOrEmpty(performed.GetString(T.PerformedProcedureStepStartDateTime))) missing.Add("Performed Procedure Step Start DateTime (0040,4050)");
        if (string.IsNullOrEmpty(performed.GetString(T.PerformedProcedureStepEndDateTime))) missing.Add("Performed Procedure Step End DateTime (0040,4051)");
        if (performed.GetSequence(T.PerformedWorkitemCodeSequence) is not { Items.Count: > 0 }) missing.Add("Performed Workitem Code Sequence (0040,4019)");
        if (!performed.Contains(T.OutputInformationSequence)) missing.Add("Output Information Sequence (0040,4033)");
        return missing;
    }

    /// <summary>The Performed Procedure Sequence item <see cref="WorkitemService.CompleteAsync"/> writes: times, the scheduled code, the outputs.</summary>
    public static DicomDataset Performed(DicomDataset ds, DateTimeOffset started, DateTimeOffset ended, IReadOnlyList<WorkitemOutput> outputs)
    {
        var code = ds.GetSequence(T.ScheduledWorkitemCodeSequence)?.Items.Select(Clone).ToList() ?? [];
        var byStudySeries = outputs.GroupBy(o => (o.StudyInstanceUid, o.SeriesInstanceUid));
        var output = byStudySeries.Select(g => new DicomDataset()
            .Set(T.TypeOfInstances, "DICOM")
            .Set(T.StudyInstanceUID, g.Key.StudyInstanceUid)
            .Set(T.SeriesInstanceUID, g.Key.SeriesInstanceUid)
            .Set(new DicomSequence(T.ReferencedSOPSequence, g.Select(o => new DicomDataset()
                .Set(T.ReferencedSOPClassUID, o.SopClassUid).Set(T.ReferencedSOPInstanceUID, o.SopInstanceUid))))
            .Set(T.RetrieveURL, g.First().RetrieveUrl ?? ""));
        return new DicomDataset()
            .Set(new DicomSequence(T.ActualHumanPerformersSequence))
            .Set(new DicomSequence(T.PerformedStationNameCodeSequence))
            .Set(T.PerformedProcedureStepStartDateTime, Format(started))
            .Set(new DicomSequence(T.PerformedWorkitemCodeSequence, code))
            .Set(T.PerformedProcedureStepEndDateTime, Format(ended))
            .Set(new DicomSequence(T.OutputInformationSequence, output));
    }

    /// <summary>The instances an Output Information Sequence references (study, series, SOP class, SOP instance).</summary>
    public static IReadOnlyList<WorkitemOutput> Outputs(DicomDataset ds) =>
        ds.TryGetFirstItem(T.UnifiedProcedureStepPerformedProcedureSequence, out var performed)
            ? [.. (performed.GetSequence(T.OutputInformationSequence)?.Items ?? []).SelectMany(o =>
                (o.GetSequence(T.ReferencedSOPSequence)?.Items ?? []).Select(r => new WorkitemOutput(o.GetString(T.StudyInstanceUID) ?? "",
                    o.GetString(T.SeriesInstanceUID) ?? "", r.GetString(T.ReferencedSOPClassUID) ?? "", r.GetString(T.ReferencedSOPInstanceUID) ?? "",
                    o.GetString(T.RetrieveURL))))]
            : [];

    /// <summary>
    /// The data set as a performer sees a work item it does not hold: the patient (group 0010), admission and request
    /// attributes of the Unified Procedure Step Relationship Module emptied (Type 2 ones kept, empty). It learns who
    /// the patient is from the inputs, which it may read only once it has claimed the item.
    /// </summary>
    public static DicomDataset WithoutPatient(DicomDataset ds)
    {
        ds.RemoveAll(e => e.Tag.Group == 0x0010);
        foreach (var tag in (DicomTag[])[T.PatientName, T.PatientID, T.PatientBirthDate, T.PatientSex, T.AdmissionID, T.AdmittingDiagnosesDescription])
            ds.Set(tag, "");
        foreach (var tag in (DicomTag[])[T.IssuerOfAdmissionIDSequence, T.AdmittingDiagnosesCodeSequence, T.ReferencedRequestSequence])
            ds.Set(new DicomSequence(tag));
        return ds;
    }

    public static DicomDataset Clone(DicomDataset ds) => DicomJsonReader.Parse(DicomJsonWriter.Serialize(ds));

    public static string ToJson(DicomDataset ds) => DicomJsonWriter.Serialize(ds);

    public static DicomDataset FromJson(string json) => DicomJsonReader.Parse(json);

    /// <summary>The input study and series a data set's Input Information Sequence names (the study: the first item's, else the top level's).</summary>
    public static (string? Study, IReadOnlyList<string> Series) Inputs(DicomDataset ds)
    {
        var items = ds.GetSequence(T.InputInformationSequence)?.Items ?? [];
        var study = items.Select(i => i.GetString(T.StudyInstanceUID)).FirstOrDefault(s => !string.IsNullOrEmpty(s)) ?? NullIfEmpty(ds.GetString(T.StudyInstanceUID));
        var series = items.Where(i => i.GetString(T.StudyInstanceUID) == study).Select(i => i.GetString(T.SeriesInstanceUID)).ToList();
        // Any item on the study without a series takes the whole study.
        return (study, series.Any(string.IsNullOrEmpty) ? [] : [.. series.Distinct()!]);
    }

    static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    public static DateTimeOffset? ScheduledStart(DicomDataset ds) =>
        ds.TryGetString(T.ScheduledProcedureStepStartDateTime, out var s) && DicomDateTime.TryParse(s, out var dt) ? dt.Start(TimeSpan.Zero) : null;

    public static string Text(double d) => d.ToString("0.###", CultureInfo.InvariantCulture);
}
