using System.Buffers.Binary;
using System.Text;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Imaging.Volumes;

/// <summary>
/// Extracts <see cref="DicomSlice"/>s from DICOM instances: classic single-frame images (Image Plane module,
/// PS3.3 §C.7.6.2), enhanced multi-frame images (Plane Position / Plane Orientation / Pixel Measures / Pixel Value
/// Transformation functional groups, per-frame or shared, §C.7.6.16) and Siemens mosaics (one slice per tile).
/// </summary>
public static class DicomSlices
{
    /// <summary>
    /// All slices in a folder (recursively) or a file. Files that are not DICOM, or DICOM without image geometry
    /// (reports, DICOMDIR, projection images), are listed in <paramref name="skipped"/> with the reason.
    /// </summary>
    public static List<DicomSlice> Scan(string path, List<string>? skipped = null)
    {
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : File.Exists(path) ? [path] : throw new ImagingException($"{path}: no such file or folder");
        var slices = new List<DicomSlice>();
        foreach (var f in files)
        {
            DicomFile file;
            try { file = DicomFile.Open(f, new DicomReadOptions { StopBeforePixelData = true }); }
            catch (Exception e) when (e is MiraException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                skipped?.Add($"{f}: not DICOM ({e.Message})");
                continue;
            }
            try { slices.AddRange(FromDataset(f, file.Dataset)); }
            catch (ImagingException e) { skipped?.Add($"{f}: {e.Message}"); }
        }
        return slices;
    }

    /// <summary>The slices of one instance; throws <see cref="ImagingException"/> when it has no usable plane geometry.</summary>
    public static IEnumerable<DicomSlice> FromDataset(string path, DicomDataset ds)
    {
        var series = DatasetValues.String(ds, DicomTags.SeriesInstanceUID) ?? throw new ImagingException("no Series Instance UID");
        var rows = DatasetValues.Int(ds, DicomTags.Rows) ?? throw new ImagingException("no Rows (not an image)");
        var cols = DatasetValues.Int(ds, DicomTags.Columns) ?? throw new ImagingException("no Columns (not an image)");
        var frames = DatasetValues.Int(ds, DicomTags.NumberOfFrames) ?? 1;
        var perFrame = ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence);
        var shared = DatasetValues.Item(ds, DicomTags.SharedFunctionalGroupsSequence);
        if (perFrame is not null || shared is not null)
            return Enhanced(path, ds, series, rows, cols, frames, perFrame, shared);
        if (frames > 1) throw new ImagingException($"{frames} frames without per-frame functional groups: no per-frame geometry");
        var pos = DatasetValues.Doubles(ds, DicomTags.ImagePositionPatient);
        var ori = DatasetValues.Doubles(ds, DicomTags.ImageOrientationPatient);
        var spacing = DatasetValues.Doubles(ds, DicomTags.PixelSpacing);
        if (pos is not { Length: 3 } || ori is not { Length: 6 } || spacing is not { Length: 2 })
            throw new ImagingException("no Image Position/Orientation (Patient) or Pixel Spacing");
        var slice = Classic(path, ds, series, rows, cols, pos, ori, spacing);
        return IsMosaic(ds) ? Mosaic(ds, slice) : [slice];
    }

    static DicomSlice Classic(string path, DicomDataset ds, string series, int rows, int cols, double[] pos, double[] ori, double[] spacing) => new()
    {
        Path = path,
        SeriesInstanceUid = series,
        SopInstanceUid = DatasetValues.String(ds, DicomTags.SOPInstanceUID),
        FrameOfReferenceUid = DatasetValues.String(ds, DicomTags.FrameOfReferenceUID),
        SeriesNumber = DatasetValues.Int(ds, DicomTags.SeriesNumber),
        SeriesDescription = DatasetValues.String(ds, DicomTags.SeriesDescription),
        InstanceNumber = DatasetValues.Int(ds, DicomTags.InstanceNumber),
        Position = pos,
        Orientation = ori,
        PixelSpacing = spacing,
        Rows = rows,
        Columns = cols,
        SliceThickness = DatasetValues.Double(ds, DicomTags.SliceThickness),
        SpacingBetweenSlices = DatasetValues.Double(ds, DicomTags.SpacingBetweenSlices),
        RescaleSlope = DatasetValues.Double(ds, DicomTags.RescaleSlope) ?? 1,
        RescaleIntercept = DatasetValues.Double(ds, DicomTags.RescaleIntercept) ?? 0,
        EchoNumber = DatasetValues.Int(ds, DicomTags.EchoNumbers),
        EchoTime = DatasetValues.Double(ds, DicomTags.EchoTime),
        TemporalPosition = DatasetValues.Double(ds, DicomTags.TemporalPositionIdentifier),
        TriggerTime = DatasetValues.Double(ds, DicomTags.TriggerTime),
        AcquisitionNumber = DatasetValues.Int(ds, DicomTags.AcquisitionNumber),
        DiffusionBValue = DatasetValues.Double(ds, DicomTags.DiffusionBValue),
        RepetitionTime = DatasetValues.Double(ds, DicomTags.RepetitionTime),
    };

    static IEnumerable<DicomSlice> Enhanced(string path, DicomDataset ds, string series, int rows, int cols, int frames, DicomSequence? perFrame, DicomDataset? shared)
    {
        if (perFrame is not null && perFrame.Items.Count != frames)
            throw new ImagingException($"Per-frame Functional Groups Sequence has {perFrame.Items.Count} items for {frames} frames");
        var list = new List<DicomSlice>(frames);
        for (var f = 0; f < frames; f++)
        {
            var item = perFrame?.Items[f];
            // A functional group macro is taken from the frame's item, else from the shared item (§C.7.6.16).
            DicomDataset? Group(DicomTag seq) => DatasetValues.Item(item, seq) ?? DatasetValues.Item(shared, seq);
            var plane = Group(DicomTags.PlanePositionSequence);
            var orient = Group(DicomTags.PlaneOrientationSequence);
            var measures = Group(DicomTags.PixelMeasuresSequence);
            var transform = Group(DicomTags.PixelValueTransformationSequence);
            var content = Group(DicomTags.FrameContentSequence);
            var echo = Group(DicomTags.MREchoSequence);
            var diffusion = Group(DicomTags.MRDiffusionSequence);
            var timing = Group(DicomTags.MRTimingAndRelatedParametersSequence);
            var pos = DatasetValues.Doubles(plane, DicomTags.ImagePositionPatient);
            var ori = DatasetValues.Doubles(orient, DicomTags.ImageOrientationPatient);
            var spacing = DatasetValues.Doubles(measures, DicomTags.PixelSpacing);
            if (pos is not { Length: 3 } || ori is not { Length: 6 } || spacing is not { Length: 2 })
                throw new ImagingException($"frame {f + 1}: no Plane Position, Plane Orientation or Pixel Measures functional group");
            list.Add(new DicomSlice
            {
                Path = path,
                Frame = f,
                SeriesInstanceUid = series,
                SopInstanceUid = DatasetValues.String(ds, DicomTags.SOPInstanceUID) + "#" + (f + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                FrameOfReferenceUid = DatasetValues.String(ds, DicomTags.FrameOfReferenceUID),
                SeriesNumber = DatasetValues.Int(ds, DicomTags.SeriesNumber),
                SeriesDescription = DatasetValues.String(ds, DicomTags.SeriesDescription),
                InstanceNumber = DatasetValues.Int(ds, DicomTags.InstanceNumber),
                Position = pos,
                Orientation = ori,
                PixelSpacing = spacing,
                Rows = rows,
                Columns = cols,
                SliceThickness = DatasetValues.Double(measures, DicomTags.SliceThickness),
                SpacingBetweenSlices = DatasetValues.Double(measures, DicomTags.SpacingBetweenSlices) ?? DatasetValues.Double(ds, DicomTags.SpacingBetweenSlices),
                RescaleSlope = DatasetValues.Double(transform, DicomTags.RescaleSlope) ?? DatasetValues.Double(ds, DicomTags.RescaleSlope) ?? 1,
                RescaleIntercept = DatasetValues.Double(transform, DicomTags.RescaleIntercept) ?? DatasetValues.Double(ds, DicomTags.RescaleIntercept) ?? 0,
                EchoTime = DatasetValues.Double(echo, DicomTags.EffectiveEchoTime),
                TemporalPosition = DatasetValues.Double(content, DicomTags.TemporalPositionIndex),
                TriggerTime = DatasetValues.Double(Group(DicomTags.CardiacSynchronizationSequence), DicomTags.NominalCardiacTriggerDelayTime),
                DiffusionBValue = DatasetValues.Double(diffusion, DicomTags.DiffusionBValue),
                RepetitionTime = DatasetValues.Double(timing, DicomTags.RepetitionTime),
            });
        }
        return list;
    }

    // ---------------------------------------------------------------- Siemens mosaic

    static bool IsMosaic(DicomDataset ds) =>
        ds.GetStrings(DicomTags.ImageType).Any(s => s.Trim().Equals("MOSAIC", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The tiles of a Siemens mosaic as slices. The number of images comes from (0019,xx0A) NumberOfImagesInMosaic
    /// ("SIEMENS MR HEADER") or the CSA image header; the tile grid is ⌈√n⌉ square. Image Position (Patient) of a
    /// mosaic is the corner of the whole mosaic, so the first tile's position is shifted by half the difference
    /// between mosaic and tile sizes along the rows and columns. Tiles follow the slice normal in the direction of
    /// the CSA SliceNormalVector (the row × column normal when the CSA header lacks it), at Spacing Between Slices
    /// (else Slice Thickness).
    /// </summary>
    static IEnumerable<DicomSlice> Mosaic(DicomDataset ds, DicomSlice whole)
    {
        var csa = ReadCsa(ds);
        var n = (ds.FindPrivateTag("SIEMENS MR HEADER", 0x0019, 0x0A) is { } t ? DatasetValues.Int(ds, t) : null)
                ?? (csa.TryGetValue("NumberOfImagesInMosaic", out var nm) && nm.Length > 0 ? (int)nm[0] : (int?)null)
                ?? throw new ImagingException("Siemens mosaic without NumberOfImagesInMosaic");
        if (n < 1) throw new ImagingException($"Siemens mosaic with NumberOfImagesInMosaic {n}");
        var grid = (int)Math.Ceiling(Math.Sqrt(n));
        if (whole.Rows % grid != 0 || whole.Columns % grid != 0)
            throw new ImagingException($"mosaic {whole.Columns}×{whole.Rows} does not divide into a {grid}×{grid} grid of {n} images");
        var rows = whole.Rows / grid;
        var cols = whole.Columns / grid;
        var r = whole.Orientation.AsSpan(0, 3);
        var c = whole.Orientation.AsSpan(3, 3);
        var normal = whole.Normal;
        if (csa.TryGetValue("SliceNormalVector", out var snv) && snv.Length == 3 && DicomSlice.Dot(normal, snv) < 0)
            for (var i = 0; i < 3; i++) normal[i] = -normal[i];
        var step = whole.SpacingBetweenSlices ?? whole.SliceThickness ?? 1;
        var first = new double[3];
        for (var i = 0; i < 3; i++)
            first[i] = whole.Position[i] + r[i] * whole.PixelSpacing[1] * (whole.Columns - cols) / 2.0 + c[i] * whole.PixelSpacing[0] * (whole.Rows - rows) / 2.0;
        for (var k = 0; k < n; k++)
        {
            var p = new double[3];
            for (var i = 0; i < 3; i++) p[i] = first[i] + normal[i] * step * k;
            yield return new DicomSlice
            {
                Path = whole.Path,
                MosaicTile = k,
                MosaicColumns = grid,
                SeriesInstanceUid = whole.SeriesInstanceUid,
                SopInstanceUid = whole.SopInstanceUid + "#tile" + k.ToString(System.Globalization.CultureInfo.InvariantCulture),
                FrameOfReferenceUid = whole.FrameOfReferenceUid,
                SeriesNumber = whole.SeriesNumber,
                SeriesDescription = whole.SeriesDescription,
                InstanceNumber = whole.InstanceNumber,
                Position = p,
                Orientation = whole.Orientation,
                PixelSpacing = whole.PixelSpacing,
                Rows = rows,
                Columns = cols,
                SliceThickness = whole.SliceThickness,
                SpacingBetweenSlices = whole.SpacingBetweenSlices,
                RescaleSlope = whole.RescaleSlope,
                RescaleIntercept = whole.RescaleIntercept,
                EchoNumber = whole.EchoNumber,
                EchoTime = whole.EchoTime,
                TemporalPosition = whole.TemporalPosition,
                TriggerTime = whole.TriggerTime,
                // Each mosaic is one time point: its acquisition number orders mosaics of a series.
                AcquisitionNumber = whole.AcquisitionNumber ?? whole.InstanceNumber,
                DiffusionBValue = whole.DiffusionBValue,
                RepetitionTime = whole.RepetitionTime,
            };
        }
    }

    /// <summary>
    /// The numeric elements of a Siemens CSA image header ((0029,xx10) "SIEMENS CSA HEADER", "SV10" layout: a tag
    /// count, then per tag a 64-byte name, VM, VR, SyngoDT, item count and items of (4 ints, padded text)).
    /// Unparseable headers give an empty map.
    /// </summary>
    internal static Dictionary<string, double[]> ReadCsa(DicomDataset ds)
    {
        var map = new Dictionary<string, double[]>(StringComparer.Ordinal);
        if (ds.FindPrivateTag("SIEMENS CSA HEADER", 0x0029, 0x10) is not { } tag || ds.Find(tag) is not { } e) return map;
        var b = e.Bytes.Span;
        try
        {
            if (b.Length < 16 || b[0] != 'S' || b[1] != 'V' || b[2] != '1' || b[3] != '0') return map;
            var count = BinaryPrimitives.ReadInt32LittleEndian(b[8..]);
            var pos = 16;
            for (var t = 0; t < count && t < 1000; t++)
            {
                var nameBytes = b.Slice(pos, 64);
                var z = nameBytes.IndexOf((byte)0);
                var name = Encoding.ASCII.GetString(z >= 0 ? nameBytes[..z] : nameBytes);
                var items = BinaryPrimitives.ReadInt32LittleEndian(b[(pos + 76)..]);
                pos += 84;
                var values = new List<double>();
                for (var i = 0; i < items && i < 10000; i++)
                {
                    var len = BinaryPrimitives.ReadInt32LittleEndian(b[(pos + 4)..]);
                    pos += 16;
                    if (len < 0 || pos + len > b.Length) return map;
                    var text = Encoding.ASCII.GetString(b.Slice(pos, len)).TrimEnd('\0', ' ');
                    if (text.Length > 0 && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)) values.Add(v);
                    pos += (len + 3) / 4 * 4;
                }
                if (values.Count > 0) map[name] = [.. values];
            }
        }
        catch (ArgumentOutOfRangeException) { }
        return map;
    }
}
