using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Mira.Server.Dicomweb;

/// <summary>
/// One media range of an <c>Accept</c> header as WADO-RS reads it (PS3.18 §8.7.1, §8.7.3): for
/// <c>multipart/related</c> the range that matters is its <c>type</c> parameter (the media type of the parts), with
/// the <c>transfer-syntax</c> parameter naming the encoding asked for (<c>*</c> = whatever is stored).
/// </summary>
/// <param name="PartType">The media type of the parts (<c>*/*</c> when the range does not say).</param>
/// <param name="TransferSyntax">The transfer syntax UID asked for, <c>*</c>, or null when the range names none.</param>
/// <param name="Quality">The <c>q</c> weight (RFC 9110 §12.4.2).</param>
public sealed record AcceptedMediaType(string PartType, string? TransferSyntax, double Quality)
{
    public const string AnyTransferSyntax = "*";

    /// <summary>True when the range says nothing about the transfer syntax or accepts any (<c>*</c>).</summary>
    public bool AnySyntax => TransferSyntax is null or AnyTransferSyntax;

    public bool IsWildcard => PartType == "*/*";

    /// <summary>True when <paramref name="mediaType"/> (e.g. <c>image/jpeg</c>) falls in this range (<c>image/*</c>, <c>*/*</c>).</summary>
    public bool Matches(string mediaType)
    {
        if (IsWildcard) return true;
        if (PartType.EndsWith("/*", StringComparison.Ordinal))
            return mediaType.StartsWith(PartType[..^1], StringComparison.OrdinalIgnoreCase);
        return PartType.Equals(mediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The acceptable ranges, most preferred first (stable for equal weights); ranges with <c>q=0</c> are dropped.
    /// No header, or one that does not parse, accepts anything.
    /// </summary>
    public static IReadOnlyList<AcceptedMediaType> Parse(StringValues header)
    {
        if (StringValues.IsNullOrEmpty(header) || string.IsNullOrWhiteSpace(header.ToString())) return [new("*/*", null, 1)];
        if (!MediaTypeHeaderValue.TryParseList(header, out var values) || values.Count == 0) return [new("*/*", null, 1)];
        var list = new List<(AcceptedMediaType Range, int Order)>(values.Count);
        foreach (var v in values)
        {
            var quality = v.Quality ?? 1;
            if (quality <= 0) continue;
            var media = v.MediaType.Value?.ToLowerInvariant() ?? "*/*";
            var partType = media is "multipart/related" or "multipart/*" ? Parameter(v, "type")?.ToLowerInvariant() ?? "*/*" : media;
            if (partType == "*") partType = "*/*";
            list.Add((new AcceptedMediaType(partType, Parameter(v, "transfer-syntax"), quality), list.Count));
        }
        return list.OrderByDescending(x => x.Range.Quality).ThenBy(x => x.Order).Select(x => x.Range).ToList();
    }

    static string? Parameter(MediaTypeHeaderValue v, string name)
    {
        var p = v.Parameters.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (p is null) return null;
        var value = HeaderUtilities.RemoveQuotes(p.Value).Value?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
