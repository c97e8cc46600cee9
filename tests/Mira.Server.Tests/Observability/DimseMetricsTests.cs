using System.Net;
using Mira.Dicom.Network;
using Mira.Server.Tests.Dimse;

namespace Mira.Server.Tests.Observability;

/// <summary>The <c>mira_dimse_associations</c> gauge follows the DIMSE listener's open associations.</summary>
public sealed class DimseMetricsTests
{
    static async Task<double> OpenAssociationsAsync(DimseArchive a) =>
        Assert.Single(PrometheusText.Parse(await a.Admin.GetStringAsync("/metrics")).Named("mira_dimse_associations")).Value;

    [Fact]
    public async Task The_associations_gauge_counts_an_open_association_and_drops_when_it_ends()
    {
        await using var a = new DimseArchive { Options = new() { Port = 0, Address = IPAddress.Loopback, AETitle = "MIRA" } };
        await a.InitializeAsync();
        Assert.Equal(0, await OpenAssociationsAsync(a));
        using (var holder = await RawDimsePeer.ConnectAsync(a.DimsePort))
        {
            await holder.SendAsync(RawDimsePeer.EchoAssociateRequest("HOLDER"));
            Assert.Equal(PduType.AssociateAccept, (await holder.ReadPduAsync(TimeSpan.FromSeconds(30)))?.Type);
            Assert.Equal(1, await OpenAssociationsAsync(a));
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await OpenAssociationsAsync(a) != 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(0, await OpenAssociationsAsync(a));
    }
}
