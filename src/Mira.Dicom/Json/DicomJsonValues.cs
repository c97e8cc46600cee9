using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Mira.Dicom.Values;

namespace Mira.Dicom.Json;

/// <summary>The "Value" arrays of the DICOM JSON Model (PS3.18 §F.2.4) read into Mira's element values.</summary>
internal static class DicomJsonValues
{
    /// <summary>
    /// Text values: strings; null is an empty value (§F.2.5); DS and IS may be numbers (§F.2.3.1, Table F.2.3-1), and
    /// are formatted as DS (shortest, ≤16 characters) and IS; PN values are objects of component groups (§F.2.2).
    /// </summary>
    public static string[] ReadText(DicomVR vr, JsonElement array, string path, bool strict)
    {
        var values = new string[array.GetArrayLength()];
        var i = 0;
        foreach (var v in array.EnumerateArray())
        {
            values[i] = v.ValueKind switch
            {
                JsonValueKind.Null => "",
                JsonValueKind.Number when vr is DicomVR.DS or DicomVR.IS => FromNumber(vr, v, path, i, strict),
                JsonValueKind.String when vr is DicomVR.DS or DicomVR.IS => FromNumericString(vr, v.GetString()!, path, i, strict),
                JsonValueKind.String when vr == DicomVR.PN && strict =>
                    throw Error(path, i, "a PN value must be an object with Alphabetic, Ideographic and Phonetic (PS3.18 §F.2.2), found a string"),
                JsonValueKind.String => v.GetString()!,
                JsonValueKind.Object when vr == DicomVR.PN => PersonName(v, path, i, strict),
                _ => throw Error(path, i, $"{Expected(vr)} expected for {DicomVRInfo.Code(vr)}, found {DicomJsonReader.Kind(v)}"),
            };
            i++;
        }
        if (strict)
        {
            if (DicomVRInfo.IsSingleValuedText(vr) && values.Length > 1)
                throw new DicomJsonException(path, $"{DicomVRInfo.Code(vr)} has a single value, found {values.Length}");
            for (var k = 0; k < values.Length; k++)
                if (DicomValueValidator.Validate(vr, values[k]) is { } reason) throw Error(path, k, reason);
        }
        return values;
    }

    static string Expected(DicomVR vr) => vr switch
    {
        DicomVR.PN => "an object (or null)",
        DicomVR.DS or DicomVR.IS => "a number (or null)",
        _ => "a string (or null)",
    };

    static string FromNumber(DicomVR vr, JsonElement v, string path, int i, bool strict)
    {
        if (vr == DicomVR.IS)
        {
            if (v.TryGetInt64(out var l))
            {
                if (strict && l is < int.MinValue or > int.MaxValue) throw Error(path, i, $"IS {l} is outside -2147483648..2147483647");
                return l.ToString(CultureInfo.InvariantCulture);
            }
            if (v.TryGetDouble(out var di) && double.IsFinite(di))
            {
                if (di == Math.Floor(di) && di is >= int.MinValue and <= int.MaxValue) return DicomNumberString.FormatIS((int)di);
                if (strict) throw Error(path, i, $"IS {v.GetRawText()} is not an integer in -2147483648..2147483647");
                return DicomNumberString.FormatDS(di);
            }
            throw Error(path, i, $"IS {v.GetRawText()} is out of range");
        }
        if (v.TryGetDouble(out var d) && double.IsFinite(d)) return DicomNumberString.FormatDS(d);
        throw Error(path, i, $"DS {v.GetRawText()} is out of the range of a double");
    }

    /// <summary>DS or IS given as a string (not in PS3.18, but common): kept when valid, reformatted when too long.</summary>
    static string FromNumericString(DicomVR vr, string s, string path, int i, bool strict)
    {
        var t = s.Trim(' ');
        if (t.Length == 0) return "";
        if (vr == DicomVR.DS)
        {
            if (DicomNumberString.IsValidDS(t)) return t;
            if (DicomNumberString.TryParseDouble(t, out var d)) return DicomNumberString.FormatDS(d);
        }
        else
        {
            if (DicomNumberString.IsValidIS(t)) return t;
            if (DicomNumberString.TryParseDouble(t, out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
                return DicomNumberString.FormatIS((int)d);
        }
        if (strict) throw Error(path, i, $"\"{s}\" is not a {DicomVRInfo.Code(vr)} number");
        return s;
    }

    /// <summary>A PN value (§F.2.2): component groups joined with '=', trailing empty groups left out.</summary>
    static string PersonName(JsonElement obj, string path, int i, bool strict)
    {
        string a = "", id = "", ph = "";
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Name is not ("Alphabetic" or "Ideographic" or "Phonetic"))
            {
                if (strict) throw Error(path, i, $"unknown PN component group \"{p.Name}\" (PS3.18 §F.2.2)");
                continue;
            }
            var g = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Null => "",
                _ => throw Error(path, i, $"PN {p.Name} must be a string, found {DicomJsonReader.Kind(p.Value)}"),
            };
            if (p.Name == "Alphabetic") a = g;
            else if (p.Name == "Ideographic") id = g;
            else ph = g;
        }
        return ph.Length > 0 ? $"{a}={id}={ph}" : id.Length > 0 ? $"{a}={id}" : a;
    }

    /// <summary>
    /// Binary numbers (US, SS, UL, SL, UV, SV, FL, FD) and AT ("GGGGEEEE", §F.2.3) as little-endian bytes. With
    /// <paramref name="firstValueUnsigned"/> (LUT descriptors, PS3.3 C.11.1.1) an SS first value may be 0–65535.
    /// </summary>
    public static byte[] ReadBinary(DicomVR vr, JsonElement array, string path, bool strict, bool firstValueUnsigned = false)
    {
        var unit = vr == DicomVR.AT ? 4 : DicomVRInfo.UnitSize(vr);
        var bytes = new byte[array.GetArrayLength() * unit];
        var i = 0;
        foreach (var v in array.EnumerateArray())
        {
            var dest = bytes.AsSpan(i * unit, unit);
            switch (vr)
            {
                case DicomVR.US: BinaryPrimitives.WriteUInt16LittleEndian(dest, (ushort)Unsigned(v, ushort.MaxValue, vr, path, i, strict)); break;
                case DicomVR.UL: BinaryPrimitives.WriteUInt32LittleEndian(dest, (uint)Unsigned(v, uint.MaxValue, vr, path, i, strict)); break;
                case DicomVR.UV: BinaryPrimitives.WriteUInt64LittleEndian(dest, Unsigned(v, ulong.MaxValue, vr, path, i, strict)); break;
                case DicomVR.SS:
                    BinaryPrimitives.WriteInt16LittleEndian(dest, unchecked((short)Signed(v, short.MinValue, i == 0 && firstValueUnsigned ? ushort.MaxValue : short.MaxValue, vr, path, i, strict)));
                    break;
                case DicomVR.SL: BinaryPrimitives.WriteInt32LittleEndian(dest, (int)Signed(v, int.MinValue, int.MaxValue, vr, path, i, strict)); break;
                case DicomVR.SV: BinaryPrimitives.WriteInt64LittleEndian(dest, Signed(v, long.MinValue, long.MaxValue, vr, path, i, strict)); break;
                case DicomVR.FL:
                    var d = Float(v, vr, path, i, strict);
                    var f = (float)d;
                    if (float.IsInfinity(f) && !double.IsInfinity(d)) throw Error(path, i, $"{v.GetRawText()} is out of the range of FL");
                    BinaryPrimitives.WriteSingleLittleEndian(dest, f);
                    break;
                case DicomVR.FD: BinaryPrimitives.WriteDoubleLittleEndian(dest, Float(v, vr, path, i, strict)); break;
                case DicomVR.AT:
                    var tag = AttributeTag(v, path, i);
                    BinaryPrimitives.WriteUInt16LittleEndian(dest, tag.Group);
                    BinaryPrimitives.WriteUInt16LittleEndian(dest[2..], tag.Element);
                    break;
                default:
                    throw new DicomJsonException(path, $"{DicomVRInfo.Code(vr)} cannot have \"Value\"");
            }
            i++;
        }
        return bytes;
    }

    static ulong Unsigned(JsonElement v, ulong max, DicomVR vr, string path, int i, bool strict)
    {
        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetUInt64(out var u) && u <= max) return u;
            if (!v.TryGetUInt64(out _) && v.TryGetDouble(out var d) && d == Math.Floor(d) && d >= 0 && d <= max && d < 1.8e19) return (ulong)d;
        }
        else if (v.ValueKind == JsonValueKind.String && !strict
                 && ulong.TryParse(v.GetString()!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s <= max)
            return s;
        throw Error(path, i, NumberError(v, vr));
    }

    static long Signed(JsonElement v, long min, long max, DicomVR vr, string path, int i, bool strict)
    {
        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetInt64(out var l) && l >= min && l <= max) return l;
            if (!v.TryGetInt64(out _) && v.TryGetDouble(out var d) && d == Math.Floor(d) && d >= min && d <= max && Math.Abs(d) < 9e18) return (long)d;
        }
        else if (v.ValueKind == JsonValueKind.String && !strict
                 && long.TryParse(v.GetString()!.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) && s >= min && s <= max)
            return s;
        throw Error(path, i, NumberError(v, vr));
    }

    /// <summary>FL/FD: a number, or the strings "NaN", "Infinity", "-Infinity" that JSON numbers cannot express.</summary>
    static double Float(JsonElement v, DicomVR vr, string path, int i, bool strict)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d)) return d;
        if (v.ValueKind == JsonValueKind.String)
        {
            var s = v.GetString()!.Trim();
            if (s is "NaN" or "Infinity" or "-Infinity" or "+Infinity" || !strict)
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var p)) return p;
        }
        throw Error(path, i, NumberError(v, vr));
    }

    static string NumberError(JsonElement v, DicomVR vr) => v.ValueKind == JsonValueKind.Number
        ? $"{v.GetRawText()} is not a valid {DicomVRInfo.Code(vr)} value (out of range or not an integer)"
        : $"a number expected for {DicomVRInfo.Code(vr)}, found {DicomJsonReader.Kind(v)}"
          + (v.ValueKind == JsonValueKind.String ? $" \"{v.GetString()}\"" : "");

    /// <summary>An AT value: the tag as 8 hexadecimal digits, group then element (PS3.18 §F.2.3).</summary>
    static DicomTag AttributeTag(JsonElement v, string path, int i)
    {
        if (v.ValueKind == JsonValueKind.String && v.GetString() is { Length: 8 } s && s.All(char.IsAsciiHexDigit))
            return new DicomTag(uint.Parse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        throw Error(path, i, $"an AT value must be a string of 8 hexadecimal digits (GGGGEEEE), found {DicomJsonReader.Kind(v)}"
                             + (v.ValueKind == JsonValueKind.String ? $" \"{v.GetString()}\"" : ""));
    }

    static DicomJsonException Error(string path, int index, string reason) => new($"{path}.Value[{index}]", reason);
}
