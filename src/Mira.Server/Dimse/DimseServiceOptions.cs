using System.Net;
using Mira.Storage.Network;

namespace Mira.Server.Dimse;

/// <summary>How <c>mira serve</c>'s DIMSE listener runs.</summary>
public sealed record DimseServiceOptions
{
    /// <summary>TCP port; 0 picks a free one; null disables the listener.</summary>
    public int? Port { get; init; } = 11112;
    public IPAddress Address { get; init; } = IPAddress.Any;
    public string AETitle { get; init; } = "MIRA";
    /// <summary>What a caller not in the AE table (or calling from another address than its entry's host) may do.</summary>
    public DimsePermissions UnknownCallers { get; init; } = DimsePermissions.Echo;
    /// <summary>Associations used to send the sub-operations of one C-MOVE.</summary>
    public int MoveAssociations { get; init; } = 1;
    public Mira.Dicom.Network.DicomAssociationOptions Association { get; init; } = Mira.Dicom.Network.DicomAssociationOptions.Default;
}
