using Microsoft.Extensions.DependencyInjection;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Mira.Dicom;
using Mira.Storage.Index;

namespace Mira.Server.Dicomweb;

/// <summary>
/// WADO-RS frames and bulk data (PS3.18 §10.4.1.1.4, §10.4.1.1.5): <c>…/instances/{instance}/frames/{list}</c> and
/// <c>…/instances/{instance}/bulkdata/{path}</c> (path scheme: <see cref="BulkDataPath"/>), as
/// <c>multipart/related</c> with one part per frame or value. Uncompressed data is little endian
/// <c>application/octet-stream</c> with transfer syntax Explicit VR Little Endian; compressed frames keep their
/// bytes and carry the media type of their transfer syntax (PS3.18 Table 8.7.3-5), or
/// <c>application/octet-stream; transfer-syntax=&lt;stored&gt;</c> when that (or <c>transfer-syntax=*</c>) is asked.
/// </summary>
public static class WadoBulkDataEndpoints
{
    const string InstancePath = "/studies/{study}/series/{series}/instances/{instance}";

    public static void Map(RouteGroupBuilder g, DicomwebRoutes routes, IEndpointFilter retrieve)
    {
        g.MapGet(InstancePath + "/frames/{frames}", (HttpContext h, [FromServices] ITransferSyntaxConverter c,
            string study, string series, string instance, string frames) => Frames(h, routes.Source(h), c, study, series, instance, frames))
            .AddEndpointFilter(retrieve);
        g.MapGet(InstancePath + "/bulkdata/{**path}", (HttpContext h, [FromServices] ITransferSyntaxConverter c,
            string study, string series, string instance, string path) => BulkData(h, routes.Source(h), c, study, series, instance, path))
            .AddEndpointFilter(retrieve);
    }

    /// <summary>How frames go out: the parts' media type and the transfer syntax of their bytes.</summary>
    public sealed record FrameEncoding(string MediaType, TransferSyntax Syntax);

    static string InstanceUrl(DicomwebSource source, StoredInstance si) =>
        $"{source.BaseUrl}/studies/{si.StudyInstanceUid}/series/{si.SeriesInstanceUid}/instances/{si.SopInstanceUid}";

    static async Task<IResult> Frames(HttpContext http, DicomwebSource source, ITransferSyntaxConverter converter,
        string study, string series, string instance, string frames)
    {
        var numbers = PixelFrames.ParseList(frames, out var error, http.RequestServices.GetRequiredService<ServerOptions>().MaxFrameListEntries);
        if (numbers is null) return Problems.BadRequest(error!);
        var si = (await WadoEndpoints.FindAsync(source.Index, study, series, instance, http.RequestAborted)).FirstOrDefault();
        if (si is null) return Problems.NotFound($"no instance {instance} of series {series} in study {study}");
        if (StoredFrameIndex.For(source.Blobs, si) is { } index
            && Choose(AcceptedMediaType.Parse(http.Request.Headers.Accept), index.Syntax, converter) is { } direct && direct.Syntax.Uid == index.Syntax.Uid)
        {
            // A large tiled object asked for as stored: the tiles are read where they lie (a slide level is not loaded).
            if (numbers.FirstOrDefault(n => n > index.FrameCount) is var outside and > 0)
                return Problems.NotFound($"frame {outside} is out of range: instance {instance} has {index.FrameCount} frame(s)");
            var tiles = await index.ReadAsync(source.Blobs, si.BlobKey, numbers, http.RequestAborted);
            var prefix = InstanceUrl(source, si) + "/frames/";
            var type = $"{direct.MediaType}; transfer-syntax={direct.Syntax.Uid}";
            return new MultipartRelatedResult(direct.MediaType, direct.Syntax.Uid, [.. tiles.Select((d, i) => new BodyPart(type, d, prefix + numbers[i]))]);
        }
        var file = await StoredObjects.ReadAsync(source.Blobs, si, http.RequestAborted);
        var ds = file.Dataset;
        if (PixelFrames.PixelDataOf(ds) is not { } pixels) return Problems.NotFound($"instance {instance} has no Pixel Data, so no frames");
        var count = PixelFrames.FrameCount(ds);
        if (numbers.FirstOrDefault(n => n > count) is var bad and > 0)
            return Problems.NotFound($"frame {bad} is out of range: instance {instance} has {count} frame(s)");
        return FramesResult(http, converter, si, file.TransferSyntax, ds, pixels, numbers, InstanceUrl(source, si) + "/frames/");
    }

    static IResult FramesResult(HttpContext http, ITransferSyntaxConverter converter, StoredInstance si, TransferSyntax fileSyntax,
        DicomDataset ds, DicomElement pixels, IReadOnlyList<int> numbers, string locationPrefix)
    {
        var stored = pixels is DicomFragmentSequence ? fileSyntax : fileSyntax.IsEncapsulated ? TransferSyntax.ExplicitVRLittleEndian : fileSyntax;
        var encoding = Choose(AcceptedMediaType.Parse(http.Request.Headers.Accept), stored, converter);
        if (encoding is null)
            return Problems.Result(StatusCodes.Status406NotAcceptable, "Not Acceptable",
                $"the frames of instance {si.SopInstanceUid} are stored in {stored}; none of the accepted media types can be produced from it "
                + $"(available: {string.Join(", ", Available(stored, converter))})");
        List<byte[]> data;
        try
        {
            if (encoding.Syntax.Uid != stored.Uid && pixels is DicomFragmentSequence && !encoding.Syntax.IsEncapsulated)
                // Compressed frames asked for uncompressed: only the frames asked for are decoded, one at a time, within
                // the decoding limits, not the whole object (a whole-slide image has thousands of tiles).
                data = PixelFrames.Decoded(ds, stored, numbers, http.RequestServices.GetRequiredService<ServerOptions>().DecodeLimits);
            else
            {
                if (encoding.Syntax.Uid != stored.Uid)
                {
                    ds = converter.Convert(ds, stored, encoding.Syntax);
                    pixels = PixelFrames.PixelDataOf(ds) ?? throw new FrameException(StatusCodes.Status500InternalServerError, "the conversion lost the Pixel Data");
                }
                data = pixels is DicomFragmentSequence ? PixelFrames.Encapsulated(ds, numbers) : PixelFrames.Native(ds, pixels, numbers);
            }
        }
        catch (FrameException e)
        {
            return Problems.Result(e.Status, "Frames not available", $"instance {si.SopInstanceUid}: {e.Message}");
        }
        catch (DicomCodecException e)
        {
            return Problems.Result(StatusCodes.Status422UnprocessableEntity, "Frames not available", $"instance {si.SopInstanceUid}: {e.Message}");
        }
        var partType = $"{encoding.MediaType}; transfer-syntax={encoding.Syntax.Uid}";
        var parts = data.Select((d, i) => new BodyPart(partType, d, locationPrefix is null ? null : locationPrefix + numbers[i])).ToList();
        return new MultipartRelatedResult(encoding.MediaType, encoding.Syntax.Uid, parts);
    }

    /// <summary>
    /// Picks the frames' encoding from the Accept ranges, most preferred first (PS3.18 §8.7.3.3, §8.7.8): the first
    /// range that can be served wins; null when none can. Without a transfer-syntax parameter, native frames are
    /// Explicit VR Little Endian and compressed frames keep their syntax under its own media type.
    /// </summary>
    public static FrameEncoding? Choose(IReadOnlyList<AcceptedMediaType> accept, TransferSyntax stored, ITransferSyntaxConverter converter)
    {
        foreach (var range in accept)
            foreach (var c in Candidates(range, stored))
                if (c.Syntax.Uid == stored.Uid || converter.CanConvert(stored, c.Syntax))
                    return c;
        return null;
    }

    static IEnumerable<FrameEncoding> Candidates(AcceptedMediaType range, TransferSyntax stored)
    {
        var ele = TransferSyntax.ExplicitVRLittleEndian;
        var original = stored.IsEncapsulated ? new FrameEncoding(BulkDataMediaTypes.For(stored), stored) : new FrameEncoding(BulkDataMediaTypes.OctetStream, ele);
        if (range.IsWildcard)
        {
            if (range.AnySyntax) yield return original;
            else if (TransferSyntax.Lookup(range.TransferSyntax!) is var ts && (ts.IsEncapsulated || ts.Uid == ele.Uid))
                yield return new FrameEncoding(BulkDataMediaTypes.For(ts), ts);
            yield break;
        }
        if (range.Matches(BulkDataMediaTypes.OctetStream))
        {
            var ts = range.TransferSyntax switch
            {
                null => ele,
                AcceptedMediaType.AnyTransferSyntax => stored.IsEncapsulated ? stored : ele,
                var uid => TransferSyntax.Lookup(uid),
            };
            if (ts.IsEncapsulated || ts.Uid == ele.Uid) yield return new FrameEncoding(BulkDataMediaTypes.OctetStream, ts);
            yield break;
        }
        if (range.AnySyntax)
        {
            if (stored.IsEncapsulated && range.Matches(original.MediaType) && original.MediaType != BulkDataMediaTypes.OctetStream) yield return original;
            else if (BulkDataMediaTypes.DefaultSyntaxOf(range.PartType) is { } d) yield return new FrameEncoding(range.PartType, TransferSyntax.Lookup(d));
        }
        else if (TransferSyntax.Lookup(range.TransferSyntax!) is var ts && BulkDataMediaTypes.For(ts) is var m
                 && m != BulkDataMediaTypes.OctetStream && range.Matches(m))
            yield return new FrameEncoding(m, ts);
    }

    /// <summary>What the frames of an instance stored in <paramref name="stored"/> can be delivered as (for the 406 text).</summary>
    static IEnumerable<string> Available(TransferSyntax stored, ITransferSyntaxConverter converter)
    {
        if (stored.IsEncapsulated)
        {
            if (BulkDataMediaTypes.For(stored) is var m && m != BulkDataMediaTypes.OctetStream) yield return $"{m}; transfer-syntax={stored.Uid}";
            yield return $"{BulkDataMediaTypes.OctetStream}; transfer-syntax={stored.Uid}";
        }
        if (!stored.IsEncapsulated || converter.CanConvert(stored, TransferSyntax.ExplicitVRLittleEndian))
            yield return $"{BulkDataMediaTypes.OctetStream}; transfer-syntax={TransferSyntax.ExplicitVRLittleEndian.Uid}";
    }

    static async Task<IResult> BulkData(HttpContext http, DicomwebSource source, ITransferSyntaxConverter converter,
        string study, string series, string instance, string path)
    {
        var steps = BulkDataPath.Parse(path, out var error);
        if (steps is null) return Problems.BadRequest(error!);
        var si = (await WadoEndpoints.FindAsync(source.Index, study, series, instance, http.RequestAborted)).FirstOrDefault();
        if (si is null) return Problems.NotFound($"no instance {instance} of series {series} in study {study}");
        var file = await StoredObjects.ReadAsync(source.Blobs, si, http.RequestAborted);
        var e = BulkDataPath.Resolve(file.Dataset, steps, out var missing);
        if (e is null) return Problems.NotFound($"instance {instance} has no value at bulk data path {path}: {missing}");
        if (e is DicomSequence) return Problems.BadRequest($"{path} names a sequence; bulk data paths end at a value");
        var location = InstanceUrl(source, si) + "/bulkdata/" + BulkDataPath.Format(steps);

        // Pixel Data of the instance: compressed, one part per frame (PS3.18 §8.7.3.3.2); native, the whole value in
        // Explicit VR Little Endian.
        if (steps.Count == 1 && ReferenceEquals(e, PixelFrames.PixelDataOf(file.Dataset)))
        {
            if (e is DicomFragmentSequence)
            {
                var all = Enumerable.Range(1, PixelFrames.FrameCount(file.Dataset)).ToArray();
                return FramesResult(http, converter, si, file.TransferSyntax, file.Dataset, e, all, InstanceUrl(source, si) + "/frames/");
            }
            if (!file.TransferSyntax.IsLittleEndian)
            {
                var ds = converter.Convert(file.Dataset, file.TransferSyntax, TransferSyntax.ExplicitVRLittleEndian);
                e = ds.Find(e.Tag) ?? e;
            }
        }
        if (!AcceptedMediaType.Parse(http.Request.Headers.Accept).Any(a => a.Matches(BulkDataMediaTypes.OctetStream)
                                                                      && (a.AnySyntax || a.TransferSyntax == TransferSyntax.ExplicitVRLittleEndian.Uid)))
            return Problems.Result(StatusCodes.Status406NotAcceptable, "Not Acceptable",
                $"bulk data {path} of instance {instance} is served as multipart/related; type=\"application/octet-stream\" (little endian)");
        var ele = TransferSyntax.ExplicitVRLittleEndian.Uid;
        return new MultipartRelatedResult(BulkDataMediaTypes.OctetStream, ele,
            [new BodyPart($"{BulkDataMediaTypes.OctetStream}; transfer-syntax={ele}", e.Bytes, location)]);
    }
}
