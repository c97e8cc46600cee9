using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mira.Dicom;
using Mira.Dicom.Json;

namespace Mira.Storage.Index;

/// <summary>
/// Picks top-level attributes out of an instance's stored DICOM JSON metadata without building the whole data set:
/// the wanted members are copied as raw JSON into a smaller object, which alone is parsed. QIDO-RS results need a
/// dozen attributes of metadata that holds a hundred or more, so this is most of a search's cost saved.
/// </summary>
public static class MetadataProjection
{
    public static DicomDataset Select(string? metadata, Func<DicomTag, bool> keep)
    {
        if (metadata is null) return new DicomDataset();
        var maxBytes = Encoding.UTF8.GetMaxByteCount(metadata.Length);
        var rented = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var length = Encoding.UTF8.GetBytes(metadata, rented);
            return Select(rented.AsSpan(0, length), keep);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static DicomDataset Select(ReadOnlySpan<byte> utf8, Func<DicomTag, bool> keep)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return DicomJsonReader.Parse(utf8);
        var output = new ArrayBufferWriter<byte>(utf8.Length / 4 + 16);
        output.Write("{"u8);
        var first = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var wanted = TryTag(reader.ValueSpan, out var tag) && keep(tag);
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            reader.Skip();
            if (!wanted) continue;
            var valueEnd = (int)reader.BytesConsumed;
            if (!first) output.Write(","u8);
            first = false;
            output.Write(utf8[nameStart..valueStart]);
            output.Write(utf8[valueStart..valueEnd]);
        }
        output.Write("}"u8);
        return DicomJsonReader.Parse(output.WrittenSpan);
    }

    static bool TryTag(ReadOnlySpan<byte> key, out DicomTag tag)
    {
        tag = default;
        if (key.Length != 8 || !uint.TryParse(key, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)) return false;
        tag = new DicomTag(v);
        return true;
    }
}
