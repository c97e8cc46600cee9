namespace Mira.Dicom.Json;

/// <summary>Options for <see cref="DicomJsonReader"/> (the DICOM JSON Model, PS3.18 Annex F).</summary>
public sealed record DicomJsonReadOptions
{
    /// <summary>
    /// Resolves a BulkDataURI (PS3.18 §F.2.6) to the value's bytes (little endian, as in Explicit VR Little Endian).
    /// When null, an element given by BulkDataURI is read as a <see cref="DicomBulkDataReference"/>: an empty value
    /// that remembers its URI, so that <see cref="DicomJsonWriter"/> writes the URI again.
    /// </summary>
    public Func<string, ReadOnlyMemory<byte>>? BulkDataResolver { get; init; }

    /// <summary>Deepest nesting of sequences allowed (a top-level data set is depth 0, an item of its sequence depth 1).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Largest input accepted, in bytes of UTF-8.</summary>
    public long MaxTotalSize { get; init; } = int.MaxValue;

    /// <summary>
    /// Reject what PS3.18 Annex F does not allow instead of accepting it: members other than vr, Value,
    /// InlineBinary and BulkDataURI (and other than Alphabetic, Ideographic and Phonetic in a PN value), lower-case
    /// tag keys, PN values given as strings, numbers given as strings for binary VRs, DS or IS strings that are not
    /// numbers, IS outside −2^31..2^31−1 or not an integer, more than one value for LT, ST, UT and UR, InlineBinary
    /// for VRs other than OB, OD, OF, OL, OV, OW and UN, binary lengths that are not a whole number of values, and
    /// text values that break their VR's rules (<see cref="Values.DicomValueValidator"/>).
    /// Malformed JSON and values of the wrong JSON type are errors in both modes.
    /// </summary>
    public bool Strict { get; init; }

    /// <summary>
    /// JSON text is Unicode (PS3.18 §F.2: the DICOM JSON Model is encoded in UTF-8), while a data set's text is
    /// encoded in its Specific Character Set (0008,0005) when written as DICOM (PS3.5 §6.1.2.3). When true (the
    /// default), after parsing each data set: if some text value of a VR that the character set affects (SH, LO, ST,
    /// LT, PN, UC, UT) contains a character that the set in effect where it stands (the item's own (0008,0005), else
    /// the enclosing data set's, else the default repertoire) cannot encode, (0008,0005) becomes "ISO_IR 192"
    /// (UTF-8, PS3.3 Table C.12-5) at the top level and in every item that declares its own. Otherwise the declared
    /// set is kept as it is. When false, (0008,0005) is never changed; values stay strings, so such a data set can
    /// still be written as JSON but not as DICOM.
    /// </summary>
    public bool ConvertToUtf8 { get; init; } = true;

    public static DicomJsonReadOptions Default { get; } = new();

    /// <summary>Limits for input from outside: 64 MiB, sequences nested at most 16 deep.</summary>
    public static DicomJsonReadOptions Untrusted { get; } = new() { MaxDepth = 16, MaxTotalSize = 64L * 1024 * 1024 };
}

/// <summary>
/// Input that is not valid DICOM JSON (PS3.18 Annex F). <see cref="Path"/> names where: tag keys joined by '.',
/// item indexes in brackets, e.g. <c>00081115[0].00081150</c>; for a data set array it starts with the index, <c>[2].</c>.
/// </summary>
public sealed class DicomJsonException : MiraException
{
    public DicomJsonException(string path, string reason) : base(Format(path, reason))
    {
        Path = path;
        Reason = reason;
    }

    public DicomJsonException(string path, string reason, Exception inner) : base(Format(path, reason), inner)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>Where the problem is ("" for the whole input).</summary>
    public string Path { get; }

    public string Reason { get; }

    static string Format(string path, string reason) => path.Length == 0 ? reason : $"{path}: {reason}";
}
