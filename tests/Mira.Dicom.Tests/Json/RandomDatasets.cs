using System.Globalization;
using CsCheck;
using Mira.Dicom.Json;
using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Json;

/// <summary>A generated data set; prints as its DICOM JSON so that a failing case can be read.</summary>
public sealed class GeneratedDataset(DicomDataset dataset)
{
    public DicomDataset Dataset { get; } = dataset;
    public override string ToString() => DicomJsonWriter.Serialize(Dataset);
}

/// <summary>
/// Random data sets for property tests: tags from the dictionary whose VR is unambiguous (so that implicit VR reads
/// back the same VR), valid values per VR (PS3.5 Table 6.2-1) including PN component groups, multiple values, empty
/// values and binary arrays, sequences nested up to depth 3, and text in the default repertoire, ISO_IR 100 or ISO_IR 192.
/// </summary>
public static class RandomDatasets
{
    public const int MaxDepth = 3;

    static readonly DicomDictionaryEntry[] Entries = DicomDictionary.Entries
        .Where(e => e.Mask == 0xFFFFFFFF && e.VRs.Length == 1 && e.VRs[0] is not (DicomVR.UN or DicomVR.None)
                    && e.Keyword.Length > 0 && !e.Tag.IsGroupLength && !e.Tag.IsPrivate
                    && e.Tag.Group is not (0x0000 or 0x0002 or 0xFFFC or 0xFFFE)
                    && e.Tag != DicomTags.SpecificCharacterSet && e.Tag != DicomTags.SOPClassUID && e.Tag != DicomTags.SOPInstanceUID)
        .ToArray();

    static readonly DicomDictionaryEntry[] Sequences = Entries.Where(e => e.VR == DicomVR.SQ).ToArray();
    static readonly DicomDictionaryEntry[] NonSequences = Entries.Where(e => e.VR != DicomVR.SQ).ToArray();

    static readonly string[] AsciiAtoms = [.. "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,-_()'&/".Select(c => c.ToString())];
    static readonly string[] LatinAtoms = ["é", "à", "ü", "ß", "Ø", "ñ", "Æ", "¿", "©"];
    static readonly string[] UnicodeAtoms = ["é", "Ω", "Ж", "山", "田", "太", "郎", "한", "국", "😀", "ﾔ"];

    /// <summary>A top-level data set with SOP Class and Instance UIDs, in one of three character sets.</summary>
    public static Gen<GeneratedDataset> TopLevel =>
        Gen.Int[0, 2].SelectMany(cs => Dataset(0, cs)).Select(ds =>
        {
            ds.Set(DicomTags.SOPClassUID, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.7");
            ds.Set(DicomTags.SOPInstanceUID, DicomVR.UI, "2.25.1234567890123456789");
            return new GeneratedDataset(ds);
        });

    /// <summary>Character set 0: none (ASCII text), 1: ISO_IR 100, 2: ISO_IR 192.</summary>
    static Gen<DicomDataset> Dataset(int depth, int charset) =>
        Element(depth, charset).Array[0, depth == 0 ? 12 : 4].Select(elements =>
        {
            var ds = new DicomDataset();
            if (depth == 0 && charset > 0) ds.Set(DicomTags.SpecificCharacterSet, DicomVR.CS, charset == 1 ? "ISO_IR 100" : "ISO_IR 192");
            foreach (var e in elements) ds.Set(e);
            return ds;
        });

    static Gen<DicomElement> Element(int depth, int charset) =>
        Gen.Frequency(
            (8, Gen.Int[0, NonSequences.Length - 1].SelectMany(i => Value(NonSequences[i], charset))),
            (1, Gen.Int[0, Sequences.Length - 1].SelectMany(i => Sequence(Sequences[i].Tag, depth, charset))));

    static Gen<DicomElement> Sequence(DicomTag tag, int depth, int charset) =>
        depth >= MaxDepth
            ? Gen.Const<DicomElement>(new DicomSequence(tag))
            : Gen.Int[0, 2].SelectMany(n => Dataset(depth + 1, charset).Array[n])
                .Select(items => (DicomElement)new DicomSequence(tag, items));

    static Gen<DicomElement> Value(DicomDictionaryEntry entry, int charset)
    {
        var tag = entry.Tag;
        var vr = entry.VR;
        if (DicomVRInfo.IsString(vr))
        {
            var one = TextValue(vr, charset);
            var many = DicomVRInfo.IsSingleValuedText(vr) ? one.Array[0, 1] : Gen.Frequency((1, Gen.Const("")), (9, one)).Array[0, 3];
            return many.Select(values => new DicomElement(tag, vr, values));
        }
        return Bytes(vr).Select(b => new DicomElement(tag, vr, b));
    }

    static Gen<string> Text(string[] atoms, int min, int max, bool trimEnds) =>
        Gen.OneOfConst(atoms).Array[min, max].Select(a =>
        {
            var s = string.Concat(a);
            if (trimEnds) s = s.Trim(' ');
            return s.Length == 0 ? "X" : s;
        });

    static string[] Atoms(int charset) => charset switch
    {
        1 => [.. AsciiAtoms, .. LatinAtoms],
        2 => [.. AsciiAtoms, .. UnicodeAtoms],
        _ => AsciiAtoms,
    };

    static Gen<string> TextValue(DicomVR vr, int charset)
    {
        var atoms = Atoms(charset);
        string[] upper = [.. "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_".Select(c => c.ToString())];
        string[] alnum = [.. "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".Select(c => c.ToString())];
        return vr switch
        {
            DicomVR.AE => Text(alnum, 1, 16, true),
            DicomVR.CS => Text(upper, 1, 16, true),
            DicomVR.AS => Gen.Select(Gen.Int[0, 999], Gen.OneOfConst('D', 'W', 'M', 'Y'), (n, u) => n.ToString("000", CultureInfo.InvariantCulture) + u),
            DicomVR.DA => Gen.Select(Gen.Int[1900, 2099], Gen.Int[1, 12], Gen.Int[1, 28], (y, m, d) => $"{y:0000}{m:00}{d:00}"),
            DicomVR.TM => Gen.Select(Gen.Int[0, 23], Gen.Int[0, 59], Gen.Int[0, 59], (h, m, s) => $"{h:00}{m:00}{s:00}"),
            DicomVR.DT => Gen.Select(Gen.Int[1900, 2099], Gen.Int[1, 12], Gen.Int[1, 28], Gen.Int[0, 23], Gen.Int[0, 59],
                (y, mo, d, h, mi) => $"{y:0000}{mo:00}{d:00}{h:00}{mi:00}"),
            DicomVR.DS => Gen.Frequency(
                (3, Gen.Double.Where(double.IsFinite).Select(DicomNumberString.FormatDS)),
                (1, Gen.Int[-100000, 100000].Select(i => i.ToString(CultureInfo.InvariantCulture)))),
            DicomVR.IS => Gen.Int.Select(DicomNumberString.FormatIS),
            DicomVR.UI => Gen.Int[1, 99999].Array[1, 5].Select(c => "1.2.840." + string.Join('.', c)),
            DicomVR.UR => Text(alnum, 1, 20, true).Select(s => "http://example.org/" + s),
            DicomVR.SH => Text(atoms, 1, 16, true),
            DicomVR.LO => Text(atoms, 1, 40, true),
            DicomVR.UC => Text(atoms, 1, 80, true),
            DicomVR.ST or DicomVR.LT or DicomVR.UT => Text([.. atoms, "\\", "\r\n"], 1, 80, false).Select(s => s.TrimEnd(' ')).Select(s => s.Length == 0 ? "X" : s),
            DicomVR.PN => PersonName(atoms),
            _ => throw new ArgumentException($"no generator for {DicomVRInfo.Code(vr)}"),
        };
    }

    /// <summary>PN: up to three component groups of up to five components (PS3.5 §6.2.1), trailing empty groups left out.</summary>
    static Gen<string> PersonName(string[] atoms)
    {
        var nameAtoms = atoms.Where(a => a != " ").ToArray();
        var component = Text(nameAtoms, 1, 8, true);
        var group = Gen.Frequency((1, Gen.Const("")), (3, component.Array[1, 5].Select(c => string.Join('^', c))));
        return group.Array[1, 3].Select(g => string.Join('=', g).TrimEnd('=')).Select(s => s.Length == 0 ? "Doe^John" : s);
    }

    static Gen<byte[]> Bytes(DicomVR vr) => vr switch
    {
        DicomVR.US => Gen.UShort.Array[0, 4].Select(v => DicomBinary.ToBytes<ushort>(v)),
        DicomVR.SS => Gen.Short.Array[0, 4].Select(v => DicomBinary.ToBytes<short>(v)),
        DicomVR.UL => Gen.UInt.Array[0, 4].Select(v => DicomBinary.ToBytes<uint>(v)),
        DicomVR.SL => Gen.Int.Array[0, 4].Select(v => DicomBinary.ToBytes<int>(v)),
        DicomVR.UV => Gen.ULong.Array[0, 4].Select(v => DicomBinary.ToBytes<ulong>(v)),
        DicomVR.SV => Gen.Long.Array[0, 4].Select(v => DicomBinary.ToBytes<long>(v)),
        DicomVR.FL => Gen.Float.Array[0, 4].Select(v => DicomBinary.ToBytes<float>(v)),
        DicomVR.FD => Gen.Double.Array[0, 4].Select(v => DicomBinary.ToBytes<double>(v)),
        DicomVR.AT => Gen.UInt.Array[0, 3].Select(v => DicomBinary.TagsToBytes(v)),
        DicomVR.OB or DicomVR.UN => Gen.Byte.Array[0, 20].Select(b => b.Length % 2 == 0 ? b : b[..^1]),
        DicomVR.OW => Gen.UShort.Array[0, 8].Select(v => DicomBinary.ToBytes<ushort>(v)),
        DicomVR.OF => Gen.Float.Array[0, 4].Select(v => DicomBinary.ToBytes<float>(v)),
        DicomVR.OL => Gen.UInt.Array[0, 4].Select(v => DicomBinary.ToBytes<uint>(v)),
        DicomVR.OD => Gen.Double.Array[0, 3].Select(v => DicomBinary.ToBytes<double>(v)),
        DicomVR.OV => Gen.ULong.Array[0, 3].Select(v => DicomBinary.ToBytes<ulong>(v)),
        _ => throw new ArgumentException($"no generator for {DicomVRInfo.Code(vr)}"),
    };
}
