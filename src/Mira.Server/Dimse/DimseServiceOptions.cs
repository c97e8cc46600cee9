using System.Net;
using Mira.Dicom.Network;
using Mira.Storage.Network;

namespace Mira.Server.Dimse;

/// <summary>How <c>mira serve</c>'s DIMSE listener runs.</summary>
public sealed record DimseServiceOptions
{
    /// <summary>TCP port of the plain listener; 0 picks a free one; null: no plain listener.</summary>
    public int? Port { get; init; } = 11112;

    /// <summary>
    /// The address both listeners bind: loopback by default, like the HTTP listener; <see cref="IPAddress.Any"/> or
    /// <see cref="IPAddress.IPv6Any"/> (<c>--dimse-bind 0.0.0.0</c> / <c>::</c>) opens them to the network.
    /// </summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    public string AETitle { get; init; } = "MIRA";
    /// <summary>What a caller not in the AE table (or calling from another address than its entry's host) may do.</summary>
    public DimsePermissions UnknownCallers { get; init; } = DimsePermissions.Echo;
    /// <summary>Associations used to send the sub-operations of one C-MOVE.</summary>
    public int MoveAssociations { get; init; } = 1;
    public DicomAssociationOptions Association { get; init; } = DicomAssociationOptions.Default;

    /// <summary>Associations (connections, counted from accept) held at once over both listeners; more are rejected transient, local limit exceeded.</summary>
    public int MaxAssociations { get; init; } = DicomServerOptions.DefaultMaxAssociations;

    /// <summary>Associations held at once from one peer address (AE titles are claims; addresses are what the listener sees).</summary>
    public int MaxAssociationsPerAddress { get; init; } = DicomServerOptions.DefaultMaxAssociationsPerAddress;

    /// <summary>Largest C-STORE data set accepted from an AE allowed to store (the DICOMweb part limit by default).</summary>
    public long MaxStoreDatasetLength { get; init; } = 1L << 30;

    /// <summary>Largest C-FIND/C-MOVE/C-GET identifier accepted (a query is a few KiB; a long UID list still fits).</summary>
    public long MaxIdentifierLength { get; init; } = 1L << 20;

    /// <summary>TCP port of the DICOM TLS listener (PS3.15 Annex B; 2762 is the registered port); 0 picks a free one; null: none.</summary>
    public int? TlsPort { get; init; }

    /// <summary>The TLS listener's certificate and client certificate policy (required with <see cref="TlsPort"/>).</summary>
    public DicomTlsOptions? Tls { get; init; }

    /// <summary>
    /// TLS for the C-MOVE sub-operation associations to AE table destinations (the CA to trust, the client certificate
    /// to present); null: they use plain TCP.
    /// </summary>
    public DicomTlsOptions? MoveTls { get; init; }
}
