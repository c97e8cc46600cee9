namespace Mira.Dicom.Network;

/// <summary>A DIMSE operation ended with a failure status (PS3.7 Annex C): the status, and the peer's Error Comment when it sent one.</summary>
public sealed class DimseStatusException(string operation, ushort status, string? errorComment)
    : MiraException($"{operation} failed with status 0x{status:X4}{(string.IsNullOrWhiteSpace(errorComment) ? "" : ": " + errorComment.Trim())}")
{
    public string Operation { get; } = operation;
    public ushort Status { get; } = status;
    public string? ErrorComment { get; } = errorComment;
}
