using Mira.Dicom;

namespace Mira.Deid;

/// <summary>
/// PS3.15 Table E.1-1 resolved for one set of options (and a recipe's overrides) into a tag → action table. The
/// combined codes are resolved to the one action that keeps every IOD valid whatever the attribute's type, since a
/// de-identifier that works on any object cannot know the type module by module (§E.3 leaves that choice to the
/// implementation; the "stronger" code wins only where it is always conformant):
/// <list type="bullet">
/// <item>X/Z → Z: a zero-length value is allowed for Type 2 and Type 3 attributes, so it is conformant wherever X would be.
/// Sequences differ: a Type 3 sequence, when present, needs at least one item, so X/Z on a sequence is X, except for the
/// Acquisition Context Sequence, which is Type 2 (PS3.3 §C.7.6.14) and becomes an empty sequence (Z).</item>
/// <item>X/D, X/Z/D, Z/D → D: the attribute may be Type 1 in some IOD, where only a dummy value is conformant.</item>
/// <item>X/Z/U* (sequences of references) → the sequence is kept and every UID inside it replaced (U), so references
/// between de-identified instances still resolve (the asterisk of Table E.1-1).</item>
/// </list>
/// When several options name an action for one attribute, the one that retains more wins (K over C over the Basic
/// Profile action), as §E.3 describes each option as retaining information the Basic Profile would remove.
/// </summary>
public sealed class ConfidentialityProfile
{
    readonly Dictionary<uint, ProfileAction> exact;
    readonly (uint Tag, uint Mask, ProfileAction Action)[] masked;

    public ConfidentialityProfile(DeidOptions options, IReadOnlyDictionary<DicomTag, ProfileAction>? overrides = null)
    {
        if ((options & DeidOptions.RetainLongitudinalFullDates) != 0 && (options & DeidOptions.RetainLongitudinalModifiedDates) != 0)
            throw new ArgumentException("Retain Longitudinal Temporal Information with Full Dates and with Modified Dates exclude each other (PS3.15 §E.3.6)", nameof(options));
        Options = options;
        var map = new Dictionary<uint, ProfileAction>();
        var maskedList = new List<(uint, uint, ProfileAction)>();
        foreach (var row in ConfidentialityProfileTable.Rows)
        {
            var a = Resolve(row, options);
            if (row.Mask == 0xFFFFFFFF) map[row.Tag] = a;
            else maskedList.Add((row.Tag, row.Mask, a));
        }
        if (overrides is not null)
            foreach (var (tag, action) in overrides) map[tag.Value] = action;
        exact = map;
        masked = [.. maskedList];
    }

    public DeidOptions Options { get; }

    /// <summary>The option action that applies to <paramref name="row"/>, or its Basic Profile action.</summary>
    public static ProfileAction Resolve(ProfileRow row, DeidOptions options)
    {
        var best = ProfileAction.None;
        void Take(DeidOptions option, ProfileAction a)
        {
            if ((options & option) == 0 || a == ProfileAction.None) return;
            if (best == ProfileAction.None || (a == ProfileAction.K && best != ProfileAction.K)) best = a;
        }
        Take(DeidOptions.RetainSafePrivate, row.SafePrivate);
        Take(DeidOptions.RetainUids, row.Uids);
        Take(DeidOptions.RetainDeviceIdentity, row.DeviceIdentity);
        Take(DeidOptions.RetainInstitutionIdentity, row.InstitutionIdentity);
        Take(DeidOptions.RetainPatientCharacteristics, row.PatientCharacteristics);
        Take(DeidOptions.RetainLongitudinalFullDates, row.FullDates);
        Take(DeidOptions.RetainLongitudinalModifiedDates, row.ModifiedDates);
        Take(DeidOptions.CleanDescriptors, row.Descriptors);
        Take(DeidOptions.CleanStructuredContent, row.StructuredContent);
        Take(DeidOptions.CleanGraphics, row.Graphics);
        return best != ProfileAction.None ? best : row.Basic;
    }

    /// <summary>The combined codes resolved as documented on the class.</summary>
    public static ProfileAction Simplify(ProfileAction a) => a switch
    {
        ProfileAction.XZ => ProfileAction.Z,
        ProfileAction.XD or ProfileAction.XZD or ProfileAction.ZD => ProfileAction.D,
        _ => a,
    };

    /// <summary>The table's action for a public tag (combined codes resolved), or <see cref="ProfileAction.None"/> when Table E.1-1 does not list it.</summary>
    public ProfileAction ActionFor(DicomTag tag, bool isSequence = false)
    {
        if (exact.TryGetValue(tag.Value, out var a))
            return isSequence && a == ProfileAction.XZ ? (tag == DicomTags.AcquisitionContextSequence ? ProfileAction.Z : ProfileAction.X) : Simplify(a);
        var v = tag.Value;
        foreach (var (t, m, action) in masked)
            if ((v & m) == t && IsRepeatingGroup(tag)) return Simplify(action);
        return ProfileAction.None;
    }

    /// <summary>Curve (50xx) and overlay (60xx) repeating groups are the even groups 5000–501E and 6000–601E (PS3.5 §7.6).</summary>
    static bool IsRepeatingGroup(DicomTag tag) => (tag.Group & 1) == 0 && (tag.Group & 0xFF) <= 0x1E;

    /// <summary>The raw Table E.1-1 row for a tag, or null.</summary>
    public static ProfileRow? RowFor(DicomTag tag)
    {
        foreach (var r in ConfidentialityProfileTable.Rows)
            if (r.Matches(tag.Value)) return r;
        return null;
    }
}
