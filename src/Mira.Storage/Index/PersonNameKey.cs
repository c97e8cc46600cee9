using Mira.Dicom.Values;

namespace Mira.Storage.Index;

/// <summary>
/// Normalised Person Name (PN, PS3.5 §6.2.1) columns for case-insensitive matching: the alphabetic, ideographic and
/// phonetic component groups of the decoded (Unicode) value, each upper-cased (invariant culture). Storing decoded
/// text makes a query match whatever character set (0008,0005) the object was encoded in.
/// </summary>
public readonly record struct PersonNameKey(string? Alphabetic, string? Ideographic, string? Phonetic)
{
    public static PersonNameKey From(string? value)
    {
        if (string.IsNullOrEmpty(value)) return default;
        var groups = value.Split('=');
        string? G(int i) => i < groups.Length && Normalise(groups[i]) is { Length: > 0 } g ? g : null;
        return new PersonNameKey(G(0), G(1), G(2));
    }

    /// <summary>Upper-cased, components trimmed, trailing empty components dropped (as <see cref="DicomPersonNameGroup"/> prints).</summary>
    public static string Normalise(string group) => DicomPersonNameGroup.Parse(group).ToString().ToUpperInvariant();
}
