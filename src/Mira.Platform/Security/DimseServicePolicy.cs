using Mira.Dicom;
using Mira.Dicom.Network;

namespace Mira.Platform.Security;

/// <summary>Which permission a presentation context's abstract syntax needs on Mira's DIMSE listener.</summary>
public static class DimseServicePolicy
{
    /// <summary>
    /// Verification needs echo; a storage SOP class needs store (C-STORE to Mira) or get (C-GET sub-operations send
    /// storage objects back over the same association, PS3.4 §C.4.3: the listener then accepts the context only when
    /// the requestor proposes the SCP role, and a C-STORE-RQ still needs store); the Query/Retrieve information models
    /// need find, move or get. Anything else is not offered (PS3.8 Table 9-18, result 1 user rejection).
    /// </summary>
    public static DimsePermissions Needed(string abstractSyntax) =>
        abstractSyntax == DicomUids.Verification ? DimsePermissions.Echo
        : SopClasses.IsStorage(abstractSyntax) ? DimsePermissions.Store | DimsePermissions.Get
        : SopClasses.Find.Contains(abstractSyntax) ? DimsePermissions.Find
        : SopClasses.Move.Contains(abstractSyntax) ? DimsePermissions.Move
        : SopClasses.Get.Contains(abstractSyntax) ? DimsePermissions.Get
        : DimsePermissions.None;
}
