using System.Text;
using Mira.Dicom;

namespace Mira.Deid;

/// <summary>One attribute of PS3.15 Table E.1-1 (or of a recipe's overrides) and what a recipe does to it.</summary>
/// <param name="Tag">"(gggg,eeee)", with x for the repeating groups (e.g. "(60xx,3000)").</param>
/// <param name="Action">The resolved action code (K, C, D, Z, X, U), or "set" for an override with a fixed value.</param>
/// <param name="Effect">What Mira writes, in words (e.g. "keyed pseudonym", "shifted by the patient's offset").</param>
public sealed record RecipeAction(string Tag, string Keyword, string Name, string Action, string Effect);

/// <summary>
/// A recipe made readable: the action it applies to every attribute Table E.1-1 lists (its options and overrides
/// resolved, as <see cref="DatasetDeidentifier"/> applies them), for ethics reviewers and for checking tools that take an
/// attribute list (<c>mira deid-recipe NAME --tsv</c>). Unlisted attributes follow the rules in docs/deid.md (kept,
/// except dates and times, person names, and free text inside cleaned or dummied sequences); private attributes are
/// removed unless the recipe's safe-private list names them.
/// </summary>
public static class RecipeActions
{
    public static IReadOnlyList<RecipeAction> List(DeidRecipe recipe)
    {
        var options = recipe.OptionFlags;
        var (actions, values) = recipe.CompileOverrides();
        // The profile the engine applies, overrides included: ActionFor resolves combined codes and sequences alike.
        var profile = new ConfidentialityProfile(options, actions);
        var rows = new List<RecipeAction>();
        var listed = new HashSet<uint>();
        foreach (var row in ConfidentialityProfileTable.Rows)
        {
            listed.Add(row.Tag);
            var tag = new DicomTag(row.Tag);
            var entry = DicomDictionary.Lookup(tag);
            var vr = entry?.VR ?? DicomVR.UN;
            var isSequence = vr == DicomVR.SQ;
            if (row.Mask == 0xFFFFFFFF && values.TryGetValue(tag, out var fixedValue))
            {
                rows.Add(new RecipeAction(Format(row.Tag, row.Mask), entry?.Keyword ?? "", row.Name, "set", $"set to \"{fixedValue}\" (recipe override)"));
                continue;
            }
            var overridden = row.Mask == 0xFFFFFFFF && actions.ContainsKey(tag);
            var action = profile.ActionFor(tag, isSequence);
            rows.Add(new RecipeAction(Format(row.Tag, row.Mask), entry?.Keyword ?? "", row.Name, Code(action),
                Effect(tag, vr, action, options, overridden)));
        }
        foreach (var (tag, action) in actions)
            if (!listed.Contains(tag.Value))
            {
                var entry = DicomDictionary.Lookup(tag);
                rows.Add(new RecipeAction(Format(tag.Value, 0xFFFFFFFF), entry?.Keyword ?? "", entry?.Name ?? "", Code(action),
                    Effect(tag, entry?.VR ?? DicomVR.UN, action, options, true)));
            }
        foreach (var (tag, value) in values)
            if (!listed.Contains(tag.Value))
            {
                var entry = DicomDictionary.Lookup(tag);
                rows.Add(new RecipeAction(Format(tag.Value, 0xFFFFFFFF), entry?.Keyword ?? "", entry?.Name ?? "", "set", $"set to \"{value}\" (recipe override)"));
            }
        return rows;
    }

    const string DummyPrefix = "dummy value (";

    static string Code(ProfileAction a) => a == ProfileAction.XZUStar ? "U" : a.ToString();

    static string Effect(DicomTag tag, DicomVR vr, ProfileAction action, DeidOptions options, bool overridden)
    {
        if (!overridden && (tag == DicomTags.PatientID || tag == DicomTags.PatientName))
            return "keyed pseudonym (HMAC-SHA256 with the project key)";
        var dates = vr is DicomVR.DA or DicomVR.DT or DicomVR.TM;
        var text = vr is DicomVR.LO or DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC or DicomVR.SH or DicomVR.PN or DicomVR.AE or DicomVR.CS;
        var suffix = overridden ? " (recipe override)" : "";
        if (vr == DicomVR.SQ)
            return action switch
            {
                ProfileAction.X => "removed",
                ProfileAction.Z => "emptied (no items)",
                ProfileAction.C => "kept; text in its items cleaned, the rest de-identified by the same table",
                ProfileAction.D => "kept; text in its items replaced by dummies, the rest de-identified by the same table",
                _ => "kept; its items de-identified by the same table",
            } + suffix;
        return action switch
        {
            ProfileAction.K => "kept",
            ProfileAction.X => "removed",
            ProfileAction.Z => "emptied",
            ProfileAction.D when vr == DicomVR.UI => "new UID (2.25, keyed)",
            ProfileAction.D => $"{DummyPrefix}{DummyText(tag, vr)})",
            ProfileAction.U or ProfileAction.XZUStar => vr == DicomVR.UI ? "new UID (2.25, keyed)" : "emptied",
            ProfileAction.C when dates && (options & DeidOptions.RetainLongitudinalFullDates) != 0 => "kept (full dates)",
            ProfileAction.C when dates && (options & DeidOptions.RetainLongitudinalModifiedDates) != 0 => "shifted by the patient's date offset",
            ProfileAction.C when dates => $"{DummyPrefix}{DummyText(tag, vr)})",
            ProfileAction.C when vr == DicomVR.UI => "new UID (2.25, keyed)",
            ProfileAction.C when text => "cleaned: the instance's identifying values and PHI patterns masked with *",
            ProfileAction.C when vr is DicomVR.OB or DicomVR.OW or DicomVR.UN => "removed",
            ProfileAction.C => "kept",
            _ => action.ToString(),
        } + suffix;
    }

    static string DummyText(DicomTag tag, DicomVR vr)
    {
        var e = DummyValues.For(tag, vr);
        if (e.HasTextValues) return "\"" + string.Join('\\', e.GetStrings(Mira.Dicom.Text.DicomCharacterSet.Default)) + "\"";
        return e.Length == 0 ? "empty" : "zero";
    }

    static string Format(uint tag, uint mask)
    {
        var s = $"({tag >> 16:X4},{tag & 0xFFFF:X4})".ToCharArray();
        // Hex digits the mask leaves open print as x: (60xx,3000).
        var digit = new[] { 1, 2, 3, 4, 6, 7, 8, 9 };
        for (var i = 0; i < 8; i++)
            if (((mask >> (28 - 4 * i)) & 0xF) == 0) s[digit[i]] = 'x';
        return new string(s);
    }

    /// <summary>
    /// The list in the layout of ../shared/bench/phi_attributes.tsv (tag, keyword, action, value): X removed; Z emptied
    /// or replaced (column 4: the dummy, "pseudonym" or the override's value); U new UIDs; K kept; C cleaned or shifted.
    /// </summary>
    public static string ToTsv(DeidRecipe recipe)
    {
        var sb = new StringBuilder();
        sb.Append("# Mira recipe ").Append(recipe.Name).Append(" v").Append(recipe.Version).Append(" (sha256 ").Append(recipe.Hash)
          .Append("): every attribute of PS3.15 Table E.1-1 with the action the recipe applies\n");
        sb.Append("# Columns: tag<TAB>keyword<TAB>action<TAB>value (X remove, Z empty or replace, U new UID, K keep, C clean or shift)\n");
        foreach (var r in List(recipe))
        {
            if (r.Tag.Contains('x')) continue;   // the bench layout names single tags only
            var (code, value) = r.Action switch
            {
                _ when r.Effect.StartsWith("keyed pseudonym", StringComparison.Ordinal) => ("Z", "pseudonym"),
                "set" => ("Z", r.Effect),
                "D" when r.Effect.StartsWith("new UID", StringComparison.Ordinal) => ("U", ""),
                "D" when r.Effect.StartsWith(DummyPrefix, StringComparison.Ordinal) => ("Z", r.Effect[DummyPrefix.Length..r.Effect.IndexOf(')')].Trim('"')),
                "D" => ("Z", ""),
                _ => (r.Action, ""),
            };
            sb.Append(r.Tag).Append('\t').Append(r.Keyword).Append('\t').Append(code).Append('\t').Append(value).Append('\n');
        }
        return sb.ToString();
    }
}
