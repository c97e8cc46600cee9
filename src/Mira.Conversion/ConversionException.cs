namespace Mira.Conversion;

/// <summary>A source file that cannot be converted, with what and where: "scan.nii.gz: datatype 2304 (RGBA32) ...".</summary>
public sealed class ConversionException(string message, Exception? inner = null) : Exception(message, inner);
