using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;

namespace Mira.Annotations.Reports;

/// <summary>What a TID 1500 Measurement Report says, read back against a protocol.</summary>
public sealed record MeasurementReport(
    string SopInstanceUid,
    string? Author,
    bool Complete,
    bool Verified,
    string? VerifyingObserver,
    FormAnswers? Answers,
    IReadOnlyList<PolygonAnnotation> Polygons,
    IReadOnlyList<RegionMeasurement> Measurements);

/// <summary>
/// One NUM of a measurement group: the region (the group's Tracking Identifier: a label name, a derived region such as
/// TC, or "TUMOUR 1" for a polygon), the protocol label when the Finding is one, the concept (Volume, Area), value and
/// UCUM unit, and the SEG segment the group references, if any.
/// </summary>
public sealed record RegionMeasurement(
    string Region,
    int? Label,
    CodedConcept Concept,
    double Value,
    CodedConcept Unit,
    string? SegmentationSopInstanceUid,
    int? SegmentNumber);
