using System.CommandLine;
using Mira.Platform.Evaluations.Engine;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira report verify DIR [--key-id ID]</c>: checks a signed evaluation report folder (docs/evaluation.md): the
/// signature over the manifest, every file's SHA-256, no file added or removed. Exit codes: 0 intact, 1 any change.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "the report folder (report.json, report.html, signature.json)" };
        var keyId = new Option<string?>("--key-id") { Description = "also require this signing key id (the SHA-256 of the trusted public key)" };
        var verify = new Command("verify", "Verify a signed evaluation report. Exit codes: 0 intact, 1 changed, unsigned or signed by another key") { dir, keyId };
        verify.SetAction(r =>
        {
            var result = ReportVerifier.Verify(r.GetValue(dir)!, r.GetValue(keyId));
            if (result.Ok)
            {
                Console.WriteLine($"intact: signed by key {result.KeyId}");
                return 0;
            }
            foreach (var p in result.Problems) Console.Error.WriteLine("mira report verify: " + p);
            return 1;
        });
        return new Command("report", "Signed evaluation reports") { verify };
    }
}
