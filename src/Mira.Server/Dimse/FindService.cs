using System.Globalization;
using Mira.Dicom;
using Mira.Dicom.Network;
using Mira.Storage.Query;

namespace Mira.Server.Dimse;

/// <summary>
/// C-FIND SCP for the patient root and study root information models (PS3.4 §C.4.1, §C.6.1, §C.6.2), at every
/// level, with the archive's QIDO matching (single value, wildcard, UID list, date/time ranges incl. combined
/// date-time, person names across character sets: PS3.4 §C.2.2.2). Each match goes back as a pending response
/// carrying exactly the keys of the request identifier (zero-length where the archive has no value) plus the
/// Query/Retrieve Level; keys the index cannot match on are answered with the Pending warning FF01 (PS3.4 Table
/// C.4-1). Relational queries are not supported: keys below the level are ignored. A C-CANCEL-RQ ends the
/// responses with Cancel (FE00).
/// </summary>
public sealed class FindService(MiraPlatform archive, string aeTitle)
{
    static readonly HashSet<DicomTag> NotMatchingKeys = [DicomTags.QueryRetrieveLevel, DicomTags.SpecificCharacterSet, DicomTags.RetrieveAETitle,
        DicomTags.InstanceAvailability, DicomTags.NumberOfPatientRelatedStudies, DicomTags.NumberOfPatientRelatedSeries,
        DicomTags.NumberOfPatientRelatedInstances, DicomTags.NumberOfStudyRelatedSeries, DicomTags.NumberOfStudyRelatedInstances,
        DicomTags.NumberOfSeriesRelatedInstances];

    public async Task<RetrieveOutcome> FindAsync(DimseOperation operation)
    {
        var rq = operation.Request;
        var root = SopClasses.RootOf(rq.AffectedSopClassUid ?? "");
        DicomDataset identifier;
        try
        {
            identifier = rq.Dataset ?? throw new DicomFormatException("C-FIND-RQ without an identifier", null, 0);
        }
        catch (DicomFormatException e)
        {
            return Refuse(rq, $"unreadable identifier: {e.Message}");
        }
        var levelText = identifier.GetString(DicomTags.QueryRetrieveLevel)?.Trim().ToUpperInvariant();
        QueryLevel level;
        switch (levelText)
        {
            case "PATIENT" when root == QueryRoot.Patient: level = QueryLevel.Patient; break;
            case "STUDY": level = QueryLevel.Study; break;
            case "SERIES": level = QueryLevel.Series; break;
            case "IMAGE": level = QueryLevel.Image; break;
            default:
                return Refuse(rq, levelText is null ? "no Query/Retrieve Level (0008,0052)" : $"Query/Retrieve Level '{levelText}' is not valid for the {root} root");
        }

        var (query, unsupported) = BuildQuery(identifier, level);
        var summary = $"{root} root {levelText}: " + string.Join(' ', query.Matches.Where(m => m.Value.Length > 0).Select(m => $"{m.Tag}={m.Value}"));
        var pending = unsupported ? DicomStatus.PendingWarning : DicomStatus.Pending;
        var matches = 0;
        var studies = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var result in SearchAsync(query, level, operation.Cancelled))
            {
                if (result.GetString(DicomTags.StudyInstanceUID) is { } study) studies.Add(study);
                await operation.SendPendingAsync(DimseMessages.FindResponse(rq, pending, Answer(identifier, result, levelText!, aeTitle)));
                matches++;
            }
        }
        catch (OperationCanceledException) when (operation.CancelRequested)
        {
            return new RetrieveOutcome(DicomMessage.ResponseTo(rq, DicomStatus.Cancel), Resource(studies), $"{summary} (cancelled after {matches})");
        }
        catch (QidoQueryException e)
        {
            return Refuse(rq, e.Message);
        }
        return new RetrieveOutcome(DicomMessage.ResponseTo(rq, DicomStatus.Success), Resource(studies), $"{summary} ({matches} matches)");
    }

    static string? Resource(SortedSet<string> studies) => studies.Count == 0 ? null : string.Join(',', studies.Take(20));

    static RetrieveOutcome Refuse(DicomMessage rq, string why) =>
        new(DimseMessages.WithErrorComment(DicomMessage.ResponseTo(rq, DicomStatus.IdentifierDoesNotMatchSopClass), why), null, why);

    public enum QueryLevel { Patient, Study, Series, Image }

    /// <summary>Matching keys (non-empty values) and return keys of the identifier, as a QIDO query with every key included.</summary>
    static (QidoQuery Query, bool Unsupported) BuildQuery(DicomDataset identifier, QueryLevel level)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        var unsupported = false;
        var qidoLevel = level switch { QueryLevel.Series => QidoLevel.Series, QueryLevel.Image => QidoLevel.Instance, _ => QidoLevel.Study };
        foreach (var e in identifier)
        {
            var key = $"{e.Tag.Group:X4}{e.Tag.Element:X4}";
            if (e.Tag.Group is 0x0000 or 0x0002 || e.Tag == DicomTags.QueryRetrieveLevel) continue;
            pairs.Add(new("includefield", key));
            if (NotMatchingKeys.Contains(e.Tag)) continue; // return keys only
            if (e is DicomSequence sq)
            {
                // Sequence matching (PS3.4 §C.2.2.2.6) is not offered; an item with values asks for it.
                if (sq.Items.Any(i => i.Any(x => x.Length > 0))) unsupported = true;
                continue;
            }
            if (e.Length == 0) continue;
            var value = string.Join('\\', identifier.GetStrings(e.Tag));
            if (value.Length == 0 || value == "*") continue;
            var attribute = QidoAttributes.Find([e.Tag]);
            if (attribute is null || attribute.Level > qidoLevel) { unsupported = true; continue; }
            pairs.Add(new(key, value));
        }
        pairs.Add(new("limit", QidoQuery.MaxLimit.ToString(CultureInfo.InvariantCulture)));
        return (QidoQuery.Parse(pairs), unsupported);
    }

    /// <summary>Every match, paging through the index (<see cref="QidoQuery.MaxLimit"/> rows at a time).</summary>
    async IAsyncEnumerable<DicomDataset> SearchAsync(QidoQuery query, QueryLevel level, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var seenPatients = new HashSet<string>(StringComparer.Ordinal);
        for (var offset = 0; ; offset += QidoQuery.MaxLimit)
        {
            ct.ThrowIfCancellationRequested();
            var page = new QidoQuery
            {
                Matches = query.Matches, IncludeFields = query.IncludeFields, IncludeAll = query.IncludeAll, Limit = QidoQuery.MaxLimit, Offset = offset,
            };
            var rows = level switch
            {
                QueryLevel.Series => await archive.Index.QuerySeriesAsync(page, null, ct),
                QueryLevel.Image => await archive.Index.QueryInstancesAsync(page, null, null, ct),
                _ => await archive.Index.QueryStudiesAsync(page, ct),
            };
            foreach (var row in rows)
            {
                ct.ThrowIfCancellationRequested();
                if (level == QueryLevel.Patient)
                {
                    // One answer per patient: the study rows of a patient carry the same patient module.
                    var id = (row.GetString(DicomTags.PatientID) ?? "") + "\u0001" + (row.GetString(DicomTags.IssuerOfPatientID) ?? "");
                    if (!seenPatients.Add(id)) continue;
                }
                yield return row;
            }
            if (rows.Count < QidoQuery.MaxLimit) yield break;
        }
    }

    /// <summary>The response identifier: each requested key with the archive's value, or zero-length (PS3.4 §C.4.1.1.3.2).</summary>
    static DicomDataset Answer(DicomDataset identifier, DicomDataset result, string level, string aeTitle)
    {
        var answer = new DicomDataset();
        if (result.Find(DicomTags.SpecificCharacterSet) is { } cs) answer.Set(cs);
        answer.Set(DicomTags.QueryRetrieveLevel, level);
        foreach (var e in identifier)
        {
            if (e.Tag.Group is 0x0000 or 0x0002 || e.Tag == DicomTags.QueryRetrieveLevel || e.Tag == DicomTags.SpecificCharacterSet) continue;
            if (e.Tag == DicomTags.RetrieveAETitle) { answer.Set(DicomTags.RetrieveAETitle, aeTitle); continue; } // retrievable from this AE
            if (result.Find(e.Tag) is { } value) answer.Set(value);
            else if (e is DicomSequence) answer.Set(new DicomSequence(e.Tag));
            else answer.Set(new DicomElement(e.Tag, e.VR, ReadOnlyMemory<byte>.Empty));
        }
        return answer;
    }
}
