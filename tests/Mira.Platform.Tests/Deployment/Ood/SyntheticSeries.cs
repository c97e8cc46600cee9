using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;

namespace Mira.Platform.Tests.Deployment.Ood;

/// <summary>
/// How a synthetic axial series is acquired: modality, equipment, kVp (CT) or field strength, TR and TE (MR), slice
/// thickness and spacing, pixel spacing, matrix, slices, and an intensity shift. CT holds an elliptical body of soft
/// tissue (40 HU) with a bone disc (700 HU) in air (−1000 HU), stored as signed 16-bit values with Rescale Intercept
/// −1024; MR the same shapes at 300 and 900 over 0, unscaled. Gaussian noise (σ 10) from <see cref="Seed"/>.
/// </summary>
public sealed record SeriesSpec
{
    public string Key { get; init; } = "a";
    public int Seed { get; init; } = 1;
    public string Modality { get; init; } = "CT";
    public string Manufacturer { get; init; } = "Acme";
    public string Model { get; init; } = "Scanner 64";
    public string? Kernel { get; init; } = "B30f";
    public double Kvp { get; init; } = 120;
    public double SliceThickness { get; init; } = 2.0;
    public double SliceSpacing { get; init; } = 2.0;
    public double PixelSpacing { get; init; } = 8.0;
    public int Size { get; init; } = 32;
    public int Slices { get; init; } = 6;
    public double Shift { get; init; }
    public double FirstZ { get; init; }
    /// <summary>CT stored as signed HU (negative stored values, Rescale Intercept 0) instead of HU + 1024.</summary>
    public bool StoredAsHu { get; init; }
}

public static class SyntheticSeries
{
    /// <summary>The series' instances as Part 10 files (Explicit VR Little Endian), read back as a receiver would.</summary>
    public static IReadOnlyList<DicomFile> Files(SeriesSpec s) =>
        [.. Enumerable.Range(0, s.Slices).Select(k => DicomFile.Read(DicomFileWriter.ToBytes(Slice(s, k), TransferSyntax.ExplicitVRLittleEndian)))];

    /// <summary>Writes the series to <paramref name="folder"/> as 0001.dcm, 0002.dcm, …</summary>
    public static void Write(SeriesSpec s, string folder)
    {
        Directory.CreateDirectory(folder);
        for (var k = 0; k < s.Slices; k++)
            File.WriteAllBytes(Path.Combine(folder, $"{k + 1:0000}.dcm"), DicomFileWriter.ToBytes(Slice(s, k), TransferSyntax.ExplicitVRLittleEndian));
    }

    static string Uid(string name) => DicomUid.FromHash(SHA256.HashData(Encoding.UTF8.GetBytes("mira-ood-tests/" + name)));

    static string Ds(double v) => Math.Round(v, 4).ToString("0.####", CultureInfo.InvariantCulture);

    static DicomDataset Slice(SeriesSpec s, int k)
    {
        var ct = s.Modality == "CT";
        var ds = new DicomDataset();
        ds.Set(DicomTags.SOPClassUID, ct ? "1.2.840.10008.5.1.4.1.1.2" : "1.2.840.10008.5.1.4.1.1.4");
        ds.Set(DicomTags.SOPInstanceUID, Uid($"instance/{s.Key}/{k}"));
        ds.Set(DicomTags.PatientID, "OOD-" + s.Key);
        ds.Set(DicomTags.StudyInstanceUID, Uid("study/" + s.Key));
        ds.Set(DicomTags.SeriesInstanceUID, Uid("series/" + s.Key));
        ds.Set(DicomTags.FrameOfReferenceUID, Uid("for/" + s.Key));
        ds.Set(DicomTags.Modality, s.Modality);
        ds.Set(DicomTags.Manufacturer, s.Manufacturer);
        ds.Set(DicomTags.ManufacturerModelName, s.Model);
        ds.Set(DicomTags.InstanceNumber, (k + 1).ToString(CultureInfo.InvariantCulture));
        if (ct)
        {
            ds.Set(DicomTags.KVP, Ds(s.Kvp));
            if (s.Kernel is not null) ds.Set(DicomTags.ConvolutionKernel, s.Kernel);
            ds.Set(DicomTags.RescaleIntercept, s.StoredAsHu ? "0" : "-1024");
            ds.Set(DicomTags.RescaleSlope, "1");
        }
        else
        {
            ds.Set(DicomTags.MagneticFieldStrength, "1.5");
            ds.Set(DicomTags.RepetitionTime, "500");
            ds.Set(DicomTags.EchoTime, "15");
        }
        var origin = -s.PixelSpacing * (s.Size - 1) / 2;
        var z = s.FirstZ + k * s.SliceSpacing;
        ds.Set(DicomTags.ImagePositionPatient, Ds(origin), Ds(origin), Ds(z));
        ds.Set(DicomTags.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
        ds.Set(DicomTags.PixelSpacing, Ds(s.PixelSpacing), Ds(s.PixelSpacing));
        ds.Set(DicomTags.SliceThickness, Ds(s.SliceThickness));
        ds.Set(UShort(DicomTags.SamplesPerPixel, 1));
        ds.Set(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(UShort(DicomTags.Rows, (ushort)s.Size));
        ds.Set(UShort(DicomTags.Columns, (ushort)s.Size));
        ds.Set(UShort(DicomTags.BitsAllocated, 16));
        ds.Set(UShort(DicomTags.BitsStored, 16));
        ds.Set(UShort(DicomTags.HighBit, 15));
        ds.Set(UShort(DicomTags.PixelRepresentation, ct ? (ushort)1 : (ushort)0));
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, Pixels(s, k, origin)));
        return ds;
    }

    static byte[] Pixels(SeriesSpec s, int k, double origin)
    {
        var ct = s.Modality == "CT";
        var (air, tissue, bone) = ct ? (-1000.0, 40.0, 700.0) : (0.0, 300.0, 900.0);
        var random = new Random(s.Seed * 7919 + k);
        var half = s.PixelSpacing * (s.Size - 1) / 2;
        var bytes = new byte[s.Size * s.Size * 2];
        for (var r = 0; r < s.Size; r++)
            for (var c = 0; c < s.Size; c++)
            {
                double x = (origin + c * s.PixelSpacing) / half, y = (origin + r * s.PixelSpacing) / half;
                var v = x * x / 0.8 + y * y / 0.5 <= 1 ? (x * x + y * y <= 0.04 ? bone : tissue) : air;
                var u1 = 1 - random.NextDouble();
                var noise = 10 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * random.NextDouble());
                var value = Math.Round(v + s.Shift + noise);
                var stored = ct ? (s.StoredAsHu ? value : value + 1024) : Math.Max(0, value);
                BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan((r * s.Size + c) * 2), (short)Math.Clamp(stored, short.MinValue, short.MaxValue));
            }
        return bytes;
    }

    static DicomElement UShort(DicomTag tag, ushort value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return new DicomElement(tag, DicomVR.US, b);
    }
}
