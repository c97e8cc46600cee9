using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Demo;

namespace Mira.Server.Tests.Web;

/// <summary>
/// The demo PET-CT in the viewer's TMTV mode (PET fused on its CT, SUV): every request succeeds, and the SUVbw the viewer
/// holds for a voxel (the value in cornerstone's PT volume, which its probe, ROI statistics, MIP and thresholds read)
/// equals the stored value × Rescale Slope × the factor <c>mira suv</c> prints for that stored instance.
/// </summary>
public sealed class ViewerTmtvTests(BrowserFixture browser, WorkspaceServer server) : IClassFixture<BrowserFixture>, IClassFixture<WorkspaceServer>
{
    /// <summary>
    /// Points at PET voxel centres (patient coordinates, mm) in the phantom's hot lesion, myocardium, blood pool, lung
    /// and body background: SUVs from about 0.3 to 11.
    /// </summary>
    static readonly double[][] Points = [[-42, 10, -10], [14, -2, 10], [14, -22, 10], [-62, 2, -2], [2, 62, 2]];

    /// <summary>
    /// The viewer's volumes are 32-bit floats: SUV = factor × (stored × slope + intercept) rounded to a float is within
    /// 2^-24 relative of the double; 1e-5 allows for the order of the viewer's operations.
    /// </summary>
    const double RelativeTolerance = 1e-5;

    [Fact]
    public async Task The_PET_CT_opens_in_TMTV_mode_with_the_SUVs_mira_suv_gives_and_no_request_fails()
    {
        var study = DemoStudies.StudyUid("pt");
        await using var viewer = await ViewerPage.OpenAsync(browser, server.BaseUrl, "admin", ServeProcess.AdminPassword, $"/studies/{study}/view?mode=tmtv");
        await viewer.WaitForImageAsync();
        Assert.StartsWith($"{server.BaseUrl}viewer/tmtv/intake", viewer.Page.Url);

        JsonElement shown;
        try
        {
            var handle = await viewer.Page.WaitForFunctionAsync(PtVolumeValues, Points, new() { Timeout = 90_000, PollingInterval = 250 });
            shown = await handle.JsonValueAsync<JsonElement>();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"no loaded PT volume; page errors:\n{string.Join("\n", viewer.Errors)}\nrequests:\n{string.Join("\n", viewer.Requests)}", e);
        }
        var report = shown.GetRawText();
        // Both series were read (the CT is fused under the PET) and nothing the viewer asked for failed.
        var dicomweb = viewer.Requests.Where(r => r.Contains("/dicomweb/", StringComparison.Ordinal)).ToList();
        foreach (var series in new[] { "series/pt", "series/pt-ct" })
            Assert.True(dicomweb.Any(r => r.Contains($"/series/{DemoStudies.Uid(series)}/instances/", StringComparison.Ordinal) && r.Contains("/frames/", StringComparison.Ordinal)),
                $"no frame of {series} read:\n" + string.Join("\n", dicomweb));
        await viewer.Page.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.NetworkIdle);
        Assert.True(viewer.Failures.Count == 0, "failed requests:\n" + string.Join("\n", viewer.Failures));

        var (instances, factors) = await MiraSuvOfStoredSeriesAsync(study, DemoStudies.Uid("series/pt"));
        // The viewer's own SUVbw factor (calculate-suv, in the page) is Mira's, to double precision.
        var viewerFactor = shown.GetProperty("suvbw").GetDouble();
        Assert.All(factors.Values, f => Assert.True(Math.Abs(f - viewerFactor) <= 1e-9 * f, $"viewer factor {viewerFactor:R}, mira suv {f:R}"));
        var values = shown.GetProperty("values").EnumerateArray().ToList();
        Assert.Equal(Points.Length, values.Count);
        for (var p = 0; p < Points.Length; p++)
        {
            var (x, y, z) = (Points[p][0], Points[p][1], Points[p][2]);
            var instance = instances.Single(d => Math.Abs(d.GetDoubles(DicomTags.ImagePositionPatient)[2] - z) < 1e-3);
            var expected = factors[instance.GetString(DicomTags.SOPInstanceUID)!] * ModalityValue(instance, x, y);
            var actual = values[p].GetProperty("value").GetDouble();
            Assert.True(Math.Abs(actual - expected) <= RelativeTolerance * Math.Abs(expected),
                $"({x}, {y}, {z}) mm: the viewer holds SUV {actual}, mira suv gives {expected:R}\n{report}");
        }
        // A flat or unscaled volume would not pass: the points span hot lesion to lung.
        var suvs = values.Select(v => v.GetProperty("value").GetDouble()).ToList();
        Assert.True(suvs.Max() > 8 && suvs.Min() < 1, report);
    }

    /// <summary>Stored value × Rescale Slope + Rescale Intercept at the pixel whose centre is (x, y) mm.</summary>
    static double ModalityValue(DicomDataset instance, double x, double y)
    {
        var origin = instance.GetDoubles(DicomTags.ImagePositionPatient);
        var spacing = instance.GetDoubles(DicomTags.PixelSpacing); // row spacing (y), column spacing (x); axial, unrotated
        int col = (int)Math.Round((x - origin[0]) / spacing[1]), row = (int)Math.Round((y - origin[1]) / spacing[0]);
        Assert.Equal(x, origin[0] + col * spacing[1], 6);
        Assert.Equal(y, origin[1] + row * spacing[0], 6);
        var columns = instance.GetInt32(DicomTags.Columns)!.Value;
        var stored = BinaryPrimitives.ReadUInt16LittleEndian(instance.Get(DicomTags.PixelData).Bytes.Span[((row * columns + col) * 2)..]);
        return stored * instance.GetDouble(DicomTags.RescaleSlope)!.Value + instance.GetDouble(DicomTags.RescaleIntercept)!.Value;
    }

    /// <summary>The series as stored (WADO-RS, Explicit VR Little Endian), and what <c>mira suv</c> prints for those files.</summary>
    async Task<(List<DicomDataset> Instances, Dictionary<string, double> Factors)> MiraSuvOfStoredSeriesAsync(string study, string series)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study}/series/{series}");
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1"));
        using var response = await server.Server.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var parts = await Dicomweb.ReadParts(response);
        Assert.Equal(DemoStudies.PetSlices, parts.Count);
        var folder = Directory.CreateTempSubdirectory("mira-tmtv-").FullName;
        try
        {
            var instances = new List<DicomDataset>();
            var byPath = new Dictionary<string, string>();
            for (var i = 0; i < parts.Count; i++)
            {
                var path = Path.Combine(folder, $"{i:D3}.dcm");
                await File.WriteAllBytesAsync(path, parts[i]);
                var ds = DicomFile.Read(parts[i]).Dataset;
                instances.Add(ds);
                byPath[path] = ds.GetString(DicomTags.SOPInstanceUID)!;
            }
            var (exit, output, errors) = await RunMiraAsync("suv", folder);
            Assert.True(exit == 0, $"mira suv exited {exit}: {errors}");
            var factors = new Dictionary<string, double>();
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var tab = line.LastIndexOf('\t');
                factors[byPath[line[..tab]]] = double.Parse(line[(tab + 1)..], CultureInfo.InvariantCulture);
            }
            Assert.Equal(parts.Count, factors.Count);
            return (instances, factors);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    static Task<(int Exit, string Output, string Errors)> RunMiraAsync(params string[] args) => MiraCli.RunAsync(args);

    /// <summary>
    /// In the page, once cornerstone's PT volume has loaded: its SUVbw factor and the voxel value at each world point
    /// (world to index through the volume's own geometry).
    /// </summary>
    const string PtVolumeValues = """
        (points) => {
          const cs = window.cornerstone;
          if (!cs || !cs.cache || !cs.cache.getVolumes) return null;
          const pt = cs.cache.getVolumes().find(v => v && v.metadata && v.metadata.Modality === 'PT');
          if (!pt || !pt.loadStatus || !pt.loadStatus.loaded) return null;
          const dims = pt.dimensions;
          const values = points.map(p => {
            const [i, j, k] = cs.utilities.transformWorldToIndex(pt.imageData, p);
            return { index: [i, j, k], value: pt.voxelManager.getAtIndex(i + j * dims[0] + k * dims[0] * dims[1]) };
          });
          return { volumeId: pt.volumeId, suvbw: pt.scaling && pt.scaling.PT ? pt.scaling.PT.suvbw : null, dims, values };
        }
        """;
}
