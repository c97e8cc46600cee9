namespace Mira.Annotations.Reads;

/// <summary>
/// The regions of one read: a binary mask per protocol label value on the referenced images' grid (Columns × Rows ×
/// Slices, column fastest: index = c + Columns·(r + Rows·k), slice k the k-th referenced image). Masks of different
/// labels may overlap (multi-label protocols); a label map is the special case where they do not.
/// </summary>
public sealed class LabelMasks
{
    readonly SortedDictionary<int, bool[]> masks = [];

    public LabelMasks(int columns, int rows, int slices)
    {
        if (columns < 1 || rows < 1 || slices < 1) throw new ArgumentException($"a mask grid of {columns} x {rows} x {slices} has an empty dimension");
        if ((long)columns * rows * slices > Array.MaxLength) throw new ArgumentException($"a mask grid of {columns} x {rows} x {slices} is too large");
        Columns = columns;
        Rows = rows;
        Slices = slices;
    }

    public int Columns { get; }
    public int Rows { get; }
    public int Slices { get; }
    public int Length => Columns * Rows * Slices;

    /// <summary>The label values that have a mask (possibly empty), ascending.</summary>
    public IReadOnlyCollection<int> Labels => masks.Keys;

    /// <summary>The mask of a label value; an all-false mask when the read has none for it.</summary>
    public bool[] this[int label] => masks.TryGetValue(label, out var m) ? m : new bool[Length];

    public bool Has(int label) => masks.ContainsKey(label);

    /// <summary>Sets (replaces) a label's mask.</summary>
    public LabelMasks Set(int label, bool[] mask)
    {
        if (label <= 0) throw new ArgumentOutOfRangeException(nameof(label), label, "label values are positive (0 is background)");
        if (mask.Length != Length) throw new ArgumentException($"label {label}: {mask.Length} voxels for a grid of {Length}", nameof(mask));
        masks[label] = mask;
        return this;
    }

    /// <summary>Number of voxels of a label.</summary>
    public long Count(int label) => masks.TryGetValue(label, out var m) ? m.LongCount(v => v) : 0;

    /// <summary>The union of several labels (a derived region such as BraTS TC = NETC ∪ ET).</summary>
    public bool[] Region(IEnumerable<int> labels)
    {
        var union = new bool[Length];
        foreach (var l in labels)
            if (masks.TryGetValue(l, out var m))
                for (var i = 0; i < union.Length; i++) union[i] |= m[i];
        return union;
    }

    /// <summary>Whether any voxel carries two labels.</summary>
    public bool Overlap()
    {
        var seen = new bool[Length];
        foreach (var m in masks.Values)
            for (var i = 0; i < m.Length; i++)
            {
                if (!m[i]) continue;
                if (seen[i]) return true;
                seen[i] = true;
            }
        return false;
    }

    /// <summary>One mask per distinct non-zero value of a label map.</summary>
    public static LabelMasks FromLabelMap(int columns, int rows, int slices, ReadOnlySpan<int> values)
    {
        var result = new LabelMasks(columns, rows, slices);
        if (values.Length != result.Length) throw new ArgumentException($"{values.Length} label values for a grid of {columns} x {rows} x {slices}", nameof(values));
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (v == 0) continue;
            if (v < 0) throw new AnnotationException($"voxel {i} holds label {v}; label values are positive");
            if (!result.masks.TryGetValue(v, out var m)) result.masks[v] = m = new bool[result.Length];
            m[i] = true;
        }
        return result;
    }

    /// <summary>The label map (0 background); refused when labels overlap, since one value per voxel cannot say both.</summary>
    public int[] ToLabelMap()
    {
        var map = new int[Length];
        foreach (var (label, m) in masks)
            for (var i = 0; i < m.Length; i++)
            {
                if (!m[i]) continue;
                if (map[i] != 0) throw new AnnotationException($"voxel {i} carries labels {map[i]} and {label}: overlapping labels have no single label map");
                map[i] = label;
            }
        return map;
    }

    /// <summary>Same grid and, label by label, the same voxels (an empty mask equals an absent one).</summary>
    public bool SameAs(LabelMasks other) =>
        other.Columns == Columns && other.Rows == Rows && other.Slices == Slices
        && masks.Keys.Union(other.masks.Keys).All(l => this[l].AsSpan().SequenceEqual(other[l]));
}

/// <summary>An annotation that cannot be read, written or accepted; the message names what and where.</summary>
public sealed class AnnotationException(string message) : Exception(message);
