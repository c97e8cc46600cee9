using System.Text.RegularExpressions;

namespace Mira.Storage.Blobs;

/// <summary>
/// Where an <see cref="S3BlobStore"/> keeps its blobs: one bucket and a key prefix, its scope (empty for the bucket's
/// root). Written <c>s3://BUCKET[/PREFIX]</c>. Scopes nest: the intake's blobs are at <c>PREFIX/</c>, a project's at
/// <c>PREFIX/projects/&lt;id&gt;/</c> (<see cref="Scope"/>), and a store leaves the scopes nested in its own to their stores.
/// </summary>
public sealed partial record S3BlobLocation
{
    public const string Scheme = "s3://";

    S3BlobLocation(string bucket, string prefix)
    {
        Bucket = bucket;
        Prefix = prefix;
    }

    public string Bucket { get; }

    /// <summary>The key prefix without leading or trailing '/', or empty.</summary>
    public string Prefix { get; }

    // S3 bucket naming rules (path-style addressing): 3-63 of lower-case letters, digits, '.', '-', starting and ending
    // with a letter or digit.
    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex SegmentPattern();

    /// <summary>True when <paramref name="value"/> names a bucket (<c>s3://…</c>) rather than a folder.</summary>
    public static bool IsS3(string value) => value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <c>s3://BUCKET[/PREFIX]</c>; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static S3BlobLocation Parse(string value)
    {
        if (!IsS3(value)) throw new FormatException($"'{value}' is not an S3 location: expected s3://BUCKET[/PREFIX]");
        var rest = value[Scheme.Length..].TrimEnd('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        if (!BucketPattern().IsMatch(bucket) || bucket.Contains("..", StringComparison.Ordinal))
            throw new FormatException($"'{value}': '{bucket}' is not a bucket name (3-63 of a-z, 0-9, '.', '-', starting and ending with a letter or digit)");
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];
        return new S3BlobLocation(bucket, "").Scope(prefix.Length == 0 ? [] : prefix.Split('/'), value);
    }

    /// <summary>The nested scope <c>PREFIX/segment/…</c> (a project's: <c>Scope("projects", id)</c>).</summary>
    public S3BlobLocation Scope(params string[] segments) => Scope(segments, ToString());

    S3BlobLocation Scope(string[] segments, string context)
    {
        foreach (var s in segments)
            if (!SegmentPattern().IsMatch(s) || s.Contains("..", StringComparison.Ordinal))
                throw new FormatException($"'{context}': key prefix segment '{s}' is not a plain name (letters, digits, '.', '_', '-'; at most 128)");
        return new S3BlobLocation(Bucket, string.Join('/', Prefix.Length == 0 ? segments : [Prefix, .. segments]));
    }

    /// <summary>The object key of a blob key in this scope.</summary>
    public string ObjectKey(string key) => Prefix.Length == 0 ? key : Prefix + "/" + key;

    /// <summary>What every object key in this scope starts with (empty, or the prefix and '/').</summary>
    public string KeyPrefix => Prefix.Length == 0 ? "" : Prefix + "/";

    public override string ToString() => Scheme + Bucket + (Prefix.Length == 0 ? "" : "/" + Prefix);
}
