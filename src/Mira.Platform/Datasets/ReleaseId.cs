using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mira.Platform.Datasets;

/// <summary>
/// A release's id: the SHA-256 (lower-case hex) of its canonical listing (UTF-8, one line each, fields separated by tabs):
/// <c>mira-release/1</c>; the project, name, version and kind; the split settings and the steward's datasheet text (as
/// canonical JSON); then per case, in release order, the case id, study and series UIDs, patient, split, the fields
/// (<c>name=value</c> in name order), the pixel-data SHA-256, the stored-content SHA-256 and the chosen annotation
/// (task, version, content SHA-256) or <c>-</c>. A changed voxel changes the pixel hash, a changed annotation its content
/// hash, and so the id; the same content gives the same id.
/// </summary>
public static class ReleaseId
{
    public static string Listing(string project, string name, int version, string kind, string splitsJson, string textJson, IReadOnlyList<ReleaseCase> cases)
    {
        var sb = new StringBuilder("mira-release/1\n");
        sb.Append(project).Append('\t').Append(name).Append('\t').Append(version.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(kind).Append('\n');
        sb.Append(splitsJson).Append('\n').Append(textJson).Append('\n');
        foreach (var c in cases)
        {
            sb.Append(c.CaseId).Append('\t').Append(c.StudyInstanceUid).Append('\t').Append(c.SeriesInstanceUid).Append('\t').Append(c.Patient).Append('\t').Append(c.Split).Append('\t');
            sb.Append(string.Join(';', c.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value))).Append('\t');
            sb.Append(c.PixelSha256).Append('\t').Append(c.ContentSha256).Append('\t');
            sb.Append(c.Annotation is { } a ? $"{a.Task}/{a.Version}/{a.ContentSha256}" : "-").Append('\n');
        }
        return sb.ToString();
    }

    public static string Of(string listing) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing)));
}
