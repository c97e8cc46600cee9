using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Server.Tests;

/// <summary>Client-side DICOMweb helpers for the tests: multipart bodies, part reading, synthetic instances.</summary>
public static class Dicomweb
{
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    public static byte[] Make(string study, string series, string? sop, Action<DicomDataset>? configure = null)
    {
        var ds = new DicomDataset();
        ds.Set(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        ds.Set(DicomTags.SOPClassUID, CtImageStorage);
        if (sop is not null) ds.Set(DicomTags.SOPInstanceUID, sop);
        ds.Set(DicomTags.Modality, "CT");
        ds.Set(DicomTags.PatientName, "Doe^Jane");
        ds.Set(DicomTags.PatientID, "P-" + study[^4..]);
        ds.Set(DicomTags.StudyInstanceUID, study);
        ds.Set(DicomTags.SeriesInstanceUID, series);
        ds.Set(DicomTags.StudyDate, "20240115");
        ds.Set(DicomTags.SeriesNumber, "1");
        ds.Set(DicomTags.InstanceNumber, "1");
        configure?.Invoke(ds);
        // Without a SOP Instance UID in the data set, the file meta still needs one (the data set lacks it).
        var meta = sop is null ? new DicomDataset().Set(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, Uid()) : null;
        return DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian, meta);
    }

    public static string Uid() => "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);

    public static MultipartContent Multipart(params byte[][] parts)
    {
        var content = new MultipartContent("related", "test-boundary-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var p in parts)
        {
            var part = new ByteArrayContent(p);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            content.Add(part);
        }
        return content;
    }

    public static Task<HttpResponseMessage> Stow(HttpClient client, string path, params byte[][] parts) =>
        client.PostAsync(path, Multipart(parts));

    public static async Task<List<byte[]>> ReadParts(HttpResponseMessage response)
    {
        var type = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.Parse(response.Content.Headers.ContentType!.ToString());
        Assert.Equal("multipart/related", type.MediaType.Value);
        var reader = new MultipartReader(Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(type.Boundary).Value!, await response.Content.ReadAsStreamAsync());
        var parts = new List<byte[]>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            Assert.StartsWith("application/dicom", section.ContentType);
            using var ms = new MemoryStream();
            await section.Body.CopyToAsync(ms);
            parts.Add(ms.ToArray());
        }
        return parts;
    }

    public static async Task<JsonNode> Json(HttpResponseMessage response)
    {
        Assert.Equal("application/dicom+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>The first value of a tag in a DICOM JSON object.</summary>
    public static string? Value(JsonNode? item, string tag) => item?[tag]?["Value"]?[0]?.ToString();
}

/// <summary>A body part of a multipart/related response, as the tests read it.</summary>
public sealed record ReceivedPart(string ContentType, string? Location, byte[] Content);

public static class MultipartReading
{
    /// <summary>The response's Content-Type and every part with its headers (any part media type).</summary>
    public static async Task<(Microsoft.Net.Http.Headers.MediaTypeHeaderValue Type, List<ReceivedPart> Parts)> ReadAll(HttpResponseMessage response)
    {
        var type = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.Parse(response.Content.Headers.ContentType!.ToString());
        Assert.Equal("multipart/related", type.MediaType.Value);
        var reader = new MultipartReader(Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(type.Boundary).Value!, await response.Content.ReadAsStreamAsync());
        var parts = new List<ReceivedPart>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            using var ms = new MemoryStream();
            await section.Body.CopyToAsync(ms);
            section.Headers!.TryGetValue("Content-Location", out var location);
            parts.Add(new ReceivedPart(section.ContentType!, location.Count > 0 ? location.ToString() : null, ms.ToArray()));
        }
        return (type, parts);
    }

    /// <summary>A parameter of a media type header, unquoted.</summary>
    public static string? Parameter(Microsoft.Net.Http.Headers.MediaTypeHeaderValue type, string name) =>
        type.Parameters.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } p
            ? Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(p.Value).Value : null;
}
