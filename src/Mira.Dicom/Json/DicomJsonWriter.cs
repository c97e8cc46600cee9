using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mira.Dicom.Text;

namespace Mira.Dicom.Json;

/// <summary>Options for the DICOM JSON model writer.</summary>
public sealed record DicomJsonWriteOptions
{
    /// <summary>Include group 0002 (File Meta Information). PS3.18 Annex F data sets normally leave it out.</summary>
    public bool IncludeFileMeta { get; init; }

    /// <summary>Include group length elements (gggg,0000), retired outside group 0002 (PS3.5 §7.2).</summary>
    public bool IncludeGroupLengths { get; init; }

    /// <summary>
    /// When set, returns a BulkDataURI for a binary value (or encapsulated Pixel Data) instead of InlineBinary;
    /// return null to inline the value. Encapsulated Pixel Data is left out when this is null or returns null.
    /// </summary>
    public Func<DicomElement, string?>? BulkDataUri { get; init; }

    public bool Indented { get; init; }

    public static DicomJsonWriteOptions Default { get; } = new();
}

/// <summary>Writes the DICOM JSON Model (PS3.18 Annex F).</summary>
public static class DicomJsonWriter
{
    static readonly JsonWriterOptions compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    static readonly JsonWriterOptions indented = compact with { Indented = true };

    public static string Serialize(DicomDataset dataset, DicomJsonWriteOptions? options = null)
    {
        using var ms = new MemoryStream();
        Write(ms, dataset, options);
        return System.Text.Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    public static void Write(Stream stream, DicomDataset dataset, DicomJsonWriteOptions? options = null)
    {
        options ??= DicomJsonWriteOptions.Default;
        using var w = new Utf8JsonWriter(stream, options.Indented ? indented : compact);
        WriteDataset(w, dataset, options);
        w.Flush();
    }

    public static void WriteDataset(Utf8JsonWriter w, DicomDataset ds, DicomJsonWriteOptions options)
    {
        w.WriteStartObject();
        var charset = ds.CharacterSet;
        Span<char> key = stackalloc char[8];
        foreach (var e in ds)
        {
            if (e.Tag.Group == 0x0002 && !options.IncludeFileMeta) continue;
            if (e.Tag.IsGroupLength && e.Tag.Group != 0x0002 && !options.IncludeGroupLengths) continue;
            if (e is DicomFragmentSequence && options.BulkDataUri?.Invoke(e) is null) continue;
            e.Tag.Value.TryFormat(key, out _, "X8", CultureInfo.InvariantCulture);
            w.WritePropertyName(key);
            WriteElement(w, e, charset, options);
        }
        w.WriteEndObject();
    }

    static void WriteElement(Utf8JsonWriter w, DicomElement e, DicomCharacterSet charset, DicomJsonWriteOptions options)
    {
        w.WriteStartObject();
        w.WriteString("vr"u8, DicomVRInfo.Code(e.VR));
        switch (e)
        {
            case DicomSequence sq:
                if (sq.Items.Count > 0)
                {
                    w.WriteStartArray("Value"u8);
                    foreach (var item in sq.Items) WriteDataset(w, item, options);
                    w.WriteEndArray();
                }
                break;
            case DicomFragmentSequence:
                w.WriteString("BulkDataURI"u8, options.BulkDataUri!(e));
                break;
            case DicomBulkDataReference bulk:
                w.WriteString("BulkDataURI"u8, options.BulkDataUri?.Invoke(e) ?? bulk.Uri);
                break;
            default:
                if (DicomVRInfo.IsString(e.VR)) WriteText(w, e, charset);
                else WriteBinary(w, e, options);
                break;
        }
        w.WriteEndObject();
    }

    static void WriteText(Utf8JsonWriter w, DicomElement e, DicomCharacterSet charset)
    {
        var values = e.GetStrings(charset);
        if (values.Length == 0 || (values.Length == 1 && values[0].Length == 0 && e.VR != DicomVR.PN)) return;
        if (values.All(v => v.Length == 0)) return;
        w.WriteStartArray("Value"u8);
        foreach (var v in values)
        {
            if (v.Length == 0)
            {
                w.WriteNullValue();
                continue;
            }
            switch (e.VR)
            {
                case DicomVR.PN:
                    WritePersonName(w, v);
                    break;
                case DicomVR.DS:
                    if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) w.WriteNumberValue(d);
                    else w.WriteStringValue(v);
                    break;
                case DicomVR.IS:
                    if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) w.WriteNumberValue(l);
                    else if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var di) && double.IsFinite(di)) w.WriteNumberValue(di);
                    else w.WriteStringValue(v);
                    break;
                default:
                    w.WriteStringValue(v);
                    break;
            }
        }
        w.WriteEndArray();
    }

    /// <summary>PN as an object with Alphabetic, Ideographic and Phonetic component groups (PS3.18 §F.2.2).</summary>
    static void WritePersonName(Utf8JsonWriter w, string v)
    {
        var groups = v.Split('=');
        w.WriteStartObject();
        if (groups.Length > 0 && groups[0].Length > 0) w.WriteString("Alphabetic"u8, groups[0]);
        if (groups.Length > 1 && groups[1].Length > 0) w.WriteString("Ideographic"u8, groups[1]);
        if (groups.Length > 2 && groups[2].Length > 0) w.WriteString("Phonetic"u8, groups[2]);
        w.WriteEndObject();
    }

    static void WriteBinary(Utf8JsonWriter w, DicomElement e, DicomJsonWriteOptions options)
    {
        switch (e.VR)
        {
            case DicomVR.OB or DicomVR.OW or DicomVR.OF or DicomVR.OD or DicomVR.OL or DicomVR.OV or DicomVR.UN or DicomVR.None:
                if (options.BulkDataUri?.Invoke(e) is { } uri)
                {
                    w.WriteString("BulkDataURI"u8, uri);
                    return;
                }
                var raw = e.Bytes.Span;
                if (raw.Length > 0) w.WriteBase64String("InlineBinary"u8, raw);
                return;
        }
        var b = e.Bytes.Span;
        if (b.Length == 0) return;
        w.WriteStartArray("Value"u8);
        switch (e.VR)
        {
            case DicomVR.US: foreach (var x in MemoryMarshal.Cast<byte, ushort>(Whole(b, 2))) w.WriteNumberValue(x); break;
            case DicomVR.SS:
                var ss = MemoryMarshal.Cast<byte, short>(Whole(b, 2));
                for (var i = 0; i < ss.Length; i++)
                    if (i == 0 && IsLutDescriptor(e.Tag)) w.WriteNumberValue((ushort)ss[0]); // always unsigned (PS3.3 C.11.1.1)
                    else w.WriteNumberValue(ss[i]);
                break;
            case DicomVR.UL: foreach (var x in MemoryMarshal.Cast<byte, uint>(Whole(b, 4))) w.WriteNumberValue(x); break;
            case DicomVR.SL: foreach (var x in MemoryMarshal.Cast<byte, int>(Whole(b, 4))) w.WriteNumberValue(x); break;
            case DicomVR.UV: foreach (var x in MemoryMarshal.Cast<byte, ulong>(Whole(b, 8))) w.WriteNumberValue(x); break;
            case DicomVR.SV: foreach (var x in MemoryMarshal.Cast<byte, long>(Whole(b, 8))) w.WriteNumberValue(x); break;
            case DicomVR.FL:
                foreach (var x in MemoryMarshal.Cast<byte, float>(Whole(b, 4)))
                    if (float.IsFinite(x)) w.WriteNumberValue((double)x); else w.WriteStringValue(x.ToString(CultureInfo.InvariantCulture));
                break;
            case DicomVR.FD:
                foreach (var x in MemoryMarshal.Cast<byte, double>(Whole(b, 8)))
                    if (double.IsFinite(x)) w.WriteNumberValue(x); else w.WriteStringValue(x.ToString(CultureInfo.InvariantCulture));
                break;
            case DicomVR.AT:
                for (var i = 0; i + 4 <= b.Length; i += 4)
                {
                    var tag = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(b[i..]), BinaryPrimitives.ReadUInt16LittleEndian(b[(i + 2)..]));
                    w.WriteStringValue(tag.ToJsonKey());
                }
                break;
        }
        w.WriteEndArray();
    }

    /// <summary>LUT descriptors whose first value, the number of entries, is unsigned even when the VR is SS.</summary>
    internal static bool IsLutDescriptor(DicomTag tag) =>
        tag.Value is 0x00281101 or 0x00281102 or 0x00281103 or 0x00283002;

    static ReadOnlySpan<byte> Whole(ReadOnlySpan<byte> b, int unit) => b[..(b.Length - b.Length % unit)];
}
