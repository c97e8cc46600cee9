using System.Buffers.Binary;

namespace Mira.Imaging.Presentation;

/// <summary>
/// Expands Segmented Palette Color Lookup Table Data (0028,1221-1223) into a table (PS3.3 §C.7.9.2): a series of
/// 16-bit words forming segments, each an opcode, a length and data. Discrete (0): <i>length</i> entries follow.
/// Linear (1): one value y1 follows; the <i>length</i> entries after the previous end point (x0, y0) lie on the
/// straight line to (x0 + length, y1). Indirect (2): <i>length</i> segments are copied from the segment that starts
/// at the word offset given by the next two words (least significant first).
/// </summary>
public static class SegmentedLut
{
    const int MaxDepth = 8;

    public static ushort[] Expand(ReadOnlySpan<byte> bytes, int entries, string what)
    {
        var words = new ushort[bytes.Length / 2];
        for (var i = 0; i < words.Length; i++) words[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
        var output = new List<ushort>(entries);
        Run(words, 0, int.MaxValue, output, entries, 0, what);
        if (output.Count < entries)
            throw new ImagingException($"{what}: the segments expand to {output.Count} entries; the descriptor says {entries}");
        return output.Count == entries ? [.. output] : output.GetRange(0, entries).ToArray();
    }

    /// <summary>Expands up to <paramref name="segments"/> segments starting at word <paramref name="position"/>.</summary>
    static void Run(ushort[] w, int position, int segments, List<ushort> output, int entries, int depth, string what)
    {
        for (var s = 0; s < segments && position < w.Length && output.Count < entries; s++)
        {
            if (position + 1 >= w.Length) throw new ImagingException($"{what}: segment at word {position} is cut short");
            int opcode = w[position], length = w[position + 1];
            switch (opcode)
            {
                case 0:
                    if (position + 2 + length > w.Length) throw new ImagingException($"{what}: discrete segment at word {position} runs past the data");
                    for (var i = 0; i < length; i++) output.Add(w[position + 2 + i]);
                    position += 2 + length;
                    break;
                case 1:
                {
                    if (output.Count == 0) throw new ImagingException($"{what}: a linear segment cannot come first (PS3.3 §C.7.9.2.2)");
                    if (position + 2 >= w.Length) throw new ImagingException($"{what}: linear segment at word {position} has no end value");
                    double y0 = output[^1], y1 = w[position + 2];
                    for (var i = 1; i <= length; i++) output.Add((ushort)Math.Round(y0 + (y1 - y0) * i / length));
                    position += 3;
                    break;
                }
                case 2:
                {
                    if (output.Count == 0) throw new ImagingException($"{what}: an indirect segment cannot come first (PS3.3 §C.7.9.2.3)");
                    if (position + 3 >= w.Length) throw new ImagingException($"{what}: indirect segment at word {position} has no offset");
                    if (depth >= MaxDepth) throw new ImagingException($"{what}: indirect segments nested more than {MaxDepth} deep");
                    var offset = w[position + 2] | (w[position + 3] << 16);
                    if (offset >= position) throw new ImagingException($"{what}: indirect segment at word {position} points forward (to word {offset})");
                    Run(w, offset, length, output, entries, depth + 1, what);
                    position += 4;
                    break;
                }
                default:
                    throw new ImagingException($"{what}: segment opcode {opcode} at word {position} is reserved (PS3.3 Table C.7-24)");
            }
        }
    }
}
