using System.Net.Http.Headers;
using Mira.Dicom;
using Mira.Dicom.Network;
using Mira.Platform.Security;

namespace Mira.Platform.Deployment;

/// <summary>
/// Sends a result to a deployment's destination: an AE of the AE table by C-STORE (PS3.4 Annex B; Mira calls it as
/// <see cref="DeploymentOptions.CallingAe"/>), or a DICOMweb server by STOW-RS (PS3.18 §10.5: <c>POST {base}/studies</c>,
/// multipart/related of application/dicom). Throws, naming the destination and its answer, unless it was accepted.
/// </summary>
public sealed class ResultSender(ApplicationEntityService aes, DeploymentOptions options)
{
    static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Sends one Part 10 object; returns how the destination answered (for the job log).</summary>
    public async Task<string> SendAsync(string destination, byte[] part10, string sopClassUid, string sopInstanceUid, CancellationToken ct)
    {
        if (destination.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || destination.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return await StowAsync(destination, part10, ct);
        var ae = await aes.FindAsync(destination, ct) ?? throw new InvalidOperationException($"destination AE '{destination}' is no longer in the AE table");
        var scu = new StoreScu(new StoreScuOptions { Host = ae.Host, Port = ae.Port, CalledAE = ae.AETitle, CallingAE = options.CallingAe });
        var item = new StoreScuItem(sopInstanceUid, sopClassUid, sopInstanceUid, TransferSyntax.ExplicitVRLittleEndian, _ => Task.FromResult(part10));
        var summary = await scu.SendAsync([item], ct: ct);
        if (summary.Failed > 0)
        {
            var f = summary.Failures[0];
            throw new InvalidOperationException($"C-STORE to {ae.AETitle} at {ae.Host}:{ae.Port} failed: "
                + (f.Error ?? $"status 0x{f.Status:X4}"));
        }
        return $"C-STORE to {ae.AETitle} at {ae.Host}:{ae.Port}: success";
    }

    async Task<string> StowAsync(string baseUrl, byte[] part10, CancellationToken ct)
    {
        var boundary = "mira-" + Guid.NewGuid().ToString("N");
        var body = new MultipartContent("related", boundary);
        body.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        var part = new ByteArrayContent(part10);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
        body.Add(part);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.SendTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/studies") { Content = body };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        using var response = await Http.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
            throw new InvalidOperationException($"STOW-RS to {baseUrl} answered {(int)response.StatusCode} {response.ReasonPhrase}: {(text.Length > 300 ? text[..300] : text)}");
        }
        return $"STOW-RS to {baseUrl}: {(int)response.StatusCode}";
    }
}
