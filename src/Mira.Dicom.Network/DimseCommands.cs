namespace Mira.Dicom.Network;

/// <summary>Command Field values of the composite services (PS3.7 §E.1, Table E.1-1).</summary>
public static class DicomCommandField
{
    public const ushort CStoreRequest = 0x0001, CStoreResponse = 0x8001;
    public const ushort CGetRequest = 0x0010, CGetResponse = 0x8010;
    public const ushort CFindRequest = 0x0020, CFindResponse = 0x8020;
    public const ushort CMoveRequest = 0x0021, CMoveResponse = 0x8021;
    public const ushort CEchoRequest = 0x0030, CEchoResponse = 0x8030;
    public const ushort CCancelRequest = 0x0FFF;
    public const ushort ResponseBit = 0x8000;

    public static string Name(ushort field) => field switch
    {
        CStoreRequest => "C-STORE-RQ", CStoreResponse => "C-STORE-RSP",
        CGetRequest => "C-GET-RQ", CGetResponse => "C-GET-RSP",
        CFindRequest => "C-FIND-RQ", CFindResponse => "C-FIND-RSP",
        CMoveRequest => "C-MOVE-RQ", CMoveResponse => "C-MOVE-RSP",
        CEchoRequest => "C-ECHO-RQ", CEchoResponse => "C-ECHO-RSP",
        CCancelRequest => "C-CANCEL-RQ",
        _ => $"command 0x{field:X4}",
    };
}

/// <summary>Status codes (PS3.7 Annex C; PS3.4 Annex B and C service-specific codes) used by the services here.</summary>
public static class DicomStatus
{
    public const ushort Success = 0x0000;
    public const ushort Cancel = 0xFE00;
    /// <summary>Pending: matches or sub-operations are continuing (PS3.4 §C.4.1.1.4, §C.4.2.1.5).</summary>
    public const ushort Pending = 0xFF00;
    /// <summary>Pending with one or more optional keys not supported (C-FIND, PS3.4 Table C.4-1).</summary>
    public const ushort PendingWarning = 0xFF01;
    /// <summary>Warning: sub-operations complete, one or more failures (C-MOVE/C-GET, PS3.4 Table C.4-2).</summary>
    public const ushort SubOperationsCompleteWithFailures = 0xB000;
    public const ushort UnrecognizedOperation = 0x0211;
    public const ushort ProcessingFailure = 0x0110;
    public const ushort DuplicateSopInstance = 0x0111;
    public const ushort SopClassNotSupported = 0x0122;
    public const ushort NotAuthorized = 0x0124;
    /// <summary>Refused: out of resources (A700; C-FIND/C-MOVE/C-GET sub-operation variants A701/A702).</summary>
    public const ushort OutOfResources = 0xA700;
    public const ushort OutOfResourcesUnableToCalculateMatches = 0xA701;
    public const ushort OutOfResourcesUnableToPerformSubOperations = 0xA702;
    /// <summary>Refused: Move Destination unknown (PS3.4 Table C.4-2).</summary>
    public const ushort MoveDestinationUnknown = 0xA801;
    /// <summary>Error: Identifier does not match SOP Class (C-FIND/C-MOVE/C-GET).</summary>
    public const ushort IdentifierDoesNotMatchSopClass = 0xA900;
    /// <summary>Failed: unable to process (C-FIND/C-MOVE/C-GET); C-STORE: cannot understand.</summary>
    public const ushort UnableToProcess = 0xC000;

    public static bool IsPending(ushort status) => status is Pending or PendingWarning;
    public static bool IsFailure(ushort status) => status is not Success and not Cancel && !IsPending(status) && !IsWarning(status);
    public static bool IsWarning(ushort status) => status is 0x0001 or 0x0107 or 0x0116 || (status & 0xF000) == 0xB000;
}

/// <summary>Priority (0000,0700): PS3.7 §E.1.</summary>
public enum DimsePriority : ushort { Medium = 0, High = 1, Low = 2 }

/// <summary>Counts of C-MOVE/C-GET sub-operations carried in their responses (PS3.7 §9.1.3, §9.1.4).</summary>
public readonly record struct SubOperationCounts(int Remaining, int Completed, int Failed, int Warning);

/// <summary>Builders of the composite DIMSE requests and responses (PS3.7 §9.3).</summary>
public static class DimseMessages
{
    static DicomDataset Request(ushort field, ushort messageId, string sopClass, bool hasDataset, DimsePriority? priority = DimsePriority.Medium)
    {
        var c = new DicomDataset()
            .Set(DicomTags.AffectedSOPClassUID, sopClass)
            .Set(DicomMessage.US(DicomTags.CommandField, field))
            .Set(DicomMessage.US(DicomTags.MessageID, messageId))
            .Set(DicomMessage.US(DicomTags.CommandDataSetType, hasDataset ? (ushort)0 : DicomMessage.NoDataSet));
        if (priority is { } p) c.Set(DicomMessage.US(DicomTags.Priority, (ushort)p));
        return c;
    }

    /// <summary>A C-STORE-RQ (PS3.7 §9.3.1.1) carrying a data set already encoded in the context's transfer syntax.</summary>
    public static DicomMessage StoreRequest(ushort messageId, string sopClass, string sopInstance, ReadOnlyMemory<byte> encoded, TransferSyntax syntax,
        string? moveOriginatorAE = null, ushort? moveOriginatorMessageId = null)
    {
        var c = Request(DicomCommandField.CStoreRequest, messageId, sopClass, true).Set(DicomTags.AffectedSOPInstanceUID, sopInstance);
        if (moveOriginatorAE is not null) c.Set(DicomTags.MoveOriginatorApplicationEntityTitle, moveOriginatorAE);
        if (moveOriginatorMessageId is { } id) c.Set(DicomMessage.US(DicomTags.MoveOriginatorMessageID, id));
        return DicomMessage.WithEncodedDataset(c, encoded, syntax);
    }

    /// <summary>
    /// Encodes a data set in <paramref name="syntax"/> for sending (deflated when the syntax says so, PS3.5 §A.5),
    /// keeping values as they are even where they break their VR's rules: a sender forwards objects, it does not
    /// repair or refuse them.
    /// </summary>
    public static ReadOnlyMemory<byte> Encode(DicomDataset dataset, TransferSyntax syntax)
    {
        var ms = new MemoryStream();
        var writer = new Mira.Dicom.IO.DicomDatasetWriter(syntax, new Mira.Dicom.IO.DicomWriteOptions { KeepInvalidValues = true });
        if (syntax.IsDeflated)
        {
            using var deflate = new System.IO.Compression.DeflateStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true);
            writer.Write(deflate, dataset);
        }
        else writer.Write(ms, dataset);
        return ms.GetBuffer().AsMemory(0, (int)ms.Length);
    }

    /// <summary>
    /// Sets a response's Error Comment (0000,0902). It is LO in a command set, which has no Specific Character Set, so
    /// only the default repertoire (PS3.5 §6.1.2.1, printable ASCII) is allowed: other characters become '?', control
    /// characters and '\' a space, and the text is cut to LO's 64 characters (PS3.5 Table 6.2-1, PS3.7 §C.3).
    /// </summary>
    public static DicomMessage WithErrorComment(DicomMessage response, string comment)
    {
        Span<char> text = stackalloc char[Math.Min(comment.Length, 64)];
        for (var i = 0; i < text.Length; i++)
            text[i] = comment[i] switch { '\\' or < ' ' => ' ', > '~' => '?', var c => c };
        response.Command.Set(DicomTags.ErrorComment, text.ToString());
        return response;
    }

    /// <summary>A C-FIND-RQ (PS3.7 §9.3.2.1) with its identifier.</summary>
    public static DicomMessage FindRequest(ushort messageId, string sopClass, DicomDataset identifier) =>
        new(Request(DicomCommandField.CFindRequest, messageId, sopClass, true), identifier);

    /// <summary>A C-MOVE-RQ (PS3.7 §9.3.4.1) to <paramref name="destination"/>.</summary>
    public static DicomMessage MoveRequest(ushort messageId, string sopClass, string destination, DicomDataset identifier) =>
        new(Request(DicomCommandField.CMoveRequest, messageId, sopClass, true).Set(DicomTags.MoveDestination, destination), identifier);

    /// <summary>A C-GET-RQ (PS3.7 §9.3.3.1).</summary>
    public static DicomMessage GetRequest(ushort messageId, string sopClass, DicomDataset identifier) =>
        new(Request(DicomCommandField.CGetRequest, messageId, sopClass, true), identifier);

    /// <summary>A C-CANCEL-RQ (PS3.7 §9.3.2.3) for the operation <paramref name="messageIdBeingCancelled"/>.</summary>
    public static DicomMessage CancelRequest(ushort messageIdBeingCancelled) =>
        new(new DicomDataset()
            .Set(DicomMessage.US(DicomTags.CommandField, DicomCommandField.CCancelRequest))
            .Set(DicomMessage.US(DicomTags.MessageIDBeingRespondedTo, messageIdBeingCancelled))
            .Set(DicomMessage.US(DicomTags.CommandDataSetType, DicomMessage.NoDataSet)));

    /// <summary>A C-FIND-RSP: pending with a match (identifier), or final without.</summary>
    public static DicomMessage FindResponse(DicomMessage request, ushort status, DicomDataset? identifier = null)
    {
        var r = DicomMessage.ResponseTo(request, status);
        return identifier is null ? r : new DicomMessage(r.Command, identifier) { PresentationContextId = request.PresentationContextId };
    }

    /// <summary>
    /// A C-MOVE-RSP or C-GET-RSP with the sub-operation counts (PS3.7 Tables 9.3-6 and 9.3-8): Remaining only while
    /// pending; a final response with failures may carry the Failed SOP Instance UID List in an identifier.
    /// </summary>
    public static DicomMessage RetrieveResponse(DicomMessage request, ushort status, SubOperationCounts counts, IReadOnlyCollection<string>? failedInstances = null)
    {
        var r = DicomMessage.ResponseTo(request, status);
        if (DicomStatus.IsPending(status)) r.Command.Set(DicomMessage.US(DicomTags.NumberOfRemainingSuboperations, (ushort)Math.Min(counts.Remaining, ushort.MaxValue)));
        r.Command.Set(DicomMessage.US(DicomTags.NumberOfCompletedSuboperations, (ushort)Math.Min(counts.Completed, ushort.MaxValue)))
            .Set(DicomMessage.US(DicomTags.NumberOfFailedSuboperations, (ushort)Math.Min(counts.Failed, ushort.MaxValue)))
            .Set(DicomMessage.US(DicomTags.NumberOfWarningSuboperations, (ushort)Math.Min(counts.Warning, ushort.MaxValue)));
        if (failedInstances is not { Count: > 0 } || DicomStatus.IsPending(status)) return r;
        var id = new DicomDataset().Set(DicomTags.FailedSOPInstanceUIDList, [.. failedInstances]);
        return new DicomMessage(r.Command, id) { PresentationContextId = request.PresentationContextId };
    }

    /// <summary>Reads the sub-operation counts of a C-MOVE-RSP / C-GET-RSP.</summary>
    public static SubOperationCounts Counts(DicomMessage response) => new(
        DicomMessage.UInt16(response.Command, DicomTags.NumberOfRemainingSuboperations) ?? 0,
        DicomMessage.UInt16(response.Command, DicomTags.NumberOfCompletedSuboperations) ?? 0,
        DicomMessage.UInt16(response.Command, DicomTags.NumberOfFailedSuboperations) ?? 0,
        DicomMessage.UInt16(response.Command, DicomTags.NumberOfWarningSuboperations) ?? 0);
}

/// <summary>Which DIMSE-C messages may carry a data set (PS3.7 §9.3: the Command Data Set Type of each message).</summary>
public static class DimseDataSetRules
{
    /// <summary>
    /// True for messages that never have a data set: C-ECHO-RQ and -RSP (PS3.7 §9.3.5), C-STORE-RSP (§9.3.1.2) and
    /// C-CANCEL-RQ (§9.3.2.3). A command claiming one is a protocol violation, answered with A-ABORT before any data
    /// set fragment is held.
    /// </summary>
    public static bool ForbidsDataSet(ushort commandField) => commandField is DicomCommandField.CEchoRequest or DicomCommandField.CEchoResponse
        or DicomCommandField.CStoreResponse or DicomCommandField.CCancelRequest;
}
