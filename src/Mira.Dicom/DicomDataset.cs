using System.Collections;
using Mira.Dicom.Text;

namespace Mira.Dicom;

/// <summary>
/// A data set (PS3.5 §7): elements in ascending tag order. Items of sequences are data sets whose
/// <see cref="Parent"/> links back, so that a character set given in an enclosing data set applies inside
/// items that do not give their own (PS3.5 §6.1.2.5).
/// </summary>
public sealed partial class DicomDataset : IEnumerable<DicomElement>
{
    readonly List<DicomElement> elements = [];
    DicomCharacterSet? charset;

    public DicomDataset() { }

    public DicomDataset(IEnumerable<DicomElement> items)
    {
        foreach (var e in items) Set(e);
    }

    /// <summary>The sequence this data set is an item of, or null for a top-level data set.</summary>
    public DicomSequence? Parent { get; internal set; }

    public int Count => elements.Count;

    public DicomElement this[int index] => elements[index];

    /// <summary>Byte offset of the item in its source, or -1.</summary>
    public long Offset { get; init; } = -1;

    /// <summary>
    /// The character set that applies here: this data set's Specific Character Set (0008,0005) if present,
    /// else the enclosing data set's, else the default repertoire.
    /// </summary>
    public DicomCharacterSet CharacterSet
    {
        get
        {
            if (charset is not null) return charset;
            var own = Find(DicomTags.SpecificCharacterSet);
            if (own is not null)
            {
                var terms = own.HasTextValues ? [.. own.TextValues!] : SplitRaw(own);
                return charset = terms.Length == 0 ? DicomCharacterSet.Default : DicomCharacterSet.FromTerms(terms);
            }
            return Parent?.Owner?.CharacterSet ?? DicomCharacterSet.Default;
        }
    }

    static string[] SplitRaw(DicomElement e)
    {
        var s = DicomCharacterSet.Default.Decode(e.Bytes.Span, DicomVR.CS);
        var parts = s.Split('\\');
        for (var i = 0; i < parts.Length; i++) parts[i] = parts[i].Trim(' ', '\0');
        return parts.All(p => p.Length == 0) ? [] : parts;
    }

    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    public DicomElement? Find(DicomTag tag)
    {
        var i = IndexOf(tag);
        return i >= 0 ? elements[i] : null;
    }

    public DicomElement Get(DicomTag tag) =>
        Find(tag) ?? throw new KeyNotFoundException($"{tag} {DicomDictionary.Lookup(tag)?.Keyword} is not in the data set");

    /// <summary>Adds or replaces an element.</summary>
    public DicomDataset Set(DicomElement element)
    {
        if (element.Tag == DicomTags.SpecificCharacterSet) charset = null;
        if (element is DicomSequence sq) sq.Owner = this;
        var n = elements.Count;
        if (n == 0 || elements[n - 1].Tag < element.Tag)
        {
            elements.Add(element);
            return this;
        }
        var i = IndexOf(element.Tag);
        if (i >= 0) elements[i] = element;
        else elements.Insert(~i, element);
        return this;
    }

    /// <summary>Adds or replaces a text element built from strings, with the dictionary VR unless given.</summary>
    public DicomDataset Set(DicomTag tag, params string[] values) => Set(new DicomElement(tag, DicomDictionary.VROf(tag), values));

    public DicomDataset Set(DicomTag tag, DicomVR vr, params string[] values) => Set(new DicomElement(tag, vr, values));

    public bool Remove(DicomTag tag)
    {
        var i = IndexOf(tag);
        if (i < 0) return false;
        elements.RemoveAt(i);
        if (tag == DicomTags.SpecificCharacterSet) charset = null;
        return true;
    }

    public int RemoveAll(Predicate<DicomElement> match)
    {
        var removed = elements.RemoveAll(match);
        charset = null;
        return removed;
    }

    int IndexOf(DicomTag tag)
    {
        int lo = 0, hi = elements.Count - 1;
        var v = tag.Value;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var m = elements[mid].Tag.Value;
            if (m == v) return mid;
            if (m < v) lo = mid + 1;
            else hi = mid - 1;
        }
        return ~lo;
    }

    /// <summary>Appends an element read from a stream; out-of-order tags are inserted in place.</summary>
    internal void AddRead(DicomElement element) => Set(element);

    public IEnumerator<DicomElement> GetEnumerator() => elements.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
