using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mira.Dicom.Json;

/// <summary>
/// Reads the DICOM JSON Model (PS3.18 Annex F): a data set is a JSON object whose keys are tags as 8 upper-case hex
/// digits (§F.2.1.1) and whose values are element objects with "vr" and at most one of "Value", "InlineBinary" and
/// "BulkDataURI" (§F.2.2–F.2.7). An array of such objects (QIDO-RS results, WADO-RS metadata) is read with
/// <see cref="ParseArray(string, DicomJsonReadOptions?)"/>. Text values become string-valued elements (see
/// <see cref="DicomJsonReadOptions.ConvertToUtf8"/> for the character set), DS and IS numbers are formatted as
/// decimal and integer strings, binary numbers and AT become little-endian bytes, InlineBinary is base64, and
/// sequence items are read recursively. Every problem is a <see cref="DicomJsonException"/> naming its path.
/// </summary>
public static class DicomJsonReader
{
    /// <summary>Reads one data set from JSON text.</summary>
    public static DicomDataset Parse(string json, DicomJsonReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        options ??= DicomJsonReadOptions.Default;
        CheckSize((long)json.Length * 3 > options.MaxTotalSize ? Encoding.UTF8.GetByteCount(json) : 0, options);
        return ReadTop(Encoding.UTF8.GetBytes(json), options);
    }

    /// <summary>Reads one data set from UTF-8 JSON (a byte order mark is allowed).</summary>
    public static DicomDataset Parse(ReadOnlySpan<byte> utf8, DicomJsonReadOptions? options = null)
    {
        options ??= DicomJsonReadOptions.Default;
        CheckSize(utf8.Length, options);
        return ReadTop(utf8.ToArray(), options);
    }

    /// <summary>Reads one data set from a stream of UTF-8 JSON, reading no more than the size limit allows.</summary>
    public static DicomDataset Read(Stream stream, DicomJsonReadOptions? options = null)
    {
        options ??= DicomJsonReadOptions.Default;
        return ReadTop(ReadAll(stream, options), options);
    }

    /// <summary>Reads a JSON array of data sets (PS3.18 §F.2: QIDO-RS responses and WADO-RS metadata).</summary>
    public static List<DicomDataset> ParseArray(string json, DicomJsonReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        options ??= DicomJsonReadOptions.Default;
        CheckSize((long)json.Length * 3 > options.MaxTotalSize ? Encoding.UTF8.GetByteCount(json) : 0, options);
        return ReadArrayTop(Encoding.UTF8.GetBytes(json), options);
    }

    /// <summary>Reads a JSON array of data sets from UTF-8.</summary>
    public static List<DicomDataset> ParseArray(ReadOnlySpan<byte> utf8, DicomJsonReadOptions? options = null)
    {
        options ??= DicomJsonReadOptions.Default;
        CheckSize(utf8.Length, options);
        return ReadArrayTop(utf8.ToArray(), options);
    }

    /// <summary>Reads a JSON array of data sets from a stream of UTF-8.</summary>
    public static List<DicomDataset> ReadArray(Stream stream, DicomJsonReadOptions? options = null)
    {
        options ??= DicomJsonReadOptions.Default;
        return ReadArrayTop(ReadAll(stream, options), options);
    }

    static void CheckSize(long bytes, DicomJsonReadOptions options)
    {
        if (bytes > options.MaxTotalSize)
            throw new DicomJsonException("", $"input of {bytes} bytes is larger than the limit of {options.MaxTotalSize}");
    }

    static byte[] ReadAll(Stream stream, DicomJsonReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > options.MaxTotalSize)
                throw new DicomJsonException("", $"input is larger than the limit of {options.MaxTotalSize} bytes");
        }
        return ms.ToArray();
    }

    static DicomDataset ReadTop(byte[] utf8, DicomJsonReadOptions options)
    {
        using var doc = ParseDocument(utf8, options, extraDepth: 0);
        var ds = ReadDataset(doc.RootElement, "", 0, options);
        if (options.ConvertToUtf8) DicomJsonCharacterSets.ConvertIfNeeded(ds);
        return ds;
    }

    static List<DicomDataset> ReadArrayTop(byte[] utf8, DicomJsonReadOptions options)
    {
        using var doc = ParseDocument(utf8, options, extraDepth: 1);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
            throw new DicomJsonException("", $"expected a JSON array of data sets, found {Kind(root)}");
        var list = new List<DicomDataset>(root.GetArrayLength());
        var i = 0;
        foreach (var item in root.EnumerateArray())
        {
            var ds = ReadDataset(item, $"[{i++}]", 0, options);
            if (options.ConvertToUtf8) DicomJsonCharacterSets.ConvertIfNeeded(ds);
            list.Add(ds);
        }
        return list;
    }

    static JsonDocument ParseDocument(byte[] utf8, DicomJsonReadOptions options, int extraDepth)
    {
        var start = utf8.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        // Each sequence level nests three JSON levels (element, Value array, item); a PN value adds two more.
        var depth = (int)Math.Min(int.MaxValue, 3L * Math.Max(0, options.MaxDepth) + 5 + extraDepth);
        try
        {
            return JsonDocument.Parse(utf8.AsMemory(start), new JsonDocumentOptions { MaxDepth = depth });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw new DicomJsonException("", $"not valid JSON{where}: {e.Message}", e);
        }
    }

    /// <summary>A data set: keys are tags (PS3.18 §F.2.1.1); <paramref name="prefix"/> is the path of its enclosing item.</summary>
    static DicomDataset ReadDataset(JsonElement obj, string prefix, int depth, DicomJsonReadOptions options)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            throw new DicomJsonException(prefix, $"a data set must be a JSON object, found {Kind(obj)}");
        var ds = new DicomDataset();
        var dot = prefix.Length == 0 ? "" : prefix + ".";
        foreach (var p in obj.EnumerateObject())
        {
            string name;
            try
            {
                name = p.Name;
            }
            catch (InvalidOperationException e)
            {
                throw new DicomJsonException(prefix, UnpairedSurrogate, e);
            }
            var path = dot + name;
            var tag = ParseKey(name, path, options.Strict);
            if (ds.Contains(tag)) throw new DicomJsonException(path, $"tag {tag} is given more than once");
            try
            {
                ds.Set(ReadElement(tag, p.Value, path, depth, options));
            }
            catch (InvalidOperationException e) // System.Text.Json's GetString on invalid UTF-8 or an escaped lone surrogate
            {
                throw new DicomJsonException(path, UnpairedSurrogate, e);
            }
        }
        return ds;
    }

    const string UnpairedSurrogate = "a string is not valid Unicode (invalid UTF-8, or an escaped unpaired surrogate such as \\uD800)";

    static DicomTag ParseKey(string key, string path, bool strict)
    {
        if (key.Length != 8 || !key.All(char.IsAsciiHexDigit))
            throw new DicomJsonException(path, $"key \"{key}\" is not a tag of 8 hexadecimal digits (PS3.18 §F.2.1.1)");
        if (strict && key.Any(char.IsAsciiLetterLower))
            throw new DicomJsonException(path, $"key \"{key}\" must use upper-case hexadecimal digits (PS3.18 §F.2.1.1)");
        var tag = new DicomTag(uint.Parse(key, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        if (tag.Group == 0xFFFE)
            throw new DicomJsonException(path, $"{tag} is an item delimiter, not a data element");
        return tag;
    }

    /// <summary>An element object (PS3.18 §F.2.2): "vr" and at most one of "Value", "InlineBinary", "BulkDataURI".</summary>
    static DicomElement ReadElement(DicomTag tag, JsonElement obj, string path, int depth, DicomJsonReadOptions options)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            throw new DicomJsonException(path, $"an element must be a JSON object with \"vr\", found {Kind(obj)}");
        string? vrCode = null;
        JsonElement? value = null, inline = null, bulk = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (!seen.Add(p.Name)) throw new DicomJsonException(path, $"member \"{p.Name}\" is given more than once");
            switch (p.Name)
            {
                case "vr":
                    if (p.Value.ValueKind != JsonValueKind.String)
                        throw new DicomJsonException(path, $"\"vr\" must be a string, found {Kind(p.Value)}");
                    vrCode = p.Value.GetString()!;
                    break;
                case "Value": value = p.Value; break;
                case "InlineBinary": inline = p.Value; break;
                case "BulkDataURI": bulk = p.Value; break;
                default:
                    if (options.Strict)
                        throw new DicomJsonException(path, $"unknown member \"{p.Name}\" (PS3.18 §F.2.2 allows vr, Value, InlineBinary, BulkDataURI)");
                    break;
            }
        }
        if (vrCode is null) throw new DicomJsonException(path, "the element has no \"vr\" (PS3.18 §F.2.3)");
        if (!DicomVRInfo.TryParse(vrCode, out var vr))
            throw new DicomJsonException(path, $"\"{vrCode}\" is not a valid VR (PS3.5 §6.2)");
        if (value is { ValueKind: JsonValueKind.Null } && !options.Strict) value = null;
        if ((value.HasValue ? 1 : 0) + (inline.HasValue ? 1 : 0) + (bulk.HasValue ? 1 : 0) > 1)
            throw new DicomJsonException(path, "only one of \"Value\", \"InlineBinary\" and \"BulkDataURI\" may be given (PS3.18 §F.2.2)");

        if (vr == DicomVR.SQ)
        {
            if (inline.HasValue || bulk.HasValue)
                throw new DicomJsonException(path, "a sequence (SQ) has items in \"Value\", not InlineBinary or BulkDataURI (PS3.18 §F.2.5)");
            return ReadSequence(tag, value, path, depth, options);
        }
        if (bulk is { } b) return ReadBulk(tag, vr, b, path, options);
        if (inline is { } ib) return ReadInline(tag, vr, ib, path, options);
        if (value is not { } v)
            return DicomVRInfo.IsString(vr) ? new DicomElement(tag, vr, Array.Empty<string>()) : new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty);
        if (v.ValueKind != JsonValueKind.Array)
            throw new DicomJsonException(path, $"\"Value\" must be an array, found {Kind(v)} (PS3.18 §F.2.4)");
        if (DicomVRInfo.IsString(vr)) return new DicomElement(tag, vr, DicomJsonValues.ReadText(vr, v, path, options.Strict));
        if (IsBulkVR(vr))
            throw new DicomJsonException(path, $"{DicomVRInfo.Code(vr)} values are given as InlineBinary or BulkDataURI, not \"Value\" (PS3.18 §F.2.7)");
        return new DicomElement(tag, vr, DicomJsonValues.ReadBinary(vr, v, path, options.Strict,
            firstValueUnsigned: DicomJsonWriter.IsLutDescriptor(tag)));
    }

    static bool IsBulkVR(DicomVR vr) =>
        vr is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.UN;

    /// <summary>Items of a sequence (PS3.18 §F.2.5): an array of data set objects; no Value means no items.</summary>
    static DicomSequence ReadSequence(DicomTag tag, JsonElement? value, string path, int depth, DicomJsonReadOptions options)
    {
        var sq = new DicomSequence(tag);
        if (value is not { } v) return sq;
        if (v.ValueKind != JsonValueKind.Array)
            throw new DicomJsonException(path, $"\"Value\" of a sequence must be an array of items, found {Kind(v)} (PS3.18 §F.2.5)");
        if (v.GetArrayLength() > 0 && depth + 1 > options.MaxDepth)
            throw new DicomJsonException(path, $"sequences are nested more than {options.MaxDepth} deep");
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            var itemPath = $"{path}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
                throw new DicomJsonException(itemPath, $"a sequence item must be a JSON object, found {Kind(item)}");
            sq.Add(ReadDataset(item, itemPath, depth + 1, options));
        }
        return sq;
    }

    /// <summary>BulkDataURI (PS3.18 §F.2.6): resolved to bytes when a resolver is given, else kept as a reference.</summary>
    static DicomElement ReadBulk(DicomTag tag, DicomVR vr, JsonElement uri, string path, DicomJsonReadOptions options)
    {
        if (uri.ValueKind != JsonValueKind.String)
            throw new DicomJsonException(path, $"\"BulkDataURI\" must be a string, found {Kind(uri)}");
        var text = uri.GetString()!;
        if (options.BulkDataResolver is not { } resolve) return new DicomBulkDataReference(tag, vr, text);
        ReadOnlyMemory<byte> bytes;
        try
        {
            bytes = resolve(text);
        }
        catch (Exception e) when (e is not MiraException and not OperationCanceledException)
        {
            throw new DicomJsonException(path, $"BulkDataURI \"{text}\" could not be resolved: {e.Message}", e);
        }
        CheckBinaryLength(vr, bytes.Length, path, options.Strict);
        return new DicomElement(tag, vr, bytes);
    }

    /// <summary>InlineBinary (PS3.18 §F.2.7): base64 of the little-endian value.</summary>
    static DicomElement ReadInline(DicomTag tag, DicomVR vr, JsonElement inline, string path, DicomJsonReadOptions options)
    {
        if (inline.ValueKind != JsonValueKind.String)
            throw new DicomJsonException(path, $"\"InlineBinary\" must be a base64 string, found {Kind(inline)}");
        if (options.Strict && !IsBulkVR(vr))
            throw new DicomJsonException(path, $"InlineBinary is for OB, OD, OF, OL, OV, OW and UN, not {DicomVRInfo.Code(vr)} (PS3.18 §F.2.7)");
        if (!inline.TryGetBytesFromBase64(out var bytes))
            throw new DicomJsonException(path, "\"InlineBinary\" is not valid base64 (PS3.18 §F.2.7)");
        CheckBinaryLength(vr, bytes.Length, path, options.Strict);
        return new DicomElement(tag, vr, bytes);
    }

    static void CheckBinaryLength(DicomVR vr, int length, string path, bool strict)
    {
        if (!strict || !DicomVRInfo.IsBinary(vr)) return;
        var unit = vr == DicomVR.AT ? 4 : DicomVRInfo.UnitSize(vr);
        if (length % unit != 0)
            throw new DicomJsonException(path, $"{DicomVRInfo.Code(vr)} value of {length} bytes is not a whole number of {unit}-byte values");
    }

    internal static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
