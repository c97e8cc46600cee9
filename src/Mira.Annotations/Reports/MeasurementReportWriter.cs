using System.Globalization;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;
using static Mira.Annotations.Reports.SrItems;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Annotations.Reports;

/// <summary>
/// Writes a read as a Comprehensive 3D SR (PS3.3 §A.35.13) following PS3.16 TID 1500 "Measurement Report": the
/// observation context (TID 1001: the author as person observer), Procedure Reported, the Image Library (TID 1600),
/// Imaging Measurements (TID 1410 planar ROI groups for polygons, TID 1411 volumetric ROI groups for mask volumes,
/// TID 1501 for the form's numbers) and Qualitative Evaluations (the form's coded and text answers). Strict: everything
/// is checked against the protocol and the referenced images before anything is built; a refusal is an
/// <see cref="AnnotationException"/> naming what and where.
/// </summary>
public static partial class MeasurementReportWriter
{
    /// <summary>The instance as a data set (no file meta information).</summary>
    public static DicomDataset Write(MeasurementReportRequest request)
    {
        var images = Check(request);
        var p = request.Protocol;
        var first = request.ReferencedInstances[0];
        var ds = new DicomDataset();
        ds.Set(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        // Patient and General Study modules (PS3.3 §C.7.1.1, §C.7.2.1), copied from the referenced images.
        // Copied as text, decoded with the image's Specific Character Set: the report is UTF-8 (ISO_IR 192), an
        // image may be GB18030 or Latin-1, and its raw bytes would read differently here.
        foreach (var tag in CopiedFromImages)
            if (first.Find(tag) is { } e) ds.Set(tag, e.VR, first.GetStrings(tag));
        foreach (var tag in Type2FromImages)
            if (!ds.Contains(tag)) ds.Set(tag, []);
        // SOP Common (§C.12.1), SR Document Series (§C.17.1), General Equipment (§C.7.5.1).
        ds.Set(DicomTags.SOPClassUID, DicomUids.Comprehensive3DSRStorage);
        ds.Set(DicomTags.SOPInstanceUID, request.SopInstanceUid);
        ds.Set(DicomTags.Modality, "SR");
        ds.Set(DicomTags.SeriesInstanceUID, request.SeriesInstanceUid);
        ds.Set(DicomTags.SeriesNumber, Is(request.SeriesNumber));
        ds.Set(DicomTags.SeriesDescription, Lo(request.SeriesDescription ?? $"{p.Id} read"));
        ds.Set(new DicomSequence(DicomTags.ReferencedPerformedProcedureStepSequence));
        ds.Set(DicomTags.Manufacturer, "Mira");
        ds.Set(DicomTags.SoftwareVersions, "Mira");
        // SR Document General (§C.17.2).
        var utc = request.ContentDateTime.ToUniversalTime();
        ds.Set(DicomTags.InstanceNumber, Is(request.InstanceNumber));
        ds.Set(DicomTags.ContentDate, utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.ContentTime, utc.ToString("HHmmss", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.TimezoneOffsetFromUTC, "+0000");
        ds.Set(DicomTags.CompletionFlag, request.Complete ? "COMPLETE" : "PARTIAL");
        if (request.VerifiedBy is { } v)
        {
            ds.Set(DicomTags.VerificationFlag, "VERIFIED");
            ds.Set(Sequence(DicomTags.VerifyingObserverSequence, new DicomDataset()
                .Set(DicomTags.VerifyingOrganization, Lo(v.Organization))
                .Set(DicomTags.VerificationDateTime, v.DateTime.ToUniversalTime().ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+0000")
                .Set(DicomTags.VerifyingObserverName, v.Name)
                .Set(new DicomSequence(DicomTags.VerifyingObserverIdentificationCodeSequence))));
        }
        else ds.Set(DicomTags.VerificationFlag, "UNVERIFIED");
        ds.Set(Sequence(DicomTags.CurrentRequestedProcedureEvidenceSequence, Evidence(images.Values, request.Volumes)));
        ds.Set(new DicomSequence(DicomTags.PerformedProcedureCodeSequence));
        // SR Document Content (§C.17.3): the root CONTAINER of TID 1500.
        var root = Container(null, SrCodes.ImagingMeasurementReport, Content(request, images), "1500");
        foreach (var e in root) ds.Set(e);
        return ds;
    }

    /// <summary>The instance as a Part 10 file (Explicit VR Little Endian).</summary>
    public static byte[] WriteBytes(MeasurementReportRequest request) => DicomFileWriter.ToBytes(Write(request), TransferSyntax.ExplicitVRLittleEndian);

    static readonly DicomTag[] CopiedFromImages =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.IssuerOfPatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
        DicomTags.PatientAge, DicomTags.StudyInstanceUID, DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.ReferringPhysicianName,
        DicomTags.StudyID, DicomTags.AccessionNumber, DicomTags.StudyDescription,
    ];

    static readonly DicomTag[] Type2FromImages =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex, DicomTags.StudyDate,
        DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyID, DicomTags.AccessionNumber,
    ];

    static IReadOnlyDictionary<string, ReferencedImage> Check(MeasurementReportRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var p = r.Protocol;
        if (r.Device is null && string.IsNullOrWhiteSpace(r.Author)) throw new AnnotationException("the report has no author (Person Observer Name, TID 1003)");
        foreach (var (uid, what) in new[] { (r.SeriesInstanceUid, "Series Instance UID"), (r.SopInstanceUid, "SOP Instance UID") })
            if (DicomUid.Validate(uid) is { } problem) throw new AnnotationException($"the report's {what} '{uid}': {problem}");
        if (r.ReferencedInstances.Count == 0) throw new AnnotationException("the report references no image: a TID 1500 report is about images (TID 1600 Image Library)");
        var images = ReferencedImage.Index(r.ReferencedInstances);
        if (r.VerifiedBy is { } v)
        {
            if (string.IsNullOrWhiteSpace(v.Name)) throw new AnnotationException("a VERIFIED report names its verifying observer (PS3.3 Table C.17-2)");
            if (!r.Complete) throw new AnnotationException("a VERIFIED report is COMPLETE: a partial report cannot be verified");
        }
        var answers = r.Answers?.Values.Count ?? 0;
        var regions = r.Volumes?.Masks.Labels.Count ?? 0;
        if (answers == 0 && r.Polygons.Count == 0 && regions == 0)
            throw new AnnotationException("the report is empty: no answer, no polygon and no region");
        if (r.Answers is { } a)
            foreach (var field in a.Values.Keys)
                if (p.FieldByName(field) is null) throw new AnnotationException($"field '{field}' is not in protocol {p.Id}");
        for (var i = 0; i < r.Polygons.Count; i++)
        {
            var poly = r.Polygons[i];
            var what = $"polygon {i + 1} (label {poly.Label})";
            var label = p.LabelByValue(poly.Label);
            if (label is null || label.Value == 0) throw new AnnotationException($"{what}: label value {poly.Label} is not a label of protocol {p.Id}");
            if (!label.Geometry.Contains(ProtocolGeometry.Polygon2d) && !label.Geometry.Contains(ProtocolGeometry.Mask2d))
                throw new AnnotationException($"{what}: label {label.Name} is drawn as {string.Join("/", label.Geometry)} in protocol {p.Id}, not as a polygon");
            if (poly.Points.Count < 3) throw new AnnotationException($"{what}: {poly.Points.Count} point(s); a polygon has at least 3 (PS3.3 §C.18.6.1.2)");
            if (poly.Points.Any(q => !double.IsFinite(q.X) || !double.IsFinite(q.Y))) throw new AnnotationException($"{what}: a vertex is not a finite number");
            if (!images.TryGetValue(poly.SopInstanceUid, out var image))
                throw new AnnotationException($"{what}: instance {poly.SopInstanceUid} is not among the report's referenced instances");
            image.Check(poly, what);
        }
        if (r.Volumes is { } vol)
        {
            if (!double.IsFinite(vol.VoxelVolumeMm3) || vol.VoxelVolumeMm3 <= 0) throw new AnnotationException($"voxel volume {vol.VoxelVolumeMm3} mm³ is not a positive number");
            foreach (var l in vol.Masks.Labels)
                if (p.LabelByValue(l) is not { Value: > 0 }) throw new AnnotationException($"mask label value {l} is not a label of protocol {p.Id}");
            if (vol.SegmentationSopInstanceUid is { } seg)
            {
                if (DicomUid.Validate(seg) is { } problem) throw new AnnotationException($"the SEG's SOP Instance UID '{seg}': {problem}");
                if (vol.SegmentationSeriesInstanceUid is not { } segSeries || DicomUid.Validate(segSeries) is not null)
                    throw new AnnotationException($"the SEG {seg} needs a valid Series Instance UID: the report lists it as evidence (PS3.3 §C.17.2.1)");
            }
        }
        return images;
    }

    /// <summary>
    /// Current Requested Procedure Evidence (PS3.3 §C.17.2.1 SOP Instance Reference Macro: study, its series, their
    /// instances): every referenced image, and the SEG whose segments the report references (it is evidence too: every
    /// instance an IMAGE item references is listed here).
    /// </summary>
    static DicomDataset Evidence(IEnumerable<ReferencedImage> images, RegionVolumes? volumes)
    {
        var refs = images.Select(i => (Series: i.SeriesInstanceUid, Class: i.SopClassUid, Instance: i.SopInstanceUid)).ToList();
        if (volumes is { SegmentationSopInstanceUid: { } seg, SegmentationSeriesInstanceUid: { } segSeries }) refs.Add((segSeries, DicomUids.SegmentationStorage, seg));
        return new DicomDataset()
            .Set(DicomTags.StudyInstanceUID, images.First().StudyInstanceUid)
            .Set(Sequence(DicomTags.ReferencedSeriesSequence, refs.GroupBy(i => i.Series).Select(s => new DicomDataset()
                .Set(DicomTags.SeriesInstanceUID, s.Key)
                .Set(Sequence(DicomTags.ReferencedSOPSequence, s.Select(i => new DicomDataset()
                    .Set(DicomTags.ReferencedSOPClassUID, i.Class)
                    .Set(DicomTags.ReferencedSOPInstanceUID, i.Instance)).ToArray()))).ToArray()));
    }

    static IEnumerable<DicomDataset> Content(MeasurementReportRequest r, IReadOnlyDictionary<string, ReferencedImage> images)
    {
        // TID 1204 Language, TID 1001/1002/1003 observation context (the author), Procedure reported.
        yield return CodeValue(HasConceptMod, SrCodes.LanguageOfContent, SrCodes.English);
        if (r.Device is { } device)
        {
            // TID 1002 with Observer Type Device, TID 1004: the algorithm is the observer.
            yield return CodeValue(HasObsContext, SrCodes.ObserverType, SrCodes.Device);
            yield return UidRef(HasObsContext, SrCodes.DeviceObserverUid, device.Uid);
            yield return Text(HasObsContext, SrCodes.DeviceObserverName, device.Name);
            yield return Text(HasObsContext, SrCodes.DeviceObserverManufacturer, device.Manufacturer);
            yield return Text(HasObsContext, SrCodes.DeviceObserverModelName, device.ModelName);
        }
        else
        {
            yield return CodeValue(HasObsContext, SrCodes.ObserverType, SrCodes.Person);
            yield return PersonName(HasObsContext, SrCodes.PersonObserverName, r.Author);
            if (r.AuthorRole is { } role) yield return CodeValue(HasObsContext, SrCodes.PersonObserverRoleInProcedure, role);
        }
        yield return CodeValue(HasConceptMod, SrCodes.ProcedureReported, r.ProcedureReported ?? SrCodes.ImagingProcedure);
        // TID 1600 Image Library: one group, an entry (TID 1601) per referenced image.
        yield return Container(Contains, SrCodes.ImageLibrary,
            [Container(Contains, SrCodes.ImageLibraryGroup, images.Values.Select(i => Image(Contains, null, i.SopClassUid, i.SopInstanceUid)))]);
        var groups = new List<DicomDataset>();
        groups.AddRange(PolygonGroups(r, images));
        groups.AddRange(VolumeGroups(r, images));
        if (NumberGroup(r) is { } numbers) groups.Add(numbers);
        if (groups.Count > 0) yield return Container(Contains, SrCodes.ImagingMeasurements, groups);
        var qualitative = Qualitative(r).ToArray();
        if (qualitative.Length > 0) yield return Container(Contains, SrCodes.QualitativeEvaluations, qualitative);
    }
}
