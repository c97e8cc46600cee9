using System.Text.RegularExpressions;
using Mira.Dicom;
using Mira.Storage.Deployments;

namespace Mira.Platform.Deployment;

/// <summary>A new deployment rule as asked for (<c>mira deploy add</c>, <c>POST /api/deployments</c>).</summary>
public sealed record DeploymentRequest(string Name, string Model, string? FromAe, string? Modality, string? BodyPart, string? SeriesPattern, string SendTo,
    bool BlindFirstRead = false, double? OodThreshold = null, int? SettleSeconds = null, string? FeedbackProject = null,
    IReadOnlyList<string>? OodReleases = null, bool ExternalPerformer = false);

/// <summary>How a rule's filters apply to a series (its first instance's attributes).</summary>
public static class DeploymentMatching
{
    static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Null when the series matches the rule's filters, else which filter it fails and why.</summary>
    public static string? Mismatch(DeploymentRecord rule, DicomDataset first)
    {
        var modality = first.GetString(DicomTags.Modality);
        if (rule.Modality is { } m && !string.Equals(m, modality, StringComparison.OrdinalIgnoreCase))
            return $"modality {modality ?? "(none)"} is not {m}";
        var bodyPart = first.GetString(DicomTags.BodyPartExamined);
        if (rule.BodyPart is { } b && !string.Equals(b, bodyPart, StringComparison.OrdinalIgnoreCase))
            return $"body part {bodyPart ?? "(none)"} is not {b}";
        var description = first.GetString(DicomTags.SeriesDescription) ?? "";
        if (rule.SeriesPattern is { } p && !Pattern(p).IsMatch(description))
            return $"series description '{description}' does not match /{p}/";
        return null;
    }

    /// <summary>A rule's series description pattern: case-insensitive, with a time limit (a pattern is never run unbounded).</summary>
    public static Regex Pattern(string pattern) =>
        new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, RegexTimeout);
}
