namespace Mira.Dicom.Values;

/// <summary>
/// A Person Name (PN) value (PS3.5 §6.2.1): up to three component groups — alphabetic, ideographic, phonetic —
/// separated by '=', each of up to five components (family, given, middle, prefix, suffix) separated by '^'.
/// </summary>
public sealed record DicomPersonName(DicomPersonNameGroup Alphabetic, DicomPersonNameGroup Ideographic, DicomPersonNameGroup Phonetic)
{
    public static DicomPersonName Parse(string value)
    {
        var groups = value.Split('=');
        return new DicomPersonName(
            DicomPersonNameGroup.Parse(groups.Length > 0 ? groups[0] : ""),
            DicomPersonNameGroup.Parse(groups.Length > 1 ? groups[1] : ""),
            DicomPersonNameGroup.Parse(groups.Length > 2 ? groups[2] : ""));
    }

    /// <summary>The DICOM form, trailing empty groups and components left out.</summary>
    public override string ToString()
    {
        string[] g = [Alphabetic.ToString(), Ideographic.ToString(), Phonetic.ToString()];
        var n = g.Length;
        while (n > 0 && g[n - 1].Length == 0) n--;
        return string.Join('=', g, 0, n);
    }
}

/// <summary>One component group of a Person Name (PS3.5 §6.2.1.1).</summary>
public sealed record DicomPersonNameGroup(string FamilyName, string GivenName, string MiddleName, string Prefix, string Suffix)
{
    public static DicomPersonNameGroup Parse(string group)
    {
        var c = group.Split('^');
        string At(int i) => i < c.Length ? c[i].Trim() : "";
        return new DicomPersonNameGroup(At(0), At(1), At(2), At(3), At(4));
    }

    public bool IsEmpty => FamilyName.Length + GivenName.Length + MiddleName.Length + Prefix.Length + Suffix.Length == 0;

    public override string ToString()
    {
        string[] c = [FamilyName, GivenName, MiddleName, Prefix, Suffix];
        var n = c.Length;
        while (n > 0 && c[n - 1].Length == 0) n--;
        return string.Join('^', c, 0, n);
    }
}
