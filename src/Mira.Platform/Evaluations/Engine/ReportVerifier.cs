using System.Security.Cryptography;
using System.Text.Json;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>The outcome of <see cref="ReportVerifier.Verify"/>: ok, or the problems, each naming the file.</summary>
/// <param name="KeyId">the signing key's id as the manifest states it (null when signature.json is unreadable).</param>
public sealed record VerifyResult(bool Ok, IReadOnlyList<string> Problems, string? KeyId);

/// <summary>
/// Checks a signed report folder: <c>signature.json</c> is in its one canonical form, its key id is the SHA-256 of its
/// public key (and, when given, the trusted key id), the signature verifies over the manifest, every file listed has
/// its hash and size, no file was added or removed, and report.json's provenance is the manifest's. Any difference is
/// a problem naming the file; nothing is changed.
/// </summary>
public static class ReportVerifier
{
    public const long MaxSignatureBytes = 4 * 1024 * 1024;

    public static VerifyResult Verify(string reportDir, string? trustedKeyId = null)
    {
        var problems = new List<string>();
        if (!Directory.Exists(reportDir)) return new VerifyResult(false, [$"{reportDir} is not a folder"], null);
        var sigPath = Path.Combine(reportDir, ReportFolder.SignatureName);
        var sigInfo = new FileInfo(sigPath);
        if (!sigInfo.Exists) return new VerifyResult(false, [$"{ReportFolder.SignatureName} is missing: the report is not signed"], null);
        if (sigInfo.LinkTarget is not null) return new VerifyResult(false, [$"{ReportFolder.SignatureName} is a link"], null);
        if (sigInfo.Length > MaxSignatureBytes) return new VerifyResult(false, [$"{ReportFolder.SignatureName} is larger than {MaxSignatureBytes} bytes"], null);
        var bytes = File.ReadAllBytes(sigPath);
        SignatureManifest manifest;
        byte[] signature;
        try
        {
            (manifest, signature) = SignatureManifest.Parse(bytes);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return new VerifyResult(false, [$"{ReportFolder.SignatureName} is unreadable: {e.Message}"], null);
        }
        if (!bytes.AsSpan().SequenceEqual(SignatureManifest.FileBytes(manifest, signature)))
            problems.Add($"{ReportFolder.SignatureName} changed: it is not in the canonical form the signer writes");
        CheckSignature(manifest, signature, trustedKeyId, problems);
        try
        {
            CheckFiles(reportDir, manifest, problems);
            CheckProvenance(reportDir, manifest, problems);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"the folder cannot be read: {e.Message}");
        }
        return new VerifyResult(problems.Count == 0, problems, manifest.KeyId);
    }

    static void CheckSignature(SignatureManifest m, byte[] signature, string? trustedKeyId, List<string> problems)
    {
        if (m.Algorithm != ReportSigner.Algorithm)
        {
            problems.Add($"{ReportFolder.SignatureName}: algorithm {m.Algorithm} is not {ReportSigner.Algorithm}");
            return;
        }
        byte[] spki;
        try
        {
            spki = Convert.FromBase64String(m.PublicKey);
        }
        catch (FormatException)
        {
            problems.Add($"{ReportFolder.SignatureName}: the public key is not base64");
            return;
        }
        if (ReportSigner.KeyIdOf(spki) != m.KeyId) problems.Add($"{ReportFolder.SignatureName}: the key id is not the SHA-256 of the public key");
        if (trustedKeyId is not null && !string.Equals(trustedKeyId, m.KeyId, StringComparison.OrdinalIgnoreCase))
            problems.Add($"{ReportFolder.SignatureName}: signed by key {m.KeyId}, not the trusted key {trustedKeyId}");
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(spki, out var read);
            if (read != spki.Length || key.ExportParameters(false).Curve.Oid.Value != "1.2.840.10045.3.1.7") throw new CryptographicException("not a P-256 public key");
        }
        catch (CryptographicException e)
        {
            problems.Add($"{ReportFolder.SignatureName}: the public key is unusable: {e.Message}");
            return;
        }
        if (!key.VerifyData(m.CanonicalBytes(), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            problems.Add($"{ReportFolder.SignatureName}: the signature does not match the manifest (the manifest or the signature changed)");
    }

    static void CheckFiles(string dir, SignatureManifest m, List<string> problems)
    {
        if (m.Files.Count > ReportFolder.MaxFiles) problems.Add($"{ReportFolder.SignatureName} lists more than {ReportFolder.MaxFiles} files");
        var signed = new Dictionary<string, SignedFile>(StringComparer.Ordinal);
        foreach (var f in m.Files)
            if (!signed.TryAdd(f.Path, f)) problems.Add($"{ReportFolder.SignatureName} lists {f.Path} twice");
        var present = ReportFolder.Files(dir, problems);
        foreach (var f in present)
        {
            if (!signed.TryGetValue(f.Path, out var s)) problems.Add($"{f.Path} was added after signing");
            else if (s.Sha256 != f.Sha256 || s.Bytes != f.Bytes) problems.Add($"{f.Path} changed (SHA-256 {f.Sha256}, {f.Bytes} bytes; signed {s.Sha256}, {s.Bytes} bytes)");
        }
        var here = present.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var f in m.Files.Where(f => !here.Contains(f.Path)).Select(f => f.Path).Distinct(StringComparer.Ordinal))
            problems.Add($"{f} was removed after signing");
        if (!signed.ContainsKey(ReportFolder.ReportJsonName)) problems.Add($"{ReportFolder.SignatureName} does not list {ReportFolder.ReportJsonName}");
    }

    static void CheckProvenance(string dir, SignatureManifest m, List<string> problems)
    {
        var path = Path.Combine(dir, ReportFolder.ReportJsonName);
        if (!File.Exists(path)) return; // reported as removed
        if (m.Files.FirstOrDefault(f => f.Path == ReportFolder.ReportJsonName) is { } r && r.Sha256 != m.ResultsSha256)
            problems.Add($"{ReportFolder.SignatureName}: results_sha256 is not the hash listed for {ReportFolder.ReportJsonName}");
        try
        {
            var p = ReportSigner.ReadProvenance(path);
            if (p != (m.ReleaseId, m.ReleaseHash, m.ModelPackageSha256, m.EvaluatorVersion))
                problems.Add($"{ReportFolder.ReportJsonName}: its provenance (release, model package, evaluator) is not the signed one");
        }
        catch (EvaluationException e)
        {
            problems.Add(e.Message.Replace(path, ReportFolder.ReportJsonName, StringComparison.Ordinal));
        }
    }
}
