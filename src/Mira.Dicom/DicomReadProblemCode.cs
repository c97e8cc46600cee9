namespace Mira.Dicom;

/// <summary>
/// What kind of problem a reader met: carried by every <see cref="IO.DicomReadWarning"/> and
/// <see cref="DicomFormatException"/>, so that callers decide by kind and never by message text (the messages are for
/// people and may change).
/// </summary>
public enum DicomReadProblemCode
{
    /// <summary>Malformed input of no more specific kind (also the code of exceptions raised without one).</summary>
    Malformed,

    /// <summary>The input is empty, or neither a Part 10 file (PS3.10 §7.1) nor a recognisable raw data set.</summary>
    NotDicom,

    /// <summary>
    /// The input ends before a value, item, sequence, fragment or header it declared, or before the delimiter an item
    /// or sequence of undefined length needs (PS3.5 §7.5). Sets <see cref="IO.DicomFile.IsTruncated"/> when tolerated.
    /// </summary>
    Truncated,

    /// <summary>The bytes of the data set are encoded otherwise than its Transfer Syntax UID says (PS3.5 §10, Annex A).</summary>
    TransferSyntaxMismatch,

    /// <summary>An element the reader needs is absent, e.g. Transfer Syntax UID (0002,0010) in the File Meta Information.</summary>
    MissingElement,

    /// <summary>"DICM" without the 128-byte preamble before it (PS3.10 §7.1).</summary>
    NoPreamble,

    /// <summary>A File Meta Information element not in explicit VR little endian (PS3.10 §7.1).</summary>
    FileMetaEncoding,

    /// <summary>A declared length disagrees with the content: an item or sequence overran it, or File Meta Information Group Length (0002,0000) is wrong.</summary>
    LengthMismatch,

    /// <summary>An odd value length (PS3.5 §7.1.1: values have even length).</summary>
    OddLength,

    /// <summary>A VR code that is not in PS3.5 Table 6.2-1, read as UN (PS3.5 §6.2).</summary>
    UnknownVR,

    /// <summary>An element without an explicit VR inside an explicit VR data set, read as implicit VR.</summary>
    ImplicitVRElement,

    /// <summary>Undefined length (FFFFFFFF) on a VR that does not allow it, read as a sequence (PS3.5 §7.1.2).</summary>
    UndefinedLength,

    /// <summary>An item or sequence delimiter where none belongs (PS3.5 §7.5), ignored.</summary>
    UnexpectedDelimiter,

    /// <summary>An item or sequence delimiter missing before the next element (PS3.5 §7.5.2); the item or sequence is closed there.</summary>
    DelimiterMissing,

    /// <summary>An item tag outside a sequence, or something other than an item inside one (PS3.5 §7.5).</summary>
    UnexpectedItem,

    /// <summary>A fragment of encapsulated Pixel Data that is not an item of defined length (PS3.5 §A.4).</summary>
    InvalidFragment,

    /// <summary>The same tag twice in one data set (PS3.5 §7.1: tags are unique); the later is kept.</summary>
    DuplicateElement,

    /// <summary>Elements not in ascending tag order (PS3.5 §7.1).</summary>
    ElementOutOfOrder,

    /// <summary>Bytes after the last element that are too few to start another.</summary>
    TrailingBytes,

    /// <summary>A limit of <see cref="IO.DicomReadOptions"/> (depth, element length, total size) or of memory was exceeded.</summary>
    LimitExceeded,

    /// <summary>The deflated data set (PS3.5 §A.5) does not inflate.</summary>
    CorruptDeflate,

    /// <summary>A value that its VR does not allow, e.g. a DS that is not a number or a binary value of the wrong length (PS3.5 §6.2).</summary>
    InvalidValue,

    /// <summary>The Basic Offset Table or the fragments of encapsulated Pixel Data cannot be mapped to frames (PS3.5 §A.4).</summary>
    InvalidOffsetTable,

    /// <summary>
    /// The deflated data set (PS3.5 §A.5) inflates beyond what <see cref="IO.DicomReadOptions.InflatedLimit"/> allows
    /// (a decompression bomb, or an object too large for these limits).
    /// </summary>
    InflationLimit,
}
