using Mira.Dicom.Values;

namespace Mira.Dicom.IO;

/// <summary>Byte swapping for reading and writing big-endian data (PS3.5 §7.3), lenient about damaged lengths.</summary>
internal static class ByteOrder
{
    /// <summary>Swaps every whole unit; a trailing partial unit (a damaged length) is left as it is.</summary>
    public static void Swap(Span<byte> data, int unit) =>
        DicomBinary.SwapInPlace(data[..(data.Length - data.Length % unit)], unit);
}
