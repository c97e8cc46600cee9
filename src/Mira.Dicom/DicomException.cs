namespace Mira.Dicom;

/// <summary>Base of Mira's exception family.</summary>
public class MiraException : Exception
{
    public MiraException(string message) : base(message) { }
    public MiraException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Malformed DICOM input; names the tag and byte offset where known, and says what kind of problem it is in
/// <see cref="Code"/> (decide by the code, not by the message).
/// </summary>
public sealed class DicomFormatException : MiraException
{
    /// <summary>A refusal of no more specific kind (<see cref="DicomReadProblemCode.Malformed"/>).</summary>
    public DicomFormatException(string reason, DicomTag? tag = null, long? offset = null)
        : this(DicomReadProblemCode.Malformed, reason, tag, offset) { }

    public DicomFormatException(DicomReadProblemCode code, string reason, DicomTag? tag = null, long? offset = null)
        : base(Format(reason, tag, offset))
    {
        Code = code;
        Reason = reason;
        Tag = tag;
        Offset = offset;
    }

    /// <summary>What kind of problem this is.</summary>
    public DicomReadProblemCode Code { get; }

    public string Reason { get; }
    public DicomTag? Tag { get; }
    public long? Offset { get; }

    static string Format(string reason, DicomTag? tag, long? offset)
    {
        var where = (tag, offset) switch
        {
            ({ } t, { } o) => $" ({t}, offset {o})",
            ({ } t, null) => $" ({t})",
            (null, { } o) => $" (offset {o})",
            _ => "",
        };
        return reason + where;
    }
}

/// <summary>A value that cannot be written because it violates its VR's rules.</summary>
public sealed class DicomValueException : MiraException
{
    public DicomValueException(DicomTag tag, DicomVR vr, string reason)
        : base($"{tag} {DicomVRInfo.Code(vr)}: {reason}")
    {
        Tag = tag;
        VR = vr;
    }

    public DicomTag Tag { get; }
    public DicomVR VR { get; }
}
