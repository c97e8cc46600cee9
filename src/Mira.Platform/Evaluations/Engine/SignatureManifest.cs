using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>A file of a report folder: its path relative to the folder ('/'-separated), SHA-256 (lowercase hex) and size.</summary>
public sealed record SignedFile(string Path, string Sha256, long Bytes);

/// <summary>
/// What <c>signature.json</c> signs: the algorithm and public key, the key id (SHA-256 of the SubjectPublicKeyInfo
/// DER), the release, model package and evaluator the report names, the SHA-256 of <c>report.json</c> (the results)
/// and of every file in the folder.
/// </summary>
public sealed record SignatureManifest(string Algorithm, string PublicKey, string KeyId, string ReleaseId, string ReleaseHash, string ModelPackageSha256,
    string EvaluatorVersion, string ResultsSha256, IReadOnlyList<SignedFile> Files)
{
    /// <summary>
    /// The bytes the signature covers: this manifest as compact UTF-8 JSON (no whitespace), fields in declaration order,
    /// files by ordinal path, strings escaped only where JSON requires (quote, backslash, control characters) — for the
    /// ASCII values a manifest holds, the bytes of Python's <c>json.dumps(manifest, separators=(",", ":"))</c>.
    /// </summary>
    public byte[] CanonicalBytes()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })) Write(w);
        return ms.ToArray();
    }

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("algorithm", Algorithm);
        w.WriteString("public_key", PublicKey);
        w.WriteString("key_id", KeyId);
        w.WriteString("release_id", ReleaseId);
        w.WriteString("release_hash", ReleaseHash);
        w.WriteString("model_package_sha256", ModelPackageSha256);
        w.WriteString("evaluator_version", EvaluatorVersion);
        w.WriteString("results_sha256", ResultsSha256);
        w.WriteStartArray("files");
        foreach (var f in Files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("path", f.Path);
            w.WriteString("sha256", f.Sha256);
            w.WriteNumber("bytes", f.Bytes);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The whole <c>signature.json</c>: format, manifest and the base64 signature, indented, one way only.</summary>
    internal static byte[] FileBytes(SignatureManifest manifest, byte[] signature)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", SignatureFormat);
            w.WritePropertyName("manifest");
            manifest.Write(w);
            w.WriteString("signature", Convert.ToBase64String(signature));
            w.WriteEndObject();
        }
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    public const string SignatureFormat = "mira-evaluation-signature/1";

    /// <summary>Reads <c>signature.json</c> strictly: every field present with its type, no other field.</summary>
    internal static (SignatureManifest Manifest, byte[] Signature) Parse(byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 8 });
        var root = Object(doc.RootElement, "signature.json", "format", "manifest", "signature");
        if (Str(root, "format") != SignatureFormat) throw new FormatException($"signature.json: format is not {SignatureFormat}");
        var m = Object(root.GetProperty("manifest"), "manifest", "algorithm", "public_key", "key_id", "release_id", "release_hash", "model_package_sha256",
            "evaluator_version", "results_sha256", "files");
        var files = m.GetProperty("files");
        if (files.ValueKind != JsonValueKind.Array) throw new FormatException("signature.json: manifest.files is not an array");
        var list = new List<SignedFile>();
        foreach (var f in files.EnumerateArray())
        {
            var o = Object(f, "a manifest file", "path", "sha256", "bytes");
            if (o.GetProperty("bytes").ValueKind != JsonValueKind.Number || !o.GetProperty("bytes").TryGetInt64(out var n) || n < 0)
                throw new FormatException("signature.json: a file's bytes is not a non-negative integer");
            list.Add(new SignedFile(Str(o, "path"), Str(o, "sha256"), n));
        }
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(Str(root, "signature"));
        }
        catch (FormatException)
        {
            throw new FormatException("signature.json: the signature is not base64");
        }
        return (new SignatureManifest(Str(m, "algorithm"), Str(m, "public_key"), Str(m, "key_id"), Str(m, "release_id"), Str(m, "release_hash"),
            Str(m, "model_package_sha256"), Str(m, "evaluator_version"), Str(m, "results_sha256"), list), signature);
    }

    static JsonElement Object(JsonElement e, string what, params string[] fields)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new FormatException($"signature.json: {what} is not an object");
        var names = e.EnumerateObject().Select(p => p.Name).ToArray();
        if (names.Length != fields.Length || names.Distinct(StringComparer.Ordinal).Count() != names.Length || !fields.All(names.Contains))
            throw new FormatException($"signature.json: {what} must hold exactly {string.Join(", ", fields)}");
        return e;
    }

    static string Str(JsonElement o, string name)
    {
        var v = o.GetProperty(name);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new FormatException($"signature.json: {name} is not a string");
    }
}
