using System.Text;
using Mira.Testing;
using Mira.Platform.Evaluations.Engine;
using static Mira.Platform.Tests.Evaluations.EvaluationFixtures;

namespace Mira.Platform.Tests.Evaluations;

public sealed class ReportSigningTests : IDisposable
{
    readonly string root = TempFolder();
    readonly string keyPath;
    readonly string report;

    public ReportSigningTests()
    {
        keyPath = Path.Combine(root, "keys", "report-signing.pem");
        report = Path.Combine(root, "report");
        using var signer = ReportSigner.OpenOrCreate(keyPath);
        EvaluationReport.Write(report, EvaluationEngine.Evaluate(Cases(true), TwoLabelSpec(100)), Provenance(), signer);
    }

    public void Dispose() => Directory.Delete(root, true);

    string File(string name) => Path.Combine(report, name);

    [Fact]
    public void An_intact_report_verifies_and_names_its_key()
    {
        var result = ReportVerifier.Verify(report);
        Assert.True(result.Ok, string.Join("; ", result.Problems));
        using var signer = ReportSigner.Open(keyPath);
        Assert.Equal(signer.KeyId, result.KeyId);
        Assert.True(ReportVerifier.Verify(report, signer.KeyId).Ok);
        Assert.Equal(["report.html", "report.json", "signature.json"], Directory.GetFiles(report).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("report.json")]
    [InlineData("report.html")]
    public void A_one_byte_change_fails_naming_the_file(string name)
    {
        var bytes = System.IO.File.ReadAllBytes(File(name));
        var at = bytes.Length / 2;
        bytes[at] = (byte)(bytes[at] == (byte)'7' ? '8' : '7');
        System.IO.File.WriteAllBytes(File(name), bytes);
        var result = ReportVerifier.Verify(report);
        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.StartsWith($"{name} changed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_removed_file_fails()
    {
        System.IO.File.Delete(File("report.html"));
        var result = ReportVerifier.Verify(report);
        Assert.False(result.Ok);
        Assert.Contains("report.html was removed after signing", result.Problems);
    }

    [Fact]
    public void An_added_file_fails_even_in_a_subfolder()
    {
        System.IO.File.WriteAllText(File("notes.txt"), "added later");
        Assert.Contains("notes.txt was added after signing", ReportVerifier.Verify(report).Problems);
        System.IO.File.Delete(File("notes.txt"));
        Directory.CreateDirectory(File("extra"));
        System.IO.File.WriteAllText(Path.Combine(File("extra"), "a.svg"), "<svg/>");
        Assert.Contains("extra/a.svg was added after signing", ReportVerifier.Verify(report).Problems);
    }

    [Fact]
    public void A_link_in_the_folder_fails_and_cannot_be_signed()
    {
        System.IO.File.CreateSymbolicLink(File("outside.json"), keyPath);
        Assert.Contains("outside.json is a link", ReportVerifier.Verify(report).Problems);
        using var signer = ReportSigner.Open(keyPath);
        Assert.Contains("outside.json is a link", Assert.Throws<EvaluationException>(() => signer.Sign(report)).Message);
    }

    [Fact]
    public void A_changed_manifest_fails_even_when_its_file_hash_is_made_to_match()
    {
        // Change report.json and write its new hash into the manifest: the signature no longer matches.
        var json = System.IO.File.ReadAllText(File("report.json")).Replace("\"brain-seg\"", "\"brain-seX\"", StringComparison.Ordinal);
        var oldHash = ReportFolder.Sha256(File("report.json"));
        System.IO.File.WriteAllText(File("report.json"), json);
        var newHash = ReportFolder.Sha256(File("report.json"));
        var sig = System.IO.File.ReadAllText(File("signature.json")).Replace(oldHash, newHash, StringComparison.Ordinal);
        System.IO.File.WriteAllText(File("signature.json"), sig);
        var result = ReportVerifier.Verify(report);
        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Contains("the signature does not match the manifest", StringComparison.Ordinal));
    }

    [Fact]
    public void A_whitespace_change_to_the_signature_file_fails()
    {
        System.IO.File.AppendAllText(File("signature.json"), " ");
        Assert.Contains(ReportVerifier.Verify(report).Problems, p => p.StartsWith("signature.json changed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_report_re_signed_with_another_key_fails_against_the_trusted_key()
    {
        using var trusted = ReportSigner.Open(keyPath);
        using var other = ReportSigner.OpenOrCreate(Path.Combine(root, "keys", "other.pem"));
        Assert.NotEqual(trusted.KeyId, other.KeyId);
        other.Sign(report);
        Assert.True(ReportVerifier.Verify(report).Ok);
        var result = ReportVerifier.Verify(report, trusted.KeyId);
        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Contains($"not the trusted key {trusted.KeyId}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_or_unreadable_signature_fails()
    {
        System.IO.File.WriteAllText(File("signature.json"), "{\"format\": 1}");
        Assert.Contains(ReportVerifier.Verify(report).Problems, p => p.StartsWith("signature.json is unreadable", StringComparison.Ordinal));
        System.IO.File.Delete(File("signature.json"));
        Assert.Contains(ReportVerifier.Verify(report).Problems, p => p.Contains("not signed", StringComparison.Ordinal));
    }

    [Fact]
    public void The_key_file_is_PKCS8_PEM_readable_by_its_owner_only_and_is_reused()
    {
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", System.IO.File.ReadAllText(keyPath), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(keyPath));
        using var again = ReportSigner.OpenOrCreate(keyPath);
        Assert.Equal(ReportVerifier.Verify(report).KeyId, again.KeyId);
    }

    [Fact]
    public void Refuses_a_key_file_others_may_read()
    {
        if (OperatingSystem.IsWindows()) return;
        System.IO.File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var e = Assert.Throws<EvaluationException>(() => ReportSigner.Open(keyPath));
        Assert.Contains("chmod 600", e.Message);
    }

    [Fact]
    public void Refuses_to_write_a_report_into_a_folder_that_holds_files()
    {
        using var signer = ReportSigner.Open(keyPath);
        var e = Assert.Throws<EvaluationException>(() => EvaluationReport.Write(report, EvaluationEngine.Evaluate(Cases(), TwoLabelSpec(10)), Provenance(), signer));
        Assert.Contains("not empty", e.Message);
    }

    [Fact]
    public void The_signature_manifest_holds_the_release_the_model_package_the_evaluator_and_the_results_hash()
    {
        var sig = Encoding.UTF8.GetString(System.IO.File.ReadAllBytes(File("signature.json")));
        var p = Provenance();
        Assert.Contains($"\"release_hash\": \"{p.ReleaseHash}\"", sig);
        Assert.Contains($"\"model_package_sha256\": \"{p.ModelPackageSha256}\"", sig);
        Assert.Contains($"\"evaluator_version\": \"{p.EvaluatorVersion}\"", sig);
        Assert.Contains($"\"results_sha256\": \"{ReportFolder.Sha256(File("report.json"))}\"", sig);
        Assert.Contains("\"algorithm\": \"ECDSA-P256-SHA256\"", sig);
    }

    const string PythonVerifier = """
        import json, sys, hashlib, base64, os
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, utils
        folder = sys.argv[1]
        doc = json.load(open(os.path.join(folder, "signature.json"), encoding="utf-8"))
        m = doc["manifest"]
        key = serialization.load_der_public_key(base64.b64decode(m["public_key"]))
        assert hashlib.sha256(base64.b64decode(m["public_key"])).hexdigest() == m["key_id"]
        sig = base64.b64decode(doc["signature"])
        der = utils.encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        key.verify(der, json.dumps(m, separators=(",", ":")).encode("utf-8"), ec.ECDSA(hashes.SHA256()))
        for f in m["files"]:
            assert hashlib.sha256(open(os.path.join(folder, f["path"]), "rb").read()).hexdigest() == f["sha256"], f["path"]
        print("verified", len(m["files"]))
        """;

    [Fact]
    public void The_signature_verifies_with_the_python_cryptography_package_as_documented()
    {
        // python3-cryptography (Debian) rebuilds the canonical manifest bytes as docs/evaluation.md describes them.
        Assert.Equal("verified 2", ExternalTool.Run("/usr/bin/python3", "-c", PythonVerifier, report).Trim());
        System.IO.File.AppendAllText(File("report.html"), "x");
        Assert.Throws<InvalidOperationException>(() => ExternalTool.Run("/usr/bin/python3", "-c", PythonVerifier, report));
    }
}
