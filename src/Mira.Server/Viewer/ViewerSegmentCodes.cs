using Mira.Annotations.Protocols;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Server.Viewer;

/// <summary>
/// The codes of segments the viewer painted. OHIF 3.13.2 writes every segment of a SEG it stores with one placeholder
/// concept as both Segmented Property Category and Type, (T-D0050, SRT, "Tissue") (its cornerstone-dicom-seg extension
/// fixes them; the annotator can only name a segment). Mira identifies a SEG's segments by those codes (PS3.3
/// §C.8.20.2.4; a protocol label's category and type), so such a segment is taken as the protocol label whose name or
/// display name is the Segment Label (0062,0005) the annotator gave it, and that label's codes are written into the copy
/// the annotation workflow reads. Segments with any other codes are left as they are (the workflow checks them against
/// the protocol); a placeholder segment whose name is no label of the protocol is refused here, naming the labels.
/// </summary>
public static class ViewerSegmentCodes
{
    /// <summary>The placeholder concept (SNOMED RT T-D0050 and its SNOMED CT equivalent 85756007, "Tissue").</summary>
    public static bool IsPlaceholder(DicomDataset? code) =>
        code?.GetString(DicomTags.CodingSchemeDesignator) is { } scheme && code.GetString(DicomTags.CodeValue) is { } value
        && (scheme, value) is ("SRT", "T-D0050") or ("SCT", "85756007");

    /// <summary>
    /// The SEG with its placeholder-coded segments given their protocol label's codes: the same bytes when no segment has
    /// the placeholder, else a re-encoded copy (same transfer syntax, same pixel data).
    /// </summary>
    /// <exception cref="ViewerSegmentException">A placeholder segment whose label names no label of <paramref name="protocol"/>.</exception>
    public static byte[] Resolve(byte[] part10, Protocol protocol)
    {
        var file = DicomFile.Read(part10, DicomReadOptions.Untrusted);
        var segments = file.Dataset.GetSequence(DicomTags.SegmentSequence)?.Items ?? [];
        var changed = false;
        foreach (var segment in segments)
        {
            segment.TryGetFirstItem(DicomTags.SegmentedPropertyCategoryCodeSequence, out var category);
            segment.TryGetFirstItem(DicomTags.SegmentedPropertyTypeCodeSequence, out var type);
            if (!IsPlaceholder(category) || !IsPlaceholder(type)) continue;
            var name = (segment.GetString(DicomTags.SegmentLabel) ?? "").Trim();
            var label = protocol.Segments.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? protocol.Segments.FirstOrDefault(l => string.Equals(l.DisplayName, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ViewerSegmentException(
                    $"segment {(segment.TryGetUInt16(DicomTags.SegmentNumber, out var number) ? number.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")} "
                    + $"'{name}' is no label of protocol {protocol.Id}: name it {string.Join(", ", protocol.Segments.Select(l => l.Name))} (or a label's display name); "
                    + "the viewer gives every segment the placeholder code (T-D0050, SRT, \"Tissue\")");
            segment.Set(new DicomSequence(DicomTags.SegmentedPropertyCategoryCodeSequence, [Code(label.Category)]));
            segment.Set(new DicomSequence(DicomTags.SegmentedPropertyTypeCodeSequence, [Code(label.Type)]));
            changed = true;
        }
        return changed ? DicomFileWriter.ToBytes(file.Dataset, file.TransferSyntax, file.FileMetaInformation) : part10;
    }

    /// <summary>A code sequence item (PS3.3 §8.8, Table 8.8-1).</summary>
    static DicomDataset Code(CodedConcept c) => new DicomDataset()
        .Set(DicomTags.CodeValue, c.Code)
        .Set(DicomTags.CodingSchemeDesignator, c.Scheme)
        .Set(DicomTags.CodeMeaning, c.Meaning);
}

/// <summary>A viewer's segment that cannot be matched to the protocol (the message says which and what to do).</summary>
public sealed class ViewerSegmentException(string message) : Exception(message);
