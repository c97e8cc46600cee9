using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Imaging;
using Mira.Imaging.Volumes;

namespace Mira.Platform.Deployment.Ood;

/// <summary>
/// Reads the <see cref="AcquisitionFeatures"/> of one series from its instances, one at a time and in any order: each
/// instance's attributes update the running minimum and maximum of every parameter and the sets of categorical values;
/// each of its planes is decoded (one frame at a time), converted to modality units with its Rescale Slope and
/// Intercept (PS3.3 §C.11.1.1.2; per frame for enhanced images, §C.7.6.16.2.9) and counted into the histogram; only
/// the plane's position along the slice normal is kept. Memory is the instance being read, one decoded frame, the histogram's bins and one
/// number per plane, whatever the series' size. The result does not depend on the order instances come in.
/// </summary>
public sealed class SeriesFeatureReader(Func<string, HistogramSpec>? specFor = null)
{
    const double PositionTolerance = 0.01; // mm: planes closer than this along the normal share a position (4D series)

    readonly Func<string, HistogramSpec> specFor = specFor ?? HistogramSpec.For;
    readonly Dictionary<string, NumericValue> numeric = new(StringComparer.Ordinal);
    readonly Dictionary<string, SortedSet<string>> categorical = new(StringComparer.Ordinal);
    readonly List<double> distances = [];
    double[]? normal;
    string? series, modality;
    IntensityHistogram? histogram;
    int images, colourImages, withoutGeometry, skipped;

    /// <summary>A reader that bins each modality as <paramref name="profile"/> does (a study is always compared on its profile's bins).</summary>
    public static SeriesFeatureReader For(TrainingProfile profile) =>
        new(m => profile.Modalities.TryGetValue(m, out var p) ? p.HistogramSpec : HistogramSpec.For(m));

    /// <summary>Adds one instance of the series; <paramref name="label"/> names it in errors (a file name, a SOP Instance UID).</summary>
    public void Add(DicomFile file, string label)
    {
        var ds = file.Dataset;
        var uid = ds.GetString(DicomTags.SeriesInstanceUID)?.Trim();
        if (string.IsNullOrEmpty(uid)) throw new OodException($"{label}: no Series Instance UID");
        series ??= uid;
        if (uid != series) throw new OodException($"{label}: belongs to series {uid}, not to {series}: features are read one series at a time");
        if (!ds.Contains(DicomTags.PixelData) && !ds.Contains(DicomTags.FloatPixelData) && !ds.Contains(DicomTags.DoubleFloatPixelData))
        {
            skipped++; // a presentation state, a report, a segmentation's companion: no image
            return;
        }
        var m = ds.GetString(DicomTags.Modality)?.Trim();
        if (string.IsNullOrEmpty(m)) throw new OodException($"{label}: no Modality");
        modality ??= m;
        if (m != modality) throw new OodException($"{label}: modality {m} in a series of modality {modality}");
        if (histogram is null)
        {
            var spec = specFor(modality);
            spec.Validate($"the histogram of modality {modality}");
            histogram = new IntensityHistogram(spec);
        }
        images++;
        ReadAttributes(ds);
        PixelData pixels;
        try { pixels = PixelData.Open(file); }
        catch (MiraException e) { throw new OodException($"{label}: {e.Message}", e); }
        List<DicomSlice> planes;
        try { planes = [.. DicomSlices.FromDataset(label, ds)]; }
        catch (ImagingException)
        {
            withoutGeometry++;
            planes = [];
        }
        if (planes.Count == 0)
        {
            Widen(OodParameters.Rows, ds.GetDouble(DicomTags.Rows));
            Widen(OodParameters.Columns, ds.GetDouble(DicomTags.Columns));
        }
        foreach (var p in planes)
        {
            Widen(OodParameters.Rows, p.Rows); // a mosaic's tile, not the mosaic
            Widen(OodParameters.Columns, p.Columns);
            Widen(OodParameters.VoxelSizeX, p.PixelSpacing[1]);
            Widen(OodParameters.VoxelSizeY, p.PixelSpacing[0]);
            Widen(OodParameters.SliceThickness, p.SliceThickness);
            Widen(OodParameters.EchoTime, p.EchoTime);
            Widen(OodParameters.RepetitionTime, p.RepetitionTime);
            normal ??= p.Normal;
            distances.Add(p.Position[0] * normal[0] + p.Position[1] * normal[1] + p.Position[2] * normal[2]);
        }
        CountPixels(pixels, planes, ds, label);
    }

    void ReadAttributes(DicomDataset ds)
    {
        Widen(OodParameters.Kvp, ds.GetDouble(DicomTags.KVP));
        Widen(OodParameters.SliceThickness, ds.GetDouble(DicomTags.SliceThickness));
        Widen(OodParameters.MagneticFieldStrength, ds.GetDouble(DicomTags.MagneticFieldStrength));
        Widen(OodParameters.RepetitionTime, ds.GetDouble(DicomTags.RepetitionTime));
        Widen(OodParameters.EchoTime, ds.GetDouble(DicomTags.EchoTime));
        Collect(OodParameters.Manufacturer, ds.GetString(DicomTags.Manufacturer));
        Collect(OodParameters.ManufacturerModelName, ds.GetString(DicomTags.ManufacturerModelName));
        var kernel = string.Join('\\', ds.GetStrings(DicomTags.ConvolutionKernel).Select(s => s.Trim()).Where(s => s.Length > 0));
        Collect(OodParameters.ConvolutionKernel, kernel);
    }

    void Widen(string name, double? value)
    {
        if (value is not { } v || !double.IsFinite(v)) return;
        numeric[name] = numeric.TryGetValue(name, out var old) ? new NumericValue(Math.Min(old.Min, v), Math.Max(old.Max, v)) : NumericValue.Of(v);
    }

    void Collect(string name, string? value)
    {
        if (value?.Trim() is not { Length: > 0 } v) return;
        if (!categorical.TryGetValue(name, out var set)) categorical[name] = set = new SortedSet<string>(StringComparer.Ordinal);
        set.Add(v);
    }

    /// <summary>Counts every plane's values; an image without plane geometry counts all its frames with the data set's rescale.</summary>
    void CountPixels(PixelData pixels, List<DicomSlice> planes, DicomDataset ds, string label)
    {
        if (pixels.Format.SamplesPerPixel != 1 || pixels.Format.BitsAllocated == 1)
        {
            colourImages++;
            return;
        }
        var slope = ds.GetDouble(DicomTags.RescaleSlope) ?? 1;
        var intercept = ds.GetDouble(DicomTags.RescaleIntercept) ?? 0;
        var byFrame = planes.Count > 0
            ? planes.GroupBy(p => p.Frame).OrderBy(g => g.Key).Select(g => (Frame: g.Key, Planes: g.ToList()))
            : Enumerable.Range(0, pixels.FrameCount).Select(f => (Frame: f, Planes: new List<DicomSlice>()));
        foreach (var (frame, inFrame) in byFrame)
        {
            byte[] bytes;
            PixelFormat format;
            try { bytes = pixels.DecodeFrame(frame, out format); }
            catch (MiraException e) { throw new OodException($"{label} frame {frame + 1}: {e.Message}", e); }
            if (inFrame.Count == 0) ModalityValues.Count(bytes, format, 0, 0, format.Rows, format.Columns, slope, intercept, histogram!);
            foreach (var p in inFrame)
            {
                var (x0, y0) = p.MosaicTile >= 0 ? (p.MosaicTile % p.MosaicColumns * p.Columns, p.MosaicTile / p.MosaicColumns * p.Rows) : (0, 0);
                ModalityValues.Count(bytes, format, x0, y0, p.Rows, p.Columns, p.RescaleSlope, p.RescaleIntercept, histogram!);
            }
        }
    }

    /// <summary>The features of the instances added; throws when none of them was an image.</summary>
    public AcquisitionFeatures Finish()
    {
        if (images == 0 || series is null || modality is null || histogram is null)
            throw new OodException($"series {series ?? "(none)"}: no image instances to read features from");
        var result = new SortedDictionary<string, NumericValue>(numeric, StringComparer.Ordinal);
        var positions = Positions();
        if (positions.Count > 0)
        {
            result[OodParameters.Slices] = NumericValue.Of(positions.Count);
            var gaps = positions.Zip(positions.Skip(1), (a, b) => b - a).Order().ToList();
            double? step = gaps.Count > 0 ? gaps[gaps.Count / 2] : numeric.GetValueOrDefault(OodParameters.SliceThickness)?.Min;
            if (step is > 0) result[OodParameters.VoxelSizeZ] = NumericValue.Of(step.Value);
            if (step is > 0) result[OodParameters.ExtentZ] = NumericValue.Of(positions[^1] - positions[0] + step.Value);
        }
        if (numeric.TryGetValue(OodParameters.Columns, out var cols) && numeric.TryGetValue(OodParameters.VoxelSizeX, out var vx))
            result[OodParameters.ExtentX] = new NumericValue(cols.Min * vx.Min, cols.Max * vx.Max);
        if (numeric.TryGetValue(OodParameters.Rows, out var rows) && numeric.TryGetValue(OodParameters.VoxelSizeY, out var vy))
            result[OodParameters.ExtentY] = new NumericValue(rows.Min * vy.Min, rows.Max * vy.Max);
        var allNotes = new List<string>();
        if (skipped > 0) allNotes.Add($"{skipped} instance(s) without pixel data not read");
        if (withoutGeometry > 0) allNotes.Add($"{withoutGeometry} image(s) without plane geometry (Image Position/Orientation, Pixel Spacing): no geometry from them");
        if (colourImages > 0) allNotes.Add($"{colourImages} colour or bit-packed image(s): no modality units, not in the histogram");
        IReadOnlyList<double>? normalised = histogram.Total > 0 ? histogram.Normalised($"series {series}") : null;
        return new AcquisitionFeatures(series, modality, images, result,
            new SortedDictionary<string, IReadOnlyList<string>>(categorical.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value]), StringComparer.Ordinal),
            histogram.Spec, normalised, histogram.Total, allNotes);
    }

    /// <summary>The distinct plane positions along the normal, ascending (planes within 0.01 mm share one).</summary>
    List<double> Positions()
    {
        var sorted = distances.Order().ToList();
        var distinct = new List<double>();
        foreach (var d in sorted)
            if (distinct.Count == 0 || d - distinct[^1] > PositionTolerance) distinct.Add(d);
        return distinct;
    }

    /// <summary>The features of the DICOM files of a folder (recursively, in name order; files that are not DICOM are skipped), one series.</summary>
    public static AcquisitionFeatures ReadFolder(string folder, Func<string, HistogramSpec>? specFor = null)
    {
        if (!Directory.Exists(folder)) throw new OodException($"{folder}: no such folder");
        var reader = new SeriesFeatureReader(specFor);
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            DicomFile file;
            try { file = DicomFile.Open(path, DicomReadOptions.Untrusted); }
            catch (Exception e) when (e is MiraException or IOException or InvalidDataException) { continue; }
            reader.Add(file, Path.GetFileName(path));
        }
        return reader.Finish();
    }
}
