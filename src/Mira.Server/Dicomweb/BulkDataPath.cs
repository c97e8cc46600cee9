using System.Globalization;
using System.Text;
using Mira.Dicom;
using Mira.Dicom.Json;

namespace Mira.Server.Dicomweb;

/// <summary>
/// Addresses of bulk data values inside an instance, as used in <c>…/instances/{instance}/bulkdata/{path}</c> and in
/// the BulkDataURIs of the metadata (PS3.18 §F.2.6, §10.4.1.1.5 "Bulkdata"). A path alternates tags and item numbers
/// and ends with a tag: <c>7FE00010</c> (Pixel Data), <c>00540016/0/00181074</c> (Radionuclide Total Dose in the first
/// item of the Radiopharmaceutical Information Sequence). Tags are 8 hexadecimal digits (group then element, as in
/// DICOM JSON keys); items are counted from 0.
/// </summary>
public static class BulkDataPath
{
    /// <summary>
    /// Values longer than this become BulkDataURIs in the metadata even when their VR is not one of the
    /// "other" binary VRs (e.g. long FL/FD/US arrays).
    /// </summary>
    public const int InlineLimit = 1024;

    public readonly record struct Step(DicomTag Tag, int? Item);

    /// <summary>Parses a path; null and a reason when malformed.</summary>
    public static List<Step>? Parse(string path, out string? error)
    {
        error = null;
        var parts = path.Trim('/').Split('/');
        if (parts.Length % 2 == 0 || parts.Any(p => p.Length == 0))
        {
            error = $"'{path}' is not a bulk data path: expected tag[/item/tag]… with 8-digit hexadecimal tags and items counted from 0";
            return null;
        }
        var steps = new List<Step>();
        for (var i = 0; i < parts.Length; i += 2)
        {
            if (parts[i].Length != 8 || !uint.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var tag))
            {
                error = $"'{parts[i]}' in bulk data path '{path}' is not a tag (8 hexadecimal digits, e.g. 7FE00010)";
                return null;
            }
            int? item = null;
            if (i + 1 < parts.Length)
            {
                if (!parts[i + 1].All(char.IsAsciiDigit) || !int.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    error = $"'{parts[i + 1]}' in bulk data path '{path}' is not an item number (0, 1, …)";
                    return null;
                }
                item = n;
            }
            steps.Add(new Step(new DicomTag(tag), item));
        }
        return steps;
    }

    /// <summary>The element a path names, or null and what was missing.</summary>
    public static DicomElement? Resolve(DicomDataset root, IReadOnlyList<Step> steps, out string? missing)
    {
        missing = null;
        var ds = root;
        foreach (var step in steps)
        {
            var e = ds.Find(step.Tag);
            if (e is null)
            {
                missing = $"no element {step.Tag.ToJsonKey()}";
                return null;
            }
            if (step.Item is not { } item) return e;
            if (e is not DicomSequence sq || item >= sq.Items.Count)
            {
                missing = e is DicomSequence s ? $"sequence {step.Tag.ToJsonKey()} has {s.Items.Count} item(s), no item {item}" : $"{step.Tag.ToJsonKey()} is not a sequence";
                return null;
            }
            ds = sq.Items[item];
        }
        missing = "empty path";
        return null;
    }

    /// <summary>
    /// True for the values the metadata refers to by BulkDataURI: Pixel Data in any form (PS3.18 §10.4.1.2.3), every
    /// non-empty value of the "other" binary VRs (OB, OW, OF, OD, OL, OV) and UN, and other binary values longer than
    /// <see cref="InlineLimit"/>. Text values stay inline whatever their length.
    /// </summary>
    public static bool IsBulk(DicomElement e) => e switch
    {
        DicomSequence or DicomBulkDataReference => false,
        DicomFragmentSequence => true,
        _ when e.Tag == DicomTags.PixelData || e.Tag == DicomTags.FloatPixelData || e.Tag == DicomTags.DoubleFloatPixelData => true,
        _ when e.HasTextValues || DicomVRInfo.IsString(e.VR) => false,
        _ when e.VR is DicomVR.OB or DicomVR.OW or DicomVR.OF or DicomVR.OD or DicomVR.OL or DicomVR.OV or DicomVR.UN => e.Length > 0,
        _ => e.Length > InlineLimit,
    };

    /// <summary>
    /// Replaces every bulk value of <paramref name="ds"/> and its sequence items by a BulkDataURI under
    /// <paramref name="instanceUrl"/> (<c>{instanceUrl}/bulkdata/{path}</c>), in place.
    /// </summary>
    public static void ReplaceWithUris(DicomDataset ds, string instanceUrl) => Replace(ds, instanceUrl + "/bulkdata/");

    static void Replace(DicomDataset ds, string prefix)
    {
        var replacements = new List<DicomElement>();
        foreach (var e in ds)
        {
            if (e is DicomSequence sq)
            {
                for (var i = 0; i < sq.Items.Count; i++)
                    Replace(sq.Items[i], prefix + e.Tag.ToJsonKey() + "/" + i.ToString(CultureInfo.InvariantCulture) + "/");
            }
            else if (IsBulk(e))
                replacements.Add(new DicomBulkDataReference(e.Tag, e is DicomFragmentSequence ? DicomVR.OB : e.VR, prefix + e.Tag.ToJsonKey()));
        }
        foreach (var r in replacements) ds.Set(r);
    }

    /// <summary>Formats steps back into a path (the inverse of <see cref="Parse"/>).</summary>
    public static string Format(IEnumerable<Step> steps)
    {
        var sb = new StringBuilder();
        foreach (var s in steps)
        {
            if (sb.Length > 0) sb.Append('/');
            sb.Append(s.Tag.ToJsonKey());
            if (s.Item is { } i) sb.Append('/').Append(i.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
