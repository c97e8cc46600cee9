namespace Mira.Dicom;

/// <summary>
/// How a data set is encoded (PS3.5 §10): VR explicit or implicit, byte order, whole-data-set deflate,
/// and whether Pixel Data is encapsulated (PS3.5 §A.4).
/// </summary>
public sealed record TransferSyntax(string Uid, string Name, bool IsExplicitVR, bool IsLittleEndian, bool IsDeflated, bool IsEncapsulated)
{
    public static readonly TransferSyntax ImplicitVRLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", false, true, false, false);
    public static readonly TransferSyntax ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, true, false, false);
    public static readonly TransferSyntax DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, true, true, false);
    public static readonly TransferSyntax ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian (retired)", true, false, false, false);
    public static readonly TransferSyntax EncapsulatedUncompressedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian", true, true, false, true);

    /// <summary>Transfer syntaxes a writer can produce without a pixel codec.</summary>
    public static IReadOnlyList<TransferSyntax> Uncompressed { get; } =
        [ImplicitVRLittleEndian, ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian];

    /// <summary>
    /// The syntax for a UID. Every syntax other than the four native ones encodes the data set as explicit VR
    /// little endian with encapsulated Pixel Data (PS3.5 §A.4), so unknown UIDs are read that way.
    /// </summary>
    public static TransferSyntax Lookup(string uid)
    {
        uid = uid.TrimEnd('\0', ' ');
        foreach (var ts in Uncompressed)
            if (ts.Uid == uid) return ts;
        if (uid == EncapsulatedUncompressedExplicitVRLittleEndian.Uid) return EncapsulatedUncompressedExplicitVRLittleEndian;
        var name = DicomUids.Find(uid)?.Name ?? "Unknown transfer syntax";
        return new TransferSyntax(uid, name, true, true, false, true);
    }

    public bool IsKnown => DicomUids.Find(Uid) is { Type: DicomUidType.TransferSyntax };

    public override string ToString() => $"{Uid} {Name}";
}
