using Mira.Dicom;

namespace Mira.Dicom.Codecs;

/// <summary>
/// Damaged, unsupported or undecodable pixel data; the message names the codec or transfer syntax and, where known,
/// the frame and byte offset.
/// </summary>
public sealed class DicomCodecException : MiraException
{
    public DicomCodecException(string message) : base(message) { }
    public DicomCodecException(string message, Exception inner) : base(message, inner) { }
}
