namespace Mira.Dicom.Codecs;

/// <summary>Damaged or unsupported compressed pixel data; the message names the codec and the byte offset.</summary>
public sealed class DicomCodecException(string message, Exception? inner = null) : Exception(message, inner);
