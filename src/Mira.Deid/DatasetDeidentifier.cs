using Mira.Dicom;

namespace Mira.Deid;

/// <summary>
/// Applies the resolved profile to one data set and, recursively, to every item of every sequence (PS3.15 §E.1.1:
/// the actions apply wherever the attribute occurs, nested too), up to <see cref="MaxDepth"/> levels (deeper items are
/// removed). Private elements are removed unless the recipe lists them as safe under the Retain Safe Private Option
/// (their creator element is kept with them). One instance per object; not thread-safe.
/// </summary>
/// <summary>What happens to free text that Table E.1-1 does not list, inside a sequence the profile kept with C or D.</summary>
internal enum TextMode { Keep, Clean, Dummy }

internal sealed class DatasetDeidentifier(DeidEngine engine, string originalPatientId, DateShift shift, PhiValues phi)
{
    public const int MaxDepth = 32;

    readonly ConfidentialityProfile profile = engine.Profile;
    readonly DeidOptions options = engine.Profile.Options;
    readonly Pseudonymizer pseudonyms = engine.Pseudonyms;

    bool ShiftDates => (options & DeidOptions.RetainLongitudinalModifiedDates) != 0;
    bool KeepDates => (options & DeidOptions.RetainLongitudinalFullDates) != 0;

    /// <summary>Overlay groups (60xx) whose Overlay Data was kept by a pixel-cleaning rule under Clean Graphics.</summary>
    public Func<DicomDataset, ushort, bool>? KeepOverlay { get; init; }

    public void Apply(DicomDataset ds, int depth, TextMode mode)
    {
        RemovePrivate(ds, depth);
        HashSet<uint>? shiftedTimes = null;
        for (var i = 0; i < ds.Count;)
        {
            var e = ds[i];
            var tag = e.Tag;
            if (tag.IsPrivate || (tag.IsGroupLength && tag.Group != 0x0002) || tag == DicomTags.SpecificCharacterSet)
            {
                i++;
                continue;
            }
            if (shiftedTimes is not null && shiftedTimes.Contains(tag.Value))
            {
                i++;
                continue;
            }
            if (engine.OverrideValues.TryGetValue(tag, out var fixedValue))
            {
                ds.Set(new DicomElement(tag, e.VR == DicomVR.UN ? DicomDictionary.VROf(tag) : e.VR, fixedValue));
                i++;
                continue;
            }
            var action = engine.OverrideActions.TryGetValue(tag, out var o) ? o : profile.ActionFor(tag, e is DicomSequence);
            if (action == ProfileAction.None) action = Unlisted(e, mode);
            else if (!engine.OverrideActions.ContainsKey(tag))
            {
                // Keyed pseudonyms replace the Z / Z/D of Patient ID and Patient's Name (a dummy of the kind D allows).
                if (tag == DicomTags.PatientID && e.Length != 0) { Replace(ds, e, pseudonyms.PatientId(Text(ds, e))); i++; continue; }
                if (tag == DicomTags.PatientName && depth == 0) { Replace(ds, e, pseudonyms.PatientName(originalPatientId, Text(ds, e))); i++; continue; }
                if (tag.Group is >= 0x6000 and <= 0x601E && tag.Element == 0x3000 && action is ProfileAction.X or ProfileAction.C)
                {
                    if (action == ProfileAction.C && KeepOverlay?.Invoke(ds, tag.Group) == true) { i++; continue; }
                    var before = 0;
                    for (var k = 0; k < i; k++) if (ds[k].Tag.Group == tag.Group) before++;
                    ds.RemoveAll(x => x.Tag.Group == tag.Group);
                    i -= before;
                    continue;
                }
            }
            if (!ApplyAction(ds, e, action, depth, mode, ref shiftedTimes)) continue;
            i++;
        }
    }

    /// <summary>Attributes Table E.1-1 does not list are kept (§E.1.1), with deliberate exceptions: dates and times
    /// follow the temporal options like the listed ones (D without a temporal option), person names get D, free text
    /// inside a sequence kept with C (e.g. Content Sequence under Clean Structured Content) is cleaned, and free text
    /// inside a sequence kept with D (Content Sequence, Institution Code Sequence under the Basic Profile) gets D.</summary>
    ProfileAction Unlisted(DicomElement e, TextMode mode) => e.VR switch
    {
        DicomVR.DA or DicomVR.DT or DicomVR.TM => KeepDates ? ProfileAction.K : ShiftDates ? ProfileAction.C : ProfileAction.D,
        DicomVR.PN => ProfileAction.D,
        DicomVR.LO or DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC or DicomVR.SH when mode == TextMode.Clean => ProfileAction.C,
        DicomVR.LO or DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC or DicomVR.SH when mode == TextMode.Dummy => ProfileAction.D,
        _ => ProfileAction.K,
    };

    /// <summary>Returns false when the element was removed (the index then already points at the next one).</summary>
    bool ApplyAction(DicomDataset ds, DicomElement e, ProfileAction action, int depth, TextMode mode, ref HashSet<uint>? shiftedTimes)
    {
        if (e is DicomSequence sq)
        {
            switch (action)
            {
                case ProfileAction.X:
                    ds.Remove(e.Tag);
                    return false;
                case ProfileAction.Z:
                    ds.Set(new DicomSequence(e.Tag));
                    return true;
                default: // K, D, U, C, X/Z/U*: keep the structure, de-identify every item (C: clean its text; D: dummy it)
                    Recurse(sq, depth, action == ProfileAction.C || mode == TextMode.Clean ? TextMode.Clean
                        : action == ProfileAction.D || mode == TextMode.Dummy ? TextMode.Dummy : TextMode.Keep);
                    return true;
            }
        }
        switch (action)
        {
            case ProfileAction.K:
                return true;
            case ProfileAction.X:
                ds.Remove(e.Tag);
                return false;
            case ProfileAction.Z:
                ds.Set(new DicomElement(e.Tag, e.VR, ReadOnlyMemory<byte>.Empty));
                return true;
            case ProfileAction.D:
                if (e.VR == DicomVR.UI) MapUids(ds, e);
                else ds.Set(DummyValues.For(e.Tag, e.VR));
                return true;
            case ProfileAction.U or ProfileAction.XZUStar:
                if (e.VR == DicomVR.UI) MapUids(ds, e);
                else ds.Set(new DicomElement(e.Tag, e.VR, ReadOnlyMemory<byte>.Empty));
                return true;
            case ProfileAction.C:
                return Clean(ds, e, ref shiftedTimes);
            default:
                throw new InvalidOperationException($"unresolved action {action} for {e.Tag}");
        }
    }

    void Recurse(DicomSequence sq, int depth, TextMode mode)
    {
        if (depth + 1 > MaxDepth)
        {
            sq.Items.Clear();
            return;
        }
        foreach (var item in sq.Items) Apply(item, depth + 1, mode);
    }

    /// <summary>C: dates and times shifted (Modified Dates) or kept (Full Dates), UIDs replaced, free text cleaned.</summary>
    bool Clean(DicomDataset ds, DicomElement e, ref HashSet<uint>? shiftedTimes)
    {
        switch (e.VR)
        {
            case DicomVR.DA or DicomVR.DT or DicomVR.TM:
                if (KeepDates) return true;
                if (!ShiftDates)
                {
                    ds.Set(DummyValues.For(e.Tag, e.VR));
                    return true;
                }
                ShiftTemporal(ds, e, ref shiftedTimes);
                return true;
            case DicomVR.UI:
                MapUids(ds, e);
                return true;
            case DicomVR.LO or DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC or DicomVR.SH or DicomVR.PN or DicomVR.AE or DicomVR.CS:
                if (e.Length == 0) return true;
                var text = Text(ds, e);
                var cleaned = TextCleaner.Clean(text, phi);
                if (string.Equals(text, cleaned, StringComparison.Ordinal)) return true;
                // The cleaned text is written in the data set's character set; text that did not decode cleanly (bytes
                // invalid in that set, read leniently) cannot go back, and the element gets a dummy instead of failing the file.
                if (CanEncode(ds, e.VR, cleaned)) Replace(ds, e, cleaned);
                else ds.Set(DummyValues.For(e.Tag, e.VR == DicomVR.UN ? DicomDictionary.VROf(e.Tag) : e.VR));
                return true;
            case DicomVR.OB or DicomVR.OW or DicomVR.UN:
                ds.Remove(e.Tag);
                return false;
            default:
                return true;
        }
    }

    void ShiftTemporal(DicomDataset ds, DicomElement e, ref HashSet<uint>? shiftedTimes)
    {
        if (e.Length == 0) return;
        var values = ds.GetStrings(e.Tag);
        if (e.VR == DicomVR.DA && values.Length == 1 && TemporalShift.TimeOfDate.TryGetValue(e.Tag.Value, out var timeTag)
            && ds.Find(new DicomTag(timeTag)) is { } te && te.Length > 0 && ds.GetStrings(te.Tag) is { Length: 1 } tv
            && TemporalShift.ShiftPair(values[0], tv[0], shift) is { } pair)
        {
            ds.Set(new DicomElement(e.Tag, DicomVR.DA, pair.Date));
            ds.Set(new DicomElement(te.Tag, DicomVR.TM, pair.Time));
            (shiftedTimes ??= []).Add(timeTag);
            return;
        }
        var shifted = new string[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            var s = values[k].Length == 0 ? "" : e.VR switch
            {
                DicomVR.DA => TemporalShift.ShiftDate(values[k], shift.Days),
                DicomVR.TM => TemporalShift.ShiftTime(values[k], shift.Seconds),
                _ => TemporalShift.ShiftDateTime(values[k], shift),
            };
            if (s is null)
            {
                ds.Set(new DicomElement(e.Tag, e.VR, ReadOnlyMemory<byte>.Empty));
                return;
            }
            shifted[k] = s;
        }
        ds.Set(new DicomElement(e.Tag, e.VR, shifted));
    }

    void MapUids(DicomDataset ds, DicomElement e)
    {
        if (e.Length == 0) return;
        var values = ds.GetStrings(e.Tag);
        var mapped = new string[values.Length];
        for (var k = 0; k < values.Length; k++)
            mapped[k] = values[k].Length == 0 ? "" : pseudonyms.Uid(Mira.Dicom.Values.DicomUid.TrimPadding(values[k]));
        ds.Set(new DicomElement(e.Tag, DicomVR.UI, mapped));
    }

    static bool CanEncode(DicomDataset ds, DicomVR vr, string text)
    {
        try
        {
            ds.CharacterSet.Encode(text, vr);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    static string Text(DicomDataset ds, DicomElement e) => string.Join('\\', e.GetStrings(ds.CharacterSet));

    static void Replace(DicomDataset ds, DicomElement e, string value) =>
        ds.Set(new DicomElement(e.Tag, e.VR == DicomVR.UN ? DicomDictionary.VROf(e.Tag) : e.VR, value));

    /// <summary>PS3.15 Table E.1-1 "(gggg,eeee) where gggg is odd": X, or C for the safe private elements listed by the recipe.</summary>
    void RemovePrivate(DicomDataset ds, int depth)
    {
        var hasPrivate = false;
        foreach (var e in ds)
            if (e.Tag.IsPrivate) { hasPrivate = true; break; }
        if (!hasPrivate) return;
        HashSet<uint>? keptCreators = null;
        var safe = (options & DeidOptions.RetainSafePrivate) != 0 ? engine.SafePrivate : null;
        for (var i = 0; i < ds.Count;)
        {
            var e = ds[i];
            if (!e.Tag.IsPrivate || e.Tag.IsPrivateCreator || e.Tag.Element < 0x1000)
            {
                i++;
                continue;
            }
            if (safe is not null && ds.GetPrivateCreator(e.Tag) is { } creator
                && safe.Contains((creator, e.Tag.Group, (byte)e.Tag.Element)))
            {
                (keptCreators ??= []).Add(e.Tag.PrivateCreatorTag.Value);
                HashSet<uint>? none = null;
                if (e is DicomSequence sq) Recurse(sq, depth, TextMode.Clean);
                else if (!Clean(ds, e, ref none)) continue;
                i++;
                continue;
            }
            ds.Remove(e.Tag);
        }
        ds.RemoveAll(e => e.Tag.IsPrivate && (e.Tag.Element < 0x1000 || e.Tag.IsGroupLength)
            && !(e.Tag.IsPrivateCreator && keptCreators is not null && keptCreators.Contains(e.Tag.Value)));
    }
}
