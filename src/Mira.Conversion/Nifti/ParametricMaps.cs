using System.Globalization;
using Mira.Dicom;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Conversion.Nifti;

/// <summary>
/// Float voxels (and 32/64-bit integers beyond 16 bits, as doubles) as one Parametric Map instance (PS3.3 §A.75):
/// Float Pixel Data (32-bit) or Double Float Pixel Data (64-bit), which keep every value; one frame per slice and time
/// point, placed by Plane Position (Patient) per frame and Plane Orientation / Pixel Measures shared; time points by
/// Temporal Position Index. scl_slope/scl_inter become the Real World Value Mapping (§C.7.6.16.2.11), the stored
/// values stay as they are.
/// </summary>
internal static class ParametricMaps
{
    public static ConvertedInstance Create(ConvertedSeries series, VoxelEncoding encoding, byte[] voxels)
    {
        var src = series.Source;
        var h = src.Header;
        var frames = src.Nz * src.Nt;
        var ds = series.Header(DicomUids.ParametricMapStorage, series.Uids.Instance(series.SeriesUid, 1), 1);
        ds.Set(DicomTags.ImageType, "DERIVED", "PRIMARY", "OTHER", "NONE");
        if (series.Request.Subject["Laterality"] is null) ds.Remove(DicomTags.Laterality); // Frame Laterality says it (§C.7.6.16.2.8)
        var written = File.GetLastWriteTimeUtc(src.Path);
        ds.Set(DicomTags.ContentDate, written.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.ContentTime, written.ToString("HHmmss", CultureInfo.InvariantCulture));
        ds.Set(DicomTags.BurnedInAnnotation, "NO");
        ds.Set(DicomTags.RecognizableVisualFeatures, "YES"); // a head volume may show a face: assume it does
        ds.Set(DicomTags.ContentQualification, "RESEARCH");
        ds.Set(DicomTags.LossyImageCompression, "00");
        ds.Set(DicomTags.PresentationLUTShape, "IDENTITY");
        ds.Set(DicomTags.ContentLabel, "NIFTI");
        ds.Set(DicomTags.ContentDescription, src.Description);
        ds.Set(DicomTags.ContentCreatorName, []);
        ds.Set(DicomTags.NumberOfFrames, Is(frames));
        ds.Set(Sequence(DicomTags.AcquisitionContextSequence));
        var bits = encoding.Kind == PixelKind.Float32 ? 32 : 64;
        ConvertedSeries.Pixels(ds, src.Ny, src.Nx, bits, signed: false, withBitsStored: false);
        var organization = series.Uids.Series("nifti-dimension-organization");
        var dimensions = new List<(DicomTag, DicomTag, string)> { (DicomTags.ImagePositionPatient, DicomTags.PlanePositionSequence, "slice") };
        if (src.Nt > 1) dimensions.Add((DicomTags.TemporalPositionIndex, DicomTags.FrameContentSequence, "time point"));
        MultiFrame.Dimensions(ds, organization, [.. dimensions]);

        var slope = h.HasScaling ? h.SclSlope : 1;
        var intercept = h.HasScaling && double.IsFinite(h.SclInter) ? h.SclInter : 0;
        var (min, max) = Range(h.DataType, voxels);
        var mapping = new DicomDataset()
            .Set(DicomTags.LUTExplanation, "NIfTI voxel values" + (h.HasScaling ? " (scl_slope, scl_inter)" : ""))
            .Set(Sequence(DicomTags.MeasurementUnitsCodeSequence, DicomAttributes.Code("1", "UCUM", "no units")))
            .Set(FD(DicomTags.DoubleFloatRealWorldValueLastValueMapped, max))
            .Set(FD(DicomTags.DoubleFloatRealWorldValueFirstValueMapped, min))
            .Set(DicomTags.LUTLabel, "NIFTI")
            .Set(FD(DicomTags.RealWorldValueIntercept, intercept))
            .Set(FD(DicomTags.RealWorldValueSlope, slope));
        var shared = new DicomDataset()
            .Set(Sequence(DicomTags.PixelMeasuresSequence, MultiFrame.PixelMeasures(src.Planes)))
            .Set(Sequence(DicomTags.PlaneOrientationSequence, MultiFrame.PlaneOrientation(src.Planes)))
            .Set(Sequence(DicomTags.RealWorldValueMappingSequence, mapping))
            .Set(Sequence(DicomTags.ParametricMapFrameTypeSequence, new DicomDataset().Set(DicomTags.FrameType, "DERIVED", "PRIMARY", "OTHER", "NONE")))
            .Set(Sequence(DicomTags.PixelValueTransformationSequence, new DicomDataset()
                .Set(DicomTags.RescaleIntercept, "0").Set(DicomTags.RescaleSlope, "1").Set(DicomTags.RescaleType, "US")))
            .Set(Sequence(DicomTags.FrameAnatomySequence, new DicomDataset()
                .Set(Sequence(DicomTags.AnatomicRegionSequence, DicomAttributes.Code("38266002", "SCT", "Entire body")))
                .Set(DicomTags.FrameLaterality, "U")));
        ds.Set(Sequence(DicomTags.SharedFunctionalGroupsSequence, shared));
        var perFrame = new DicomDataset[frames];
        for (var t = 0; t < src.Nt; t++)
            for (var k = 0; k < src.Nz; k++)
            {
                var content = src.Nt > 1 ? MultiFrame.FrameContent((uint)k + 1, (uint)t + 1).Set(US(DicomTags.TemporalPositionIndex, (ushort)(t + 1)))
                    : MultiFrame.FrameContent((uint)k + 1);
                perFrame[t * src.Nz + k] = new DicomDataset()
                    .Set(Sequence(DicomTags.FrameContentSequence, content))
                    .Set(Sequence(DicomTags.PlanePositionSequence, MultiFrame.PlanePosition(src.Planes, k)));
            }
        ds.Set(Sequence(DicomTags.PerFrameFunctionalGroupsSequence, perFrame));

        var storedSize = Imaging.Nifti.NiftiHeader.BitsOf(h.DataType) / 8;
        var count = voxels.LongLength / storedSize;
        var length = count * encoding.BytesPerPixel;
        var pixels = new NativePixels(length, (s, ct) =>
        {
            var plane = src.Nx * src.Ny;
            var buffer = new byte[plane * encoding.BytesPerPixel];
            for (long f = 0; f < frames; f++)
            {
                ct.ThrowIfCancellationRequested();
                encoding.Encode(h.DataType, voxels.AsSpan(checked((int)(f * plane * storedSize)), plane * storedSize), buffer, plane);
                s.Write(buffer);
            }
        }, floatPixels: encoding.Kind == PixelKind.Float32, doubleFloatPixels: encoding.Kind == PixelKind.Float64);
        return new ConvertedInstance(ds, TransferSyntax.ExplicitVRLittleEndian, pixels,
            string.Create(CultureInfo.InvariantCulture, $"parametric map, {frames} frames of {src.Nx} x {src.Ny}, {bits}-bit float"));
    }

    /// <summary>The smallest and largest finite stored value (0, 0 when there is none).</summary>
    static (double Min, double Max) Range(Imaging.Nifti.NiftiDataType type, byte[] voxels)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        var size = Imaging.Nifti.NiftiHeader.BitsOf(type) / 8;
        for (var o = 0; o + size <= voxels.Length; o += size)
        {
            var v = VoxelEncoding.Value(type, voxels.AsSpan(o, size));
            if (!double.IsFinite(v)) continue;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return min <= max ? (min, max) : (0, 0);
    }
}
