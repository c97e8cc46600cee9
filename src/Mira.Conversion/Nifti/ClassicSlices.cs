using System.Globalization;
using Mira.Dicom;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Conversion.Nifti;

/// <summary>
/// Integer voxels as MR Image Storage or CT Image Storage (PS3.3 §A.4, §A.3), one instance per slice and time point,
/// 16-bit pixels: Image Plane from the NIfTI affine, scl_slope/scl_inter as Rescale Slope/Intercept (CT always
/// carries them, §C.8.2.1), time points told apart by Temporal Position Identifier (MR, §C.8.3.1) or Acquisition
/// Number (CT), the order <c>DicomVolumeBuilder</c> stacks them in.
/// </summary>
internal static class ClassicSlices
{
    public static IEnumerable<ConvertedInstance> Create(ConvertedSeries series, VoxelEncoding encoding, byte[] voxels, CancellationToken ct)
    {
        var src = series.Source;
        var h = src.Header;
        var plane = src.Nx * src.Ny;
        var storedSize = Imaging.Nifti.NiftiHeader.BitsOf(h.DataType) / 8;
        var sopClass = series.Modality == "CT" ? DicomUids.CTImageStorage : DicomUids.MRImageStorage;
        for (var t = 0; t < src.Nt; t++)
            for (var k = 0; k < src.Nz; k++)
            {
                ct.ThrowIfCancellationRequested();
                var number = t * src.Nz + k + 1;
                var ds = series.Header(sopClass, series.Uids.Instance(series.SeriesUid, number), number);
                ds.Set(DicomTags.ImageType, series.Modality == "CT" ? ["DERIVED", "SECONDARY", "AXIAL"] : ["DERIVED", "SECONDARY", "OTHER"]);
                ds.Set(DicomTags.PatientOrientation, []);
                ds.Set(DicomTags.SliceThickness, Ds(src.Planes.SliceGap));
                ds.Set(DicomTags.SpacingBetweenSlices, Ds(src.Planes.SliceGap));
                ds.Set(DicomTags.ImagePositionPatient, Ds(src.Planes.Position(k)));
                ds.Set(DicomTags.ImageOrientationPatient, Ds(src.Planes.Orientation));
                ds.Set(DicomTags.SliceLocation, Ds(src.Planes.Location(k)));
                ds.Set(DicomTags.PixelSpacing, Ds(src.Planes.PixelSpacing));
                ConvertedSeries.Pixels(ds, src.Ny, src.Nx, 16, encoding.Signed);
                if (series.Modality == "CT")
                {
                    ds.Set(DicomTags.KVP, []);
                    ds.Set(DicomTags.AcquisitionNumber, Is(t + 1));
                }
                else
                {
                    ds.Set(DicomTags.ScanningSequence, "RM"); // research mode: NIfTI does not say how it was acquired
                    ds.Set(DicomTags.SequenceVariant, "NONE");
                    ds.Set(DicomTags.ScanOptions, []);
                    ds.Set(DicomTags.MRAcquisitionType, []);
                    ds.Set(DicomTags.RepetitionTime, src.Nt > 1 && RepetitionMs(h) is { } tr ? [Ds(tr)] : []);
                    ds.Set(DicomTags.EchoTime, []);
                    ds.Set(DicomTags.EchoTrainLength, []);
                    if (src.Nt > 1)
                    {
                        ds.Set(DicomTags.TemporalPositionIdentifier, Is(t + 1));
                        ds.Set(DicomTags.NumberOfTemporalPositions, Is(src.Nt));
                    }
                }
                if (h.HasScaling || series.Modality == "CT")
                {
                    ds.Set(DicomTags.RescaleIntercept, Ds(h.HasScaling && double.IsFinite(h.SclInter) ? h.SclInter : 0));
                    ds.Set(DicomTags.RescaleSlope, Ds(h.HasScaling ? h.SclSlope : 1));
                }
                if (h.CalMax > h.CalMin && double.IsFinite(h.CalMax) && double.IsFinite(h.CalMin))
                {
                    ds.Set(DicomTags.WindowCenter, Ds((h.CalMax + h.CalMin) / 2));
                    ds.Set(DicomTags.WindowWidth, Ds(h.CalMax - h.CalMin));
                }
                var offset = ((long)t * src.Nz + k) * plane * storedSize;
                var bytes = (long)plane * 2;
                var pixels = new NativePixels(bytes, (s, _) =>
                {
                    var buffer = new byte[bytes];
                    encoding.Encode(h.DataType, voxels.AsSpan(checked((int)offset), plane * storedSize), buffer, plane);
                    s.Write(buffer);
                });
                yield return new ConvertedInstance(ds, TransferSyntax.ExplicitVRLittleEndian, pixels,
                    src.Nt > 1 ? string.Create(CultureInfo.InvariantCulture, $"slice {k + 1} of {src.Nz}, time point {t + 1} of {src.Nt}")
                        : string.Create(CultureInfo.InvariantCulture, $"slice {k + 1} of {src.Nz}"));
            }
    }

    /// <summary>pixdim[4] in milliseconds when the time unit is seconds, milliseconds or microseconds.</summary>
    internal static double? RepetitionMs(Imaging.Nifti.NiftiHeader h)
    {
        var step = h.PixDim[4];
        if (!(step > 0) || !double.IsFinite(step)) return null;
        return h.TimeUnits switch { 8 => step * 1000, 16 => step, 24 => step / 1000, _ => null };
    }
}
