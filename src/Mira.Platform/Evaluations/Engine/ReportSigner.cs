using System.Security.Cryptography;
using System.Text.Json;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>
/// Signs report folders with the platform's ECDSA P-256 key (FIPS 186-4; SHA-256; the signature in IEEE P1363 form,
/// r ‖ s, 64 bytes). The key lives in a PKCS#8 PEM file, created on first use with mode 0600; an existing key file
/// that group or others may read is refused.
/// </summary>
public sealed class ReportSigner : IDisposable
{
    public const string Algorithm = "ECDSA-P256-SHA256";
    const string P256Oid = "1.2.840.10045.3.1.7";
    readonly ECDsa key;

    ReportSigner(ECDsa key)
    {
        this.key = key;
        var spki = key.ExportSubjectPublicKeyInfo();
        PublicKey = Convert.ToBase64String(spki);
        KeyId = KeyIdOf(spki);
    }

    /// <summary>The SubjectPublicKeyInfo (DER), base64.</summary>
    public string PublicKey { get; }

    /// <summary>SHA-256 of the SubjectPublicKeyInfo DER, lowercase hex: what a verifier may pin.</summary>
    public string KeyId { get; }

    public static string KeyIdOf(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>The key in <paramref name="keyPath"/>, created there (mode 0600, folder created 0700) when the file does not exist.</summary>
    public static ReportSigner OpenOrCreate(string keyPath)
    {
        if (!File.Exists(keyPath))
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(keyPath))!;
            if (!Directory.Exists(dir))
            {
                if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
                else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                using var w = new StreamWriter(new FileStream(keyPath, options));
                w.Write(fresh.ExportPkcs8PrivateKeyPem());
                w.Write('\n');
            }
            catch (IOException) when (File.Exists(keyPath))
            {
                // Another process created it first: use theirs.
            }
        }
        return Open(keyPath);
    }

    /// <summary>An existing key file; refused when it is not a P-256 private key in PEM or when others may read it.</summary>
    public static ReportSigner Open(string keyPath)
    {
        var info = new FileInfo(keyPath);
        if (!info.Exists) throw new EvaluationException($"signing key {keyPath} does not exist");
        if (info.Length > 64 * 1024) throw new EvaluationException($"signing key {keyPath} is too large to be a key");
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(keyPath);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                throw new EvaluationException($"signing key {keyPath} may be read or written by others (mode {Convert.ToString((int)mode, 8)}); chmod 600 it");
        }
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(File.ReadAllText(keyPath));
            if (ecdsa.ExportParameters(false).Curve.Oid.Value != P256Oid) throw new EvaluationException($"signing key {keyPath} is not a P-256 key");
            ecdsa.ExportParameters(true); // a public key alone cannot sign
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            ecdsa.Dispose();
            throw new EvaluationException($"signing key {keyPath} is not an ECDSA private key in PEM: {e.Message}", e);
        }
        return new ReportSigner(ecdsa);
    }

    /// <summary>
    /// Writes <c>signature.json</c> into <paramref name="reportDir"/>: the hashes of every file there (report.json and
    /// report.html at least), the release, model package and evaluator named by report.json's provenance, signed.
    /// An existing signature.json is replaced.
    /// </summary>
    public SignatureManifest Sign(string reportDir)
    {
        var problems = new List<string>();
        var files = ReportFolder.Files(reportDir, problems);
        if (problems.Count > 0) throw new EvaluationException($"cannot sign {reportDir}: {string.Join("; ", problems)}");
        var results = files.FirstOrDefault(f => f.Path == ReportFolder.ReportJsonName) ?? throw new EvaluationException($"{reportDir} has no {ReportFolder.ReportJsonName}");
        var p = ReadProvenance(Path.Combine(reportDir, ReportFolder.ReportJsonName));
        var manifest = new SignatureManifest(Algorithm, PublicKey, KeyId, p.ReleaseId, p.ReleaseHash, p.ModelPackageSha256, p.EvaluatorVersion, results.Sha256, files);
        var signature = key.SignData(manifest.CanonicalBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        File.WriteAllBytes(Path.Combine(reportDir, ReportFolder.SignatureName), SignatureManifest.FileBytes(manifest, signature));
        return manifest;
    }

    /// <summary>The provenance fields of a report.json that the manifest repeats (release id and hash, model package hash, evaluator version).</summary>
    internal static (string ReleaseId, string ReleaseHash, string ModelPackageSha256, string EvaluatorVersion) ReadProvenance(string reportJson)
    {
        var info = new FileInfo(reportJson);
        if (info.Length > 256L * 1024 * 1024) throw new EvaluationException($"{reportJson} is larger than 256 MiB");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(reportJson), new JsonDocumentOptions { MaxDepth = 64 });
            var p = doc.RootElement.GetProperty("provenance");
            return (p.GetProperty("release_id").GetString()!, p.GetProperty("release_hash").GetString()!, p.GetProperty("model_package_sha256").GetString()!,
                p.GetProperty("evaluator_version").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new EvaluationException($"{reportJson} has no readable provenance: {e.Message}", e);
        }
    }

    public void Dispose() => key.Dispose();
}
