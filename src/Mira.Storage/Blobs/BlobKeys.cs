using System.Text.RegularExpressions;

namespace Mira.Storage.Blobs;

/// <summary>
/// Keys for blobs that are not intake instances: <c>&lt;area&gt;/&lt;id&gt;/&lt;name&gt;</c> (e.g.
/// <c>models/lung-seg/1.2.0/model.onnx</c>, <c>reports/eval-17/report.pdf</c>). Areas and segments are lower-case
/// slugs, so keys are portable file names and S3 object names alike and never collide with instance keys (which start
/// with two hex digits of fan-out).
/// </summary>
public static partial class BlobKeys
{
    [GeneratedRegex("^[a-z][a-z0-9-]{1,31}$")]
    private static partial Regex AreaPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex SegmentPattern();

    /// <summary>A key in <paramref name="area"/> made of <paramref name="segments"/>; throws on a segment that is not a plain name.</summary>
    public static string For(string area, params string[] segments)
    {
        if (!AreaPattern().IsMatch(area)) throw new ArgumentException($"blob area '{area}' is not a lower-case slug (2-32 of a-z, 0-9, '-')", nameof(area));
        if (segments.Length == 0) throw new ArgumentException("a blob key needs at least one segment after its area", nameof(segments));
        foreach (var s in segments)
            if (!SegmentPattern().IsMatch(s) || s.Contains("..", StringComparison.Ordinal))
                throw new ArgumentException($"blob key segment '{s}' is not a plain name (letters, digits, '.', '_', '-'; at most 128)", nameof(segments));
        return area + "/" + string.Join('/', segments);
    }
}
