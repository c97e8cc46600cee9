namespace Mira.Platform.Evaluations.Engine;

/// <summary>
/// Writes a report folder: <c>report.json</c> (<see cref="ReportJson"/>), <c>report.html</c>
/// (<see cref="ReportHtml"/>) and, signed with the platform's key, <c>signature.json</c>
/// (<see cref="ReportSigner"/>). The folder must be new or empty, so the signature covers nothing the evaluation
/// did not write.
/// </summary>
public static class EvaluationReport
{
    public static SignatureManifest Write(string reportDir, EvaluationResults results, ReportProvenance provenance, ReportSigner signer)
    {
        provenance.Validate();
        if (File.Exists(reportDir)) throw new EvaluationException($"{reportDir} is a file, not a report folder");
        if (Directory.Exists(reportDir) && Directory.EnumerateFileSystemEntries(reportDir).Any())
            throw new EvaluationException($"{reportDir} is not empty: a report is written into a new folder");
        var json = ReportJson.Write(results, provenance);
        var html = ReportHtml.Write(results, provenance);
        Directory.CreateDirectory(reportDir);
        File.WriteAllBytes(Path.Combine(reportDir, ReportFolder.ReportJsonName), json);
        File.WriteAllBytes(Path.Combine(reportDir, ReportFolder.ReportHtmlName), html);
        return signer.Sign(reportDir);
    }
}
