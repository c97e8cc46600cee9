namespace Mira.Annotations.Protocols;

/// <summary>
/// An annotation protocol: the written rules a project's readers follow (YY/T 1833.3-2022 asks for them in writing) as
/// data. The definition is the JSON of <c>../shared/protocols/</c> (validated against <c>protocol.schema.json</c>, kept
/// verbatim in <see cref="Json"/>); <see cref="Workflow"/> is Mira's part: how agreement is measured and when a
/// disagreement goes to arbitration.
/// </summary>
public sealed record Protocol(
    string Id,
    string Title,
    string Domain,
    string Status,
    IReadOnlyList<string> Modalities,
    IReadOnlyList<string> SopClasses,
    IReadOnlyList<string> Geometry,
    string LabelEncoding,
    IReadOnlyList<ProtocolLabel> Labels,
    IReadOnlyList<DerivedRegion> DerivedRegions,
    IReadOnlyList<ProtocolField> Fields,
    IReadOnlyList<ProtocolMeasurement> Measurements,
    ProtocolWorkflow Workflow,
    string Json)
{
    /// <summary>
    /// The labels a mask or region can carry: value 0 is background and never a DICOM segment (protocols README), even
    /// where a protocol names it (the oesophageal WSI protocol's "BG" polygon class).
    /// </summary>
    public IEnumerable<ProtocolLabel> Segments => Labels.Where(l => l.Value != 0);

    /// <summary>The label with this voxel value, or null.</summary>
    public ProtocolLabel? LabelByValue(long value) => Labels.FirstOrDefault(l => l.Value == value);

    public ProtocolLabel? LabelByName(string name) => Labels.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.Ordinal));

    public ProtocolField? FieldByName(string name) => Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    /// <summary>Whether readers draw regions (masks, polygons, boxes, points) rather than only answer a form.</summary>
    public bool HasRegions => Geometry.Any(g => g != ProtocolGeometry.ImageLabel);

    /// <summary>Whether the protocol's labels may overlap (one binary mask per label rather than one label map).</summary>
    public bool LabelsOverlap => LabelEncoding is "multilabel-masks" or "instances" or "polygons";
}

/// <summary>The geometry names of the schema (<c>$defs/geometry</c>).</summary>
public static class ProtocolGeometry
{
    public const string ImageLabel = "imageLabel", Point = "point", Line = "line", Bbox2d = "bbox2d", Polygon2d = "polygon2d",
        Ellipse2d = "ellipse2d", Mask2d = "mask2d", Mask3d = "mask3d", Sphere3d = "sphere3d";

    public static bool IsMask(string g) => g is Mask2d or Mask3d;
}

/// <summary>A coded concept (PS3.3 §8.8): Coding Scheme Designator, Code Value, Code Meaning; <see cref="Status"/> says how it was checked.</summary>
public sealed record CodedConcept(string Scheme, string Code, string Meaning, string Status)
{
    /// <summary>The same concept: scheme and code equal (the meaning is display text, PS3.3 §8.8).</summary>
    public bool SameAs(string scheme, string code) => string.Equals(Scheme, scheme, StringComparison.Ordinal) && string.Equals(Code, code, StringComparison.Ordinal);

    public override string ToString() => $"({Code}, {Scheme}, \"{Meaning}\")";
}

/// <summary>A label: its value in Mira's encoding (0 is background), colour (sRGB hex), geometries and the codes a SEG segment carries.</summary>
public sealed record ProtocolLabel(
    string Name,
    string DisplayName,
    int Value,
    string Color,
    IReadOnlyList<string> Geometry,
    CodedConcept Category,
    CodedConcept Type,
    CodedConcept? AnatomicRegion,
    string Description,
    IReadOnlyDictionary<string, int> AltValues)
{
    /// <summary>The colour as red, green, blue bytes.</summary>
    public (byte R, byte G, byte B) Rgb => (Convert.ToByte(Color[1..3], 16), Convert.ToByte(Color[3..5], 16), Convert.ToByte(Color[5..7], 16));
}

/// <summary>A region computed from labels (a union of label values), e.g. BraTS TC = NETC + ET.</summary>
public sealed record DerivedRegion(string Name, IReadOnlyList<int> From);

/// <summary>An image-, study-, lesion- or slide-level field of the protocol's form.</summary>
public sealed record ProtocolField(
    string Name,
    string DisplayName,
    string Level,
    string Type,
    bool Required,
    IReadOnlyList<FieldValue> Values,
    string? Unit,
    string? Standard,
    string? Notes)
{
    /// <summary>"derived" fields are computed by Mira, not typed by the reader (protocols README).</summary>
    public bool IsDerived => Notes is not null && Notes.StartsWith("derived", StringComparison.OrdinalIgnoreCase);

    /// <summary>The position of an allowed value (the order the protocol lists them in: its ordinal scale), or -1.</summary>
    public int IndexOf(string value)
    {
        for (var i = 0; i < Values.Count; i++)
            if (string.Equals(Values[i].Value, value, StringComparison.Ordinal)) return i;
        return -1;
    }
}

/// <summary>An allowed value of a field (integers kept as their text) with its meaning and optional code.</summary>
public sealed record FieldValue(string Value, string Meaning, CodedConcept? Code);

/// <summary>A measurement to record or compute: which labels or regions it applies to, its unit and SR concept.</summary>
public sealed record ProtocolMeasurement(string Name, string DisplayName, IReadOnlyList<string> AppliesTo, string? Unit, string? Method, CodedConcept? Code, bool Required);
