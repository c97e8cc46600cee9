using Mira.Dicom.IO;

namespace Mira.Dicom.Network;

public sealed record DicomAssociationOptions
{
    /// <summary>Largest P-DATA-TF variable field we accept, announced in the maximum length sub-item (PS3.8 §D.1).</summary>
    public uint MaxPduLength { get; init; } = 64 * 1024;

    /// <summary>Largest P-DATA-TF we send when the peer announces no limit (maximum length 0).</summary>
    public uint MaxSendPduLength { get; init; } = 1024 * 1024;

    /// <summary>
    /// ARTIM timer (PS3.8 §9.1.5): how long to wait for an A-ASSOCIATE-RQ after a connection opens, for the
    /// A-ASSOCIATE-AC/RJ or A-RELEASE-RP after a request, and for the peer to close after an A-RELEASE-RP or A-ABORT.
    /// </summary>
    public TimeSpan ArtimTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an established association may stay silent before it is aborted; infinite to wait forever.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Largest reassembled data set accepted on any presentation context; a peer sending more is aborted. An acceptor
    /// may set a smaller limit per context (see <see cref="DicomAssociation.AcceptAsync"/>). Command sets are capped at 64 KiB.
    /// </summary>
    public long MaxDatasetLength { get; init; } = 1L << 30;

    /// <summary>
    /// Largest PDU body accepted before an association exists (the A-ASSOCIATE-RQ/AC) and for the other non-data PDUs;
    /// a larger claimed length is refused before its body is read.
    /// </summary>
    public int MaxAssociatePduLength { get; init; } = PduReader.DefaultMaxAssociatePduLength;

    /// <summary>
    /// The maximum length an acceptor announces (and enforces) instead of <see cref="MaxPduLength"/> when no accepted
    /// presentation context may carry a data set (e.g. a Verification-only association): commands need no more.
    /// </summary>
    public uint MaxPduLengthWithoutDataSets { get; init; } = 16 * 1024;

    /// <summary>Requestor: open the connection with TLS (PS3.15 Annex B) using these settings; null: plain TCP.</summary>
    public DicomTlsOptions? Tls { get; init; }

    public string ImplementationClassUid { get; init; } = DicomFileWriter.ImplementationClassUid;
    public string ImplementationVersionName { get; init; } = DicomFileWriter.ImplementationVersionName;

    public static DicomAssociationOptions Default { get; } = new();
}

/// <summary>Association states of the upper layer state machine (PS3.8 §9.2), those this implementation passes through.</summary>
public enum DicomAssociationState
{
    /// <summary>Sta2: transport open, awaiting A-ASSOCIATE-RQ (ARTIM running).</summary>
    AwaitingAssociateRequest,
    /// <summary>Sta5: A-ASSOCIATE-RQ sent, awaiting A-ASSOCIATE-AC or -RJ.</summary>
    AwaitingAssociateResponse,
    /// <summary>Sta6: association established, ready for data transfer.</summary>
    Established,
    /// <summary>Sta7: A-RELEASE-RQ sent, awaiting A-RELEASE-RP.</summary>
    AwaitingReleaseResponse,
    /// <summary>Sta13: A-RELEASE-RP, A-ASSOCIATE-RJ or A-ABORT sent, awaiting the transport close (ARTIM running).</summary>
    AwaitingClose,
    /// <summary>Sta1: idle, transport closed.</summary>
    Closed,
}
