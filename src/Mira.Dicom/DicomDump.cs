using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Mira.Dicom.IO;
using Mira.Dicom.Text;

namespace Mira.Dicom;

/// <summary>
/// A readable, line-per-element listing of a data set, nested items indented:
/// <c>(gggg,eeee) VR value  # length, Keyword</c>. Written piece by piece to the writer (it runs once per element
/// of every file a dump reads, so it avoids building intermediate strings).
/// </summary>
public static class DicomDump
{
    const int MaxShown = 64;
    const int MaxText = 120;

    public static void Write(TextWriter w, DicomFile file)
    {
        w.Write("# File Meta Information");
        w.WriteLine(file.HadPreamble ? "" : " (no preamble)");
        WriteDataset(w, file.FileMetaInformation, 0);
        w.Write("# Data Set: ");
        w.WriteLine(file.TransferSyntax.ToString());
        WriteDataset(w, file.Dataset, 0);
        if (file.StoppedBeforePixelData) w.WriteLine("# stopped before Pixel Data");
    }

    public static void WriteDataset(TextWriter w, DicomDataset ds, int depth)
    {
        var cs = ds.CharacterSet;
        Span<char> buf = stackalloc char[32];
        foreach (var e in ds)
        {
            Indent(w, depth);
            WriteTag(w, e.Tag, buf);
            w.Write(' ');
            w.Write(DicomVRInfo.Code(e.VR));
            w.Write(' ');
            switch (e)
            {
                case DicomSequence sq:
                    WriteNumber(w, sq.Items.Count, buf);
                    w.Write(sq.WasUN ? " item(s) (read from UN)  # " : " item(s)  # ");
                    WriteKeyword(w, ds, e.Tag);
                    w.WriteLine();
                    for (var i = 0; i < sq.Items.Count; i++)
                    {
                        Indent(w, depth + 1);
                        w.Write("(FFFE,E000) item ");
                        WriteNumber(w, i + 1, buf);
                        w.WriteLine();
                        WriteDataset(w, sq.Items[i], depth + 2);
                    }
                    break;
                case DicomFragmentSequence f:
                    w.Write("encapsulated: offset table ");
                    WriteNumber(w, f.BasicOffsetTable.Length, buf);
                    w.Write(" entries, ");
                    WriteNumber(w, f.Fragments.Count, buf);
                    w.Write(" fragment(s)  # ");
                    WriteKeyword(w, ds, e.Tag);
                    w.WriteLine();
                    for (var i = 0; i < f.Fragments.Count && i < MaxShown; i++)
                    {
                        Indent(w, depth + 1);
                        w.Write("(FFFE,E000) fragment ");
                        WriteNumber(w, i + 1, buf);
                        w.Write(": ");
                        WriteNumber(w, f.Fragments[i].Length, buf);
                        w.WriteLine(" bytes");
                    }
                    break;
                default:
                    WriteValue(w, e, cs, buf);
                    w.Write("  # ");
                    if (e.IsLazy)
                    {
                        WriteNumber(w, e.Length, buf);
                        w.Write(" bytes at offset ");
                        WriteNumber(w, e.LazyReference!.Offset, buf);
                        w.Write(", not loaded, ");
                    }
                    else
                    {
                        WriteNumber(w, e.Length, buf);
                        w.Write(", ");
                    }
                    WriteKeyword(w, ds, e.Tag);
                    w.WriteLine();
                    break;
            }
        }
    }

    static readonly string[] indents = Enumerable.Range(0, 32).Select(i => new string(' ', i * 2)).ToArray();

    static void Indent(TextWriter w, int depth)
    {
        if (depth == 0) return;
        w.Write(depth < indents.Length ? indents[depth] : new string(' ', depth * 2));
    }

    static void WriteTag(TextWriter w, DicomTag tag, Span<char> buf)
    {
        buf[0] = '(';
        tag.Group.TryFormat(buf[1..], out _, "X4", CultureInfo.InvariantCulture);
        buf[5] = ',';
        tag.Element.TryFormat(buf[6..], out _, "X4", CultureInfo.InvariantCulture);
        buf[10] = ')';
        w.Write(buf[..11]);
    }

    static void WriteNumber(TextWriter w, long n, Span<char> buf)
    {
        n.TryFormat(buf, out var len, default, CultureInfo.InvariantCulture);
        w.Write(buf[..len]);
    }

    static void WriteKeyword(TextWriter w, DicomDataset ds, DicomTag tag)
    {
        if (DicomDictionary.Lookup(tag)?.Keyword is { Length: > 0 } k) w.Write(k);
        else if (tag.IsPrivateCreator) w.Write("PrivateCreator");
        else if (tag.IsPrivate)
        {
            var creator = tag.Element >= 0x1000 ? ds.GetPrivateCreator(tag) : null;
            if (creator is null) w.Write("Private");
            else
            {
                w.Write("Private [");
                w.Write(creator);
                w.Write(']');
                if (PrivateDictionary.Lookup(creator, tag) is { Name.Length: > 0 } known)
                {
                    w.Write(' ');
                    w.Write(known.Name);
                }
            }
        }
        else w.Write(tag.IsGroupLength ? "GroupLength" : "Unknown");
    }

    static void WriteValue(TextWriter w, DicomElement e, DicomCharacterSet cs, Span<char> buf)
    {
        if (e.IsLazy)
        {
            w.Write("(not loaded)");
            return;
        }
        if (e.Length == 0 && !e.HasTextValues)
        {
            w.Write("(empty)");
            return;
        }
        if (DicomVRInfo.IsString(e.VR))
        {
            string text;
            try { text = e.GetText(cs); }
            catch (Exception ex) when (ex is ArgumentException or DecoderFallbackException) { text = "(undecodable text)"; }
            var span = text.AsSpan().TrimEnd("\0 ");
            w.Write('[');
            var shown = span.Length > MaxText ? span[..(MaxText - 3)] : span;
            foreach (var ch in shown)
            {
                if (ch == '\r') w.Write("\\r");
                else if (ch == '\n') w.Write("\\n");
                else w.Write(ch);
            }
            if (span.Length > MaxText) w.Write("...");
            w.Write(']');
            return;
        }
        var b = e.Bytes.Span;
        switch (e.VR)
        {
            case DicomVR.US: Join(w, MemoryMarshal.Cast<byte, ushort>(b[..(b.Length & ~1)]), buf); break;
            case DicomVR.SS: Join(w, MemoryMarshal.Cast<byte, short>(b[..(b.Length & ~1)]), buf); break;
            case DicomVR.UL: Join(w, MemoryMarshal.Cast<byte, uint>(b[..(b.Length & ~3)]), buf); break;
            case DicomVR.SL: Join(w, MemoryMarshal.Cast<byte, int>(b[..(b.Length & ~3)]), buf); break;
            case DicomVR.UV: Join(w, MemoryMarshal.Cast<byte, ulong>(b[..(b.Length & ~7)]), buf); break;
            case DicomVR.SV: Join(w, MemoryMarshal.Cast<byte, long>(b[..(b.Length & ~7)]), buf); break;
            case DicomVR.FL: Join(w, MemoryMarshal.Cast<byte, float>(b[..(b.Length & ~3)]), buf); break;
            case DicomVR.FD: Join(w, MemoryMarshal.Cast<byte, double>(b[..(b.Length & ~7)]), buf); break;
            case DicomVR.AT:
                for (var i = 0; i + 4 <= b.Length && i < MaxShown * 4; i += 4)
                {
                    if (i > 0) w.Write('\\');
                    WriteTag(w, new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(b[i..]), BinaryPrimitives.ReadUInt16LittleEndian(b[(i + 2)..])), buf);
                }
                break;
            default:
                var n = Math.Min(b.Length, 24);
                for (var i = 0; i < n; i++)
                {
                    if (i > 0) w.Write(' ');
                    b[i].TryFormat(buf, out _, "x2", CultureInfo.InvariantCulture);
                    w.Write(buf[..2]);
                }
                if (b.Length > n) w.Write(" ...");
                break;
        }
    }

    static void Join<T>(TextWriter w, ReadOnlySpan<T> values, Span<char> buf) where T : ISpanFormattable
    {
        for (var i = 0; i < values.Length && i < MaxShown; i++)
        {
            if (i > 0) w.Write('\\');
            values[i].TryFormat(buf, out var len, default, CultureInfo.InvariantCulture);
            w.Write(buf[..len]);
        }
        if (values.Length > MaxShown) w.Write("\\...");
    }
}
