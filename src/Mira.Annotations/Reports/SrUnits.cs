using Mira.Annotations.Protocols;

namespace Mira.Annotations.Reports;

/// <summary>Protocol unit names as UCUM codes (PS3.16 CID 82 Units of Measurement: UCUM, scheme "UCUM").</summary>
static class SrUnits
{
    static readonly Dictionary<string, (string Code, string Meaning)> Named = new(StringComparer.Ordinal)
    {
        ["mL"] = ("mL", "milliliter"), ["ml"] = ("mL", "milliliter"), ["cm3"] = ("cm3", "cubic centimeter"), ["mm3"] = ("mm3", "cubic millimeter"),
        ["mm2"] = ("mm2", "square millimeter"), ["um2"] = ("um2", "square micrometer"), ["mm"] = ("mm", "millimeter"), ["cm"] = ("cm", "centimeter"),
        ["um"] = ("um", "micrometer"), ["%"] = ("%", "percent"), ["g"] = ("g", "gram"), ["month"] = ("mo", "month"), ["week"] = ("wk", "week"),
        ["year"] = ("a", "year"), ["count"] = ("{count}", "count"), ["ratio"] = ("1", "no units"), ["px"] = ("{px}", "pixel"),
    };

    /// <summary>The UCUM concept of a protocol unit; a unit Mira does not know is kept as its own code when it is short text without spaces.</summary>
    public static CodedConcept Of(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit)) return SrCodes.NoUnits;
        if (Named.TryGetValue(unit, out var u)) return new CodedConcept("UCUM", u.Code, u.Meaning, "ucum");
        return unit.Length <= 16 && !unit.Contains(' ') && !unit.Contains('\\') ? new CodedConcept("UCUM", unit, unit, "ucum") : SrCodes.NoUnits;
    }

    /// <summary>Cubic millimetres per one unit of a volume unit, or null when the unit is not a volume.</summary>
    public static double? VolumeScale(string? unit) => unit switch
    {
        "mL" or "ml" or "cm3" => 1000,
        "mm3" => 1,
        _ => null,
    };
}
