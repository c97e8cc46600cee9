using System.Buffers.Binary;
using Mira.Dicom.IO;

namespace Mira.Dicom.Network;

/// <summary>
/// A DIMSE message: a command set (always Implicit VR Little Endian, PS3.7 §6.3.1) and an optional data set encoded
/// in the transfer syntax of its presentation context. A received data set is kept as the bytes that arrived
/// (<see cref="EncodedDataset"/>) and parsed only when <see cref="Dataset"/> is read, so a C-STORE SCP can archive
/// exactly what was sent and a malformed data set becomes a failure status instead of a broken association.
/// </summary>
public sealed class DicomMessage
{
    /// <summary>Command Data Set Type value meaning "no data set" (PS3.7 §E.1).</summary>
    public const ushort NoDataSet = 0x0101;

    DicomDataset? dataset;

    public DicomMessage(DicomDataset command, DicomDataset? dataset = null)
    {
        Command = command;
        this.dataset = dataset;
    }

    DicomMessage(DicomDataset command, ReadOnlyMemory<byte> encoded, TransferSyntax syntax)
    {
        Command = command;
        EncodedDataset = encoded;
        EncodedSyntax = syntax;
    }

    /// <summary>A message whose data set is already encoded in <paramref name="syntax"/> (e.g. a stored file's data set, sent as is).</summary>
    public static DicomMessage WithEncodedDataset(DicomDataset command, ReadOnlyMemory<byte> encoded, TransferSyntax syntax) =>
        new(command, encoded, syntax);

    public DicomDataset Command { get; }

    /// <summary>The data set bytes as received or as given to <see cref="WithEncodedDataset"/>; null otherwise.</summary>
    public ReadOnlyMemory<byte>? EncodedDataset { get; }

    /// <summary>The transfer syntax of <see cref="EncodedDataset"/>.</summary>
    public TransferSyntax? EncodedSyntax { get; }

    public bool HasDataset => dataset is not null || EncodedDataset is not null;

    /// <summary>
    /// The data set, parsed from <see cref="EncodedDataset"/> on first use (with <see cref="DicomReadOptions.Untrusted"/>
    /// limits); throws <see cref="DicomFormatException"/> when those bytes are not a valid data set.
    /// </summary>
    public DicomDataset? Dataset =>
        dataset ??= EncodedDataset is { } bytes ? DicomDatasetReader.Read(bytes, EncodedSyntax!, DicomReadOptions.Untrusted) : null;

    /// <summary>The presentation context the message travelled on (set on receive; chosen by the sender on send).</summary>
    public byte PresentationContextId { get; set; }

    /// <summary>Sets <see cref="PresentationContextId"/> and returns this message.</summary>
    public DicomMessage InContext(byte presentationContextId)
    {
        PresentationContextId = presentationContextId;
        return this;
    }

    public ushort CommandField => UInt16(Command, DicomTags.CommandField) ?? throw new DicomNetworkException("command set has no Command Field (0000,0100)");
    public ushort? MessageId => UInt16(Command, DicomTags.MessageID);
    public ushort? MessageIdBeingRespondedTo => UInt16(Command, DicomTags.MessageIDBeingRespondedTo);
    public ushort? Status => UInt16(Command, DicomTags.Status);
    public string? AffectedSopClassUid => Uid(DicomTags.AffectedSOPClassUID);
    public string? AffectedSopInstanceUid => Uid(DicomTags.AffectedSOPInstanceUID);
    public bool IsResponse => (CommandField & DicomCommandField.ResponseBit) != 0;
    public bool CommandHasDataSet => UInt16(Command, DicomTags.CommandDataSetType) is { } t && t != NoDataSet;

    string? Uid(DicomTag tag) => Command.GetString(tag) is { } s ? s.TrimEnd('\0', ' ') : null;

    internal static ushort? UInt16(DicomDataset ds, DicomTag tag) => ds.GetValues<ushort>(tag) is { Length: > 0 } v ? v[0] : null;

    /// <summary>A US element built from one value, little endian as every command element is.</summary>
    public static DicomElement US(DicomTag tag, ushort value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return new DicomElement(tag, DicomVR.US, b);
    }

    /// <summary>A C-ECHO-RQ (PS3.7 §9.3.5.1).</summary>
    public static DicomMessage EchoRequest(ushort messageId, string sopClassUid = DicomUids.Verification) =>
        new(new DicomDataset()
            .Set(DicomTags.AffectedSOPClassUID, sopClassUid)
            .Set(US(DicomTags.CommandField, DicomCommandField.CEchoRequest))
            .Set(US(DicomTags.MessageID, messageId))
            .Set(US(DicomTags.CommandDataSetType, NoDataSet)));

    /// <summary>
    /// The response to <paramref name="request"/> with <paramref name="status"/>: Command Field with the response bit,
    /// the request's Affected SOP Class (and Instance, for C-STORE) UIDs, and no data set.
    /// </summary>
    public static DicomMessage ResponseTo(DicomMessage request, ushort status)
    {
        var command = new DicomDataset();
        if (request.AffectedSopClassUid is { } sop) command.Set(DicomTags.AffectedSOPClassUID, sop);
        command.Set(US(DicomTags.CommandField, (ushort)(request.CommandField | DicomCommandField.ResponseBit)))
            .Set(US(DicomTags.MessageIDBeingRespondedTo, request.MessageId ?? 0))
            .Set(US(DicomTags.CommandDataSetType, NoDataSet))
            .Set(US(DicomTags.Status, status));
        if (request.CommandField == DicomCommandField.CStoreRequest && request.AffectedSopInstanceUid is { } instance)
            command.Set(DicomTags.AffectedSOPInstanceUID, instance);
        return new DicomMessage(command) { PresentationContextId = request.PresentationContextId };
    }

    /// <summary>Encodes a command set in Implicit VR Little Endian with its Command Group Length (PS3.7 §6.3.1).</summary>
    internal static byte[] EncodeCommand(DicomDataset command, bool hasDataset)
    {
        var ds = new DicomDataset(command.Where(e => e.Tag.Group == 0x0000));
        ds.Set(new DicomElement(DicomTags.CommandGroupLength, DicomVR.UL, new byte[4]));
        var type = UInt16(ds, DicomTags.CommandDataSetType);
        if (!hasDataset) ds.Set(US(DicomTags.CommandDataSetType, NoDataSet));
        else if (type is null or NoDataSet) ds.Set(US(DicomTags.CommandDataSetType, 0x0000));
        var ms = new MemoryStream();
        new DicomDatasetWriter(TransferSyntax.ImplicitVRLittleEndian).Write(ms, ds);
        return ms.ToArray();
    }

    internal static DicomDataset DecodeCommand(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return DicomDatasetReader.Read(bytes, TransferSyntax.ImplicitVRLittleEndian);
        }
        catch (MiraException e)
        {
            throw new DicomNetworkException($"malformed command set: {e.Message}", e);
        }
    }
}
