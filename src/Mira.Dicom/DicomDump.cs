using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Mira.Dicom.IO;
using Mira.Dicom.Text;

namespace Mira.Dicom;

/// <summary>A readable, line-per-element listing of a data set, nested items indented.</summary>
public static class DicomDump
{
    const int MaxShown = 64;

    public static void Write(TextWriter w, DicomFile file)
    {
        w.WriteLine($"# File Meta Information{(file.HadPreamble ? "" : " (no preamble)")}");
        WriteDataset(w, file.FileMetaInformation, 0);
        w.WriteLine($"# Data Set: {file.TransferSyntax}");
        WriteDataset(w, file.Dataset, 0);
        if (file.StoppedBeforePixelData) w.WriteLine("# stopped before Pixel Data");
    }

    public static void WriteDataset(TextWriter w, DicomDataset ds, int depth)
    {
        var cs = ds.CharacterSet;
        var indent = new string(' ', depth * 2);
        foreach (var e in ds)
        {
            var keyword = DicomDictionary.Lookup(e.Tag)?.Keyword is { Length: > 0 } k ? k
                : e.Tag.IsPrivateCreator ? "PrivateCreator"
                : e.Tag.IsPrivate ? PrivateLabel(ds, e.Tag) : e.Tag.IsGroupLength ? "GroupLength" : "Unknown";
            switch (e)
            {
                case DicomSequence sq:
                    w.WriteLine($"{indent}{e.Tag} SQ {sq.Items.Count} item(s){(sq.WasUN ? " (read from UN)" : "")}  # {keyword}");
                    for (var i = 0; i < sq.Items.Count; i++)
                    {
                        w.WriteLine($"{indent}  (FFFE,E000) item {i + 1}");
                        WriteDataset(w, sq.Items[i], depth + 2);
                    }
                    break;
                case DicomFragmentSequence f:
                    w.WriteLine($"{indent}{e.Tag} {DicomVRInfo.Code(e.VR)} encapsulated: offset table {f.BasicOffsetTable.Length} entries, {f.Fragments.Count} fragment(s)  # {keyword}");
                    for (var i = 0; i < f.Fragments.Count && i < MaxShown; i++)
                        w.WriteLine($"{indent}  (FFFE,E000) fragment {i + 1}: {f.Fragments[i].Length} bytes");
                    break;
                default:
                    w.WriteLine($"{indent}{e.Tag} {DicomVRInfo.Code(e.VR)} {Describe(e, cs)}  # {Len(e)} {keyword}");
                    break;
            }
        }
    }

    static string PrivateLabel(DicomDataset ds, DicomTag tag)
    {
        var creator = ds.GetString(tag.PrivateCreatorTag);
        return creator is null ? "Private" : $"Private [{creator}]";
    }

    static string Len(DicomElement e) => e.IsLazy ? $"{e.Length} bytes at offset {e.LazyReference!.Offset}, not loaded," : $"{e.Length},";

    static string Describe(DicomElement e, DicomCharacterSet cs)
    {
        if (e.IsLazy) return "(not loaded)";
        if (e.Length == 0) return "(empty)";
        if (DicomVRInfo.IsString(e.VR))
        {
            string text;
            try { text = string.Join('\\', e.GetStrings(cs)); }
            catch (Exception ex) when (ex is ArgumentException or DecoderFallbackException) { text = "(undecodable text)"; }
            if (text.Length > 120) text = text[..117] + "...";
            return "[" + text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "]";
        }
        var b = e.Bytes.Span;
        var sb = new StringBuilder();
        switch (e.VR)
        {
            case DicomVR.US: Join(sb, MemoryMarshal.Cast<byte, ushort>(b[..(b.Length & ~1)])); break;
            case DicomVR.SS: Join(sb, MemoryMarshal.Cast<byte, short>(b[..(b.Length & ~1)])); break;
            case DicomVR.UL: Join(sb, MemoryMarshal.Cast<byte, uint>(b[..(b.Length & ~3)])); break;
            case DicomVR.SL: Join(sb, MemoryMarshal.Cast<byte, int>(b[..(b.Length & ~3)])); break;
            case DicomVR.UV: Join(sb, MemoryMarshal.Cast<byte, ulong>(b[..(b.Length & ~7)])); break;
            case DicomVR.SV: Join(sb, MemoryMarshal.Cast<byte, long>(b[..(b.Length & ~7)])); break;
            case DicomVR.FL: Join(sb, MemoryMarshal.Cast<byte, float>(b[..(b.Length & ~3)])); break;
            case DicomVR.FD: Join(sb, MemoryMarshal.Cast<byte, double>(b[..(b.Length & ~7)])); break;
            case DicomVR.AT:
                for (var i = 0; i + 4 <= b.Length && i < MaxShown * 4; i += 4)
                {
                    if (i > 0) sb.Append('\\');
                    sb.Append(new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(b[i..]), BinaryPrimitives.ReadUInt16LittleEndian(b[(i + 2)..])));
                }
                break;
            default:
                var n = Math.Min(b.Length, 24);
                for (var i = 0; i < n; i++) sb.Append(b[i].ToString("x2", CultureInfo.InvariantCulture)).Append(i + 1 < n ? " " : "");
                if (b.Length > n) sb.Append(" ...");
                break;
        }
        return sb.ToString();
    }

    static void Join<T>(StringBuilder sb, ReadOnlySpan<T> values) where T : IFormattable
    {
        for (var i = 0; i < values.Length && i < MaxShown; i++)
        {
            if (i > 0) sb.Append('\\');
            sb.Append(values[i].ToString(null, CultureInfo.InvariantCulture));
        }
        if (values.Length > MaxShown) sb.Append("\\...");
    }
}
