using Mira.Annotations.Protocols;
using Mira.Conversion;
using Mira.Dicom;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Annotations.Reports;

/// <summary>
/// Builders for SR content items (PS3.3 §C.17.3 SR Document Content Module, Table C.17-5 Document Content Macro):
/// Relationship Type, Value Type, Concept Name Code Sequence, then the value attributes of the value type.
/// </summary>
static class SrItems
{
    public const string Contains = "CONTAINS", HasConceptMod = "HAS CONCEPT MOD", HasObsContext = "HAS OBS CONTEXT", SelectedFrom = "SELECTED FROM";

    public static DicomDataset CodeItem(CodedConcept c) => Code(c.Code, c.Scheme, Lo(c.Meaning));

    static DicomDataset Item(string? relationship, string valueType, CodedConcept? concept)
    {
        var ds = new DicomDataset();
        if (relationship is not null) ds.Set(DicomTags.RelationshipType, relationship);
        ds.Set(DicomTags.ValueType, valueType);
        if (concept is not null) ds.Set(Sequence(DicomTags.ConceptNameCodeSequence, CodeItem(concept)));
        return ds;
    }

    /// <summary>A CONTAINER (§C.18.8: Continuity Of Content SEPARATE), optionally naming its template (TID, DCMR).</summary>
    public static DicomDataset Container(string? relationship, CodedConcept concept, IEnumerable<DicomDataset> children, string? templateId = null)
    {
        var ds = Item(relationship, "CONTAINER", concept).Set(DicomTags.ContinuityOfContent, "SEPARATE");
        if (templateId is not null)
            ds.Set(Sequence(DicomTags.ContentTemplateSequence, new DicomDataset().Set(DicomTags.MappingResource, "DCMR").Set(DicomTags.TemplateIdentifier, templateId)));
        var items = children.ToArray();
        if (items.Length > 0) ds.Set(Sequence(DicomTags.ContentSequence, items));
        return ds;
    }

    public static DicomDataset CodeValue(string relationship, CodedConcept concept, CodedConcept value) =>
        Item(relationship, "CODE", concept).Set(Sequence(DicomTags.ConceptCodeSequence, CodeItem(value)));

    public static DicomDataset Text(string relationship, CodedConcept concept, string text) =>
        Item(relationship, "TEXT", concept).Set(DicomTags.TextValue, text);

    public static DicomDataset PersonName(string relationship, CodedConcept concept, string name) =>
        Item(relationship, "PNAME", concept).Set(DicomTags.PersonName, name);

    public static DicomDataset UidRef(string relationship, CodedConcept concept, string uid) =>
        Item(relationship, "UIDREF", concept).Set(DicomTags.UID, uid);

    /// <summary>A NUM (§C.18.1: Measured Value Sequence with Numeric Value and Measurement Units Code Sequence; the double in Floating Point Value).</summary>
    public static DicomDataset Num(string relationship, CodedConcept concept, double value, CodedConcept unit) =>
        Item(relationship, "NUM", concept).Set(Sequence(DicomTags.MeasuredValueSequence, new DicomDataset()
            .Set(Sequence(DicomTags.MeasurementUnitsCodeSequence, CodeItem(unit)))
            .Set(DicomTags.NumericValue, Ds(value))
            .Set(FD(DicomTags.FloatingPointValue, value))));

    /// <summary>An IMAGE reference (§C.18.4 Image Reference Macro): class, instance, optionally the frame and the segment.</summary>
    public static DicomDataset Image(string relationship, CodedConcept? concept, string sopClass, string sopInstance, int? frame = null, int? segment = null)
    {
        var reference = new DicomDataset().Set(DicomTags.ReferencedSOPClassUID, sopClass).Set(DicomTags.ReferencedSOPInstanceUID, sopInstance);
        if (frame is { } f) reference.Set(DicomTags.ReferencedFrameNumber, Is(f));
        if (segment is { } s) reference.Set(US(DicomTags.ReferencedSegmentNumber, s));
        return Item(relationship, "IMAGE", concept).Set(Sequence(DicomTags.ReferencedSOPSequence, reference));
    }

    /// <summary>A SCOORD (§C.18.6: Graphic Data as column\row pairs in the image's pixel space) selected from one image.</summary>
    public static DicomDataset Scoord(string relationship, CodedConcept concept, string graphicType, float[] data, DicomDataset selectedFrom) =>
        Item(relationship, "SCOORD", concept)
            .Set(FL(DicomTags.GraphicData, data))
            .Set(DicomTags.GraphicType, graphicType)
            .Set(Sequence(DicomTags.ContentSequence, selectedFrom));

    // Reading.

    public static string? ValueType(DicomDataset item) => item.GetString(DicomTags.ValueType);

    public static CodedConcept? Concept(DicomDataset item) => FirstCode(item, DicomTags.ConceptNameCodeSequence);

    public static CodedConcept? FirstCode(DicomDataset item, DicomTag sequence) =>
        item.TryGetFirstItem(sequence, out var c)
            ? new CodedConcept(c.GetString(DicomTags.CodingSchemeDesignator) ?? "", c.GetString(DicomTags.CodeValue) ?? c.GetString(DicomTags.LongCodeValue) ?? c.GetString(DicomTags.URNCodeValue) ?? "", c.GetString(DicomTags.CodeMeaning) ?? "", "read")
            : null;

    public static IReadOnlyList<DicomDataset> Children(DicomDataset item) =>
        item.GetSequence(DicomTags.ContentSequence)?.Items ?? (IReadOnlyList<DicomDataset>)[];

    public static bool Named(DicomDataset item, CodedConcept concept) => Concept(item) is { } c && concept.SameAs(c.Scheme, c.Code);
}
